"""Statistics: case roles (their agency), coordinators and leaders (the province) see counts; admins
do not. The report cells: only the unit's own reporters and approvers (none of these personas;
they are tested in test_stats.py)."""

from reports.models import Submission

CASE_PERSONAS = ["owner", "supervisor", "recipient", "ended_recipient", "other", "place_staff"]
COUNTS = dict.fromkeys([*CASE_PERSONAS, "coordinator", "leader"], 200)


def _expect(allowed: dict) -> dict:
    """Everyone logged in is refused but `allowed`; anonymous users go to the login page."""
    refused = dict.fromkeys([*CASE_PERSONAS, "coordinator", "leader", "admin"], 403)
    return {**refused, **allowed, "anonymous": 302}


def _submission(world) -> dict:
    return {"pk": Submission.objects.get(round__code="BDG-2025", unit__code="SYT").pk}


ROUTES = {
    "cases:stats": {"expect": _expect(COUNTS)},
    "cases:stats_xlsx": {"kwargs": lambda w: {"table": "types"}, "expect": _expect(COUNTS)},
    "cases:report_counts": {"kwargs": _submission, "expect": _expect({})},
    "cases:fill_report": {"kwargs": _submission, "method": "post", "expect": _expect({})},
}
