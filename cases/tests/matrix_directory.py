"""The referral service directory × personas (see test_matrix.py). It holds no survivor data: the
case roles read it (they refer by it), the coordinator keeps it, admins read it, leaders have no
use for it."""

from cases.models import ServiceProvider

CASE_ROLES_READ = {
    "owner": 200,
    "supervisor": 200,
    "recipient": 200,
    "ended_recipient": 200,
    "other": 200,
    "place_staff": 200,
}


def _provider(w):
    return ServiceProvider.objects.get(unit__code="STP", service_type="legal")


ROUTES = {
    "cases:providers": {
        "expect": {
            **CASE_ROLES_READ,
            "coordinator": 200,
            "leader": 403,
            "admin": 200,
            "anonymous": 302,
        },
    },
    "cases:provider_toggle": {
        "kwargs": lambda w: {"pk": _provider(w).pk},
        "method": "post",
        "data": lambda w: {"expected_version": _provider(w).version},
        "expect": {
            **dict.fromkeys(CASE_ROLES_READ, 403),
            "coordinator": 302,
            "leader": 403,
            "admin": 403,
            "anonymous": 302,
        },
    },
    # The recipient list of the referral form: for those who refer.
    "cases:referral_recipients": {
        "data": lambda w: {"service_type": "legal"},
        "expect": {
            **CASE_ROLES_READ,
            "coordinator": 403,
            "leader": 403,
            "admin": 403,
            "anonymous": 302,
        },
    },
}
