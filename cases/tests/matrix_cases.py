"""Case work URLs × personas (format: test_matrix.py). The fixture case is open, owned by
`owner`; `recipient`'s agency holds an active referral sharing profile + incidents only.

"break_glass": the status for a colleague of the owner's agency holding an active break-glass
grant to the case (test_case_pages.py): break-glass reads, never writes (403)."""

import datetime

from django.utils import timezone

from cases.models import BreakGlass

NO_CASE_ROLE = {"coordinator": 403, "leader": 403, "admin": 403, "anonymous": 302}
OUTSIDERS = {"ended_recipient": 404, "other": 404, "place_staff": 404}
# Pages of the module itself, not of a case: every case role.
MODULE = {
    "owner": 200,
    "supervisor": 200,
    "recipient": 200,
    "ended_recipient": 200,
    "other": 200,
    "place_staff": 200,
    **NO_CASE_ROLE,
}
# What only full access may open: the recipient gets 404 like an outsider.
FULL_ONLY = {"owner": 200, "supervisor": 200, "recipient": 404, **OUTSIDERS, **NO_CASE_ROLE}


def _case(w):
    return {"pk": w["case"].pk}


def _full_only(**changes):
    return {**FULL_ONLY, **changes}


def _glass(w):
    """A break-glass grant to the fixture case, held by `other`."""
    glass = BreakGlass.objects.create(
        user=w["people"]["other"],
        case=w["case"],
        reason="Nạn nhân đang ở trụ sở công an, cần xem kế hoạch an toàn",
        expires_at=timezone.now() + datetime.timedelta(hours=4),
    )
    return {"pk": glass.pk}


WORKERS = ("owner", "recipient", "ended_recipient", "other", "place_staff")


ROUTES = {
    "cases:list": {"expect": MODULE, "break_glass": 200},
    "cases:new": {"expect": MODULE, "break_glass": 200},
    "cases:break_glass": {"expect": MODULE, "break_glass": 200},
    "cases:harm_mapping": {"expect": MODULE, "break_glass": 200},
    "cases:classify": {
        "method": "post",
        "data": lambda w: {"q_rape": "no", "q_sexual_assault": "yes"},
        "expect": MODULE,
        "break_glass": 200,
    },
    "cases:case": {"kwargs": _case, "expect": _full_only(recipient=200), "break_glass": 200},
    # The referral shares no name: revealing it is as closed to the recipient as to an outsider.
    # Break-glass may read the name: revealing is reading, on the record.
    "cases:reveal": {"kwargs": _case, "method": "post", "expect": FULL_ONLY, "break_glass": 200},
    "cases:edit": {"kwargs": _case, "expect": FULL_ONLY, "break_glass": 403},
    "cases:survivor_edit": {"kwargs": _case, "expect": FULL_ONLY, "break_glass": 403},
    "cases:incident_new": {"kwargs": _case, "expect": FULL_ONLY, "break_glass": 403},
    "cases:incident_edit": {
        "kwargs": lambda w: {"pk": w["incident"].pk},
        "expect": FULL_ONLY,
        "break_glass": 403,
    },
    "cases:consent_new": {"kwargs": _case, "expect": FULL_ONLY, "break_glass": 403},
    "cases:consent_withdraw": {
        "kwargs": lambda w: {"pk": w["consent"]["statistics"].pk},
        "method": "post",
        "data": lambda w: {"note": "Không muốn đưa vào thống kê"},
        "expect": _full_only(owner=302, supervisor=302),
        "break_glass": 403,
    },
    "cases:followup_new": {"kwargs": _case, "expect": FULL_ONLY, "break_glass": 403},
    "cases:followup_done": {
        "kwargs": lambda w: {"pk": w["follow_up"].pk},
        "method": "post",
        "data": lambda w: {"note": "Đã gọi, an toàn"},
        "expect": _full_only(owner=302, supervisor=302),
        "break_glass": 403,
    },
    "cases:close_request": {"kwargs": _case, "expect": FULL_ONLY, "break_glass": 403},
    # The case is open: the supervisor is let in and told there is nothing to approve; the owner
    # may never approve.
    "cases:close_approve": {
        "kwargs": _case,
        "method": "post",
        "expect": _full_only(owner=403, supervisor=302),
        "break_glass": 403,
    },
    "cases:close_reject": {
        "kwargs": _case,
        "expect": _full_only(owner=403, supervisor=200),
        "break_glass": 403,
    },
    "cases:reopen": {"kwargs": _case, "expect": FULL_ONLY, "break_glass": 403},
    # Only the supervisors of the case's agency end someone's break-glass (here: other's).
    "cases:break_glass_revoke": {
        "kwargs": _glass,
        "method": "post",
        "expect": {**{p: 403 for p in WORKERS}, "supervisor": 302, **NO_CASE_ROLE},
        "break_glass": 403,
    },
}
