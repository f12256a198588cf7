"""Referral and service routes × personas (see test_matrix.py). The fixture's active referral goes
to the recipient's agency (Sở Tư pháp); the ended one went to the ended recipient's.

"break_glass": the status for a colleague of the sender's agency holding a break-glass grant to
the case (test_case_pages.py): they read the referral but neither refer, record nor cancel."""

from django.utils import timezone

OUTSIDERS = {"coordinator": 403, "leader": 403, "admin": 403, "anonymous": 302}
# Only the active referral's recipient agency takes its steps; nobody else learns it exists.
RECIPIENT_STEP = {
    "owner": 404,
    "supervisor": 404,
    "recipient": 302,
    "ended_recipient": 404,
    "other": 404,
    "place_staff": 404,
    **OUTSIDERS,
}
# Pages of a case that need full access: the recipient sees the case, but only its packet.
FULL_CASE = {
    "owner": 200,
    "supervisor": 200,
    "recipient": 403,
    "ended_recipient": 404,
    "other": 404,
    "place_staff": 404,
    **OUTSIDERS,
}


def _case(w):
    return {"pk": w["case"].pk}


def _referral(w):
    return {"pk": w["referral"].pk}


def _version(w):
    return {"expected_version": w["referral"].version}


ROUTES = {
    "cases:referrals": {
        "break_glass": 200,
        "expect": {
            "owner": 200,
            "supervisor": 200,
            "recipient": 200,
            "ended_recipient": 200,
            "other": 200,
            "place_staff": 200,
            **OUTSIDERS,
        },
    },
    "cases:referral_new": {"kwargs": _case, "expect": FULL_CASE, "break_glass": 403},
    "cases:service_new": {"kwargs": _case, "expect": FULL_CASE, "break_glass": 403},
    "cases:referral": {
        "kwargs": _referral,
        "break_glass": 200,
        "expect": {
            "owner": 200,
            "supervisor": 200,
            "recipient": 200,
            "ended_recipient": 404,
            "other": 404,
            "place_staff": 404,
            **OUTSIDERS,
        },
    },
    "cases:referral_accept": {
        "kwargs": _referral,
        "method": "post",
        "data": _version,
        "expect": RECIPIENT_STEP,
        "break_glass": 404,
    },
    "cases:referral_decline": {
        "kwargs": _referral,
        "method": "post",
        "data": lambda w: {**_version(w), "reason": "Không đúng chức năng của cơ quan"},
        "expect": RECIPIENT_STEP,
        "break_glass": 404,
    },
    "cases:referral_provide": {
        "kwargs": _referral,
        "method": "post",
        "data": lambda w: {**_version(w), "on": timezone.localdate().isoformat(), "note": ""},
        "expect": RECIPIENT_STEP,
        "break_glass": 404,
    },
    "cases:referral_not_provided": {
        "kwargs": _referral,
        "method": "post",
        "data": lambda w: {**_version(w), "outcome": "not_available", "reason": "Hết kinh phí"},
        "expect": RECIPIENT_STEP,
        "break_glass": 404,
    },
    "cases:referral_cancel": {
        "kwargs": _referral,
        "method": "post",
        "data": lambda w: {**_version(w), "reason": "Nạn nhân đã chuyển nơi ở"},
        "break_glass": 403,
        "expect": {
            "owner": 302,
            "supervisor": 302,
            "recipient": 404,
            "ended_recipient": 404,
            "other": 404,
            "place_staff": 404,
            **OUTSIDERS,
        },
    },
}
