"""Safe-place routes × personas (see test_matrix.py). The fixture's place is a shelter hosted by
Phường Cẩm Thành, staffed by place_staff; the owner's case stays there.

"break_glass": the status for a colleague of the owner's agency holding a break-glass grant to the
case (test_case_pages.py): not staff, they neither admit nor discharge it."""

from django.utils import timezone

OUTSIDERS = {"coordinator": 403, "leader": 403, "admin": 403, "anonymous": 302}
CASE_ROLES_IN = {
    "owner": 200,
    "supervisor": 200,
    "recipient": 200,
    "ended_recipient": 200,
    "other": 200,
    "place_staff": 200,
    **OUTSIDERS,
}


def _place(w):
    return {"pk": w["place"].pk}


ROUTES = {
    "cases:places": {"expect": CASE_ROLES_IN, "break_glass": 200},
    "cases:place": {"kwargs": _place, "expect": CASE_ROLES_IN, "break_glass": 200},
    # Case supervisors keep the registry; they edit only the places their own unit hosts.
    "cases:place_new": {
        "break_glass": 403,
        "expect": {
            **{persona: 403 for persona in CASE_ROLES_IN},
            "supervisor": 200,
            "anonymous": 302,
        },
    },
    "cases:place_edit": {
        "kwargs": _place,
        "break_glass": 403,
        "expect": {
            **{persona: 403 for persona in CASE_ROLES_IN},
            "supervisor": 404,
            "anonymous": 302,
        },
    },
    # Only the place's staff admit: an admission shows the location to the case's owner.
    "cases:stay_new": {
        "kwargs": _place,
        "break_glass": 403,
        "expect": {
            "owner": 403,
            "supervisor": 403,
            "recipient": 403,
            "ended_recipient": 403,
            "other": 403,
            "place_staff": 200,
            **OUTSIDERS,
        },
    },
    "cases:stay_discharge": {
        "kwargs": lambda w: {"pk": w["stay"].pk},
        "method": "post",
        "break_glass": 403,
        "data": lambda w: {
            "discharged_on": timezone.localdate().isoformat(),
            "discharge_reason": "Về ở với gia đình, đã an toàn",
        },
        "expect": {
            "owner": 302,
            "supervisor": 302,
            "recipient": 404,
            "ended_recipient": 404,
            "other": 404,
            "place_staff": 302,
            **OUTSIDERS,
        },
    },
}
