"""Deny by default: every view declares who may use it (tests/test_url_rules.py enforces this).

Object scoping is separate: views fetch through `Model.objects.for_user(user)`, so another unit's
id answers 404.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def public(view):
    view.access_rule = PUBLIC
    return view


def allow(roles=AUTHENTICATED):
    """Let in logged-in users, and only those with one of `roles` when a set is given."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if roles != AUTHENTICATED and request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_rule = roles
        return wrapped

    return decorator
