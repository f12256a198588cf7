"""Statistics: case roles (their agency), coordinators and leaders (the province) see counts; admins
do not. (A unit's own counts go into its report through the reports app's prefill URLs, declared
in binhdang/tests/test_access_matrix.py.)"""

CASE_PERSONAS = ["owner", "supervisor", "recipient", "ended_recipient", "other", "place_staff"]
COUNTS = dict.fromkeys([*CASE_PERSONAS, "coordinator", "leader"], 200)


def _expect(allowed: dict) -> dict:
    """Everyone logged in is refused but `allowed`; anonymous users go to the login page."""
    refused = dict.fromkeys([*CASE_PERSONAS, "coordinator", "leader", "admin"], 403)
    return {**refused, **allowed, "anonymous": 302}


ROUTES = {
    "cases:stats": {"expect": _expect(COUNTS)},
    "cases:stats_xlsx": {"kwargs": lambda w: {"table": "types"}, "expect": _expect(COUNTS)},
}
