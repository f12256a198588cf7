"""Login successes, failures and logouts go to the audit log (security requirement)."""

from audit.models import Action
from audit.services import record_event


def logged_in(sender, request, user, **kwargs):
    record_event(actor=user, action=Action.LOGIN, obj=user, request=request)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(actor=user, action=Action.LOGOUT, obj=user, request=request)


def login_failed(sender, credentials, request=None, **kwargs):
    # The name typed is kept (it may be unknown); the password never is.
    record_event(
        actor=None,
        action=Action.LOGIN_FAILED,
        request=request,
        label=str(credentials.get("username", ""))[:150],
    )
