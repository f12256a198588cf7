"""Deny by default: every view declares who may use it (tests/test_url_rules.py enforces this).

Object scoping is separate: views fetch through `Model.objects.for_user(user)`, so another unit's
id answers 404.

The GBV module's gate is here too: a view that lets in a case role lets in a case-role user only
while they hold approved GBV access (`User.has_gbv_access`); until then they get the "waiting for
approval" page with 403, like an outsider, and the denial is logged.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import resolve, reverse

from audit.services import record_denied

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
            if roles != AUTHENTICATED:
                if request.user.role not in roles:
                    raise PermissionDenied
                if request.user.gbv_pending:
                    return waiting_for_approval(request)
            return view(request, *args, **kwargs)

        wrapped.access_rule = roles
        return wrapped

    return decorator


def permits(user, url_name: str, *args) -> bool:
    """Whether the view at `url_name` lets `user` in, by the rule its `allow` declares: a page
    that offers links to other pages (search) asks the pages themselves, so each rule stays in
    one place."""
    rule = getattr(resolve(reverse(url_name, args=args)).func, "access_rule", None)
    if rule == PUBLIC:
        return True
    if rule is None or not user.is_authenticated:
        return False
    if rule == AUTHENTICATED:
        return True
    return user.role in rule and not user.gbv_pending


def waiting_for_approval(request):
    record_denied(request=request)
    return render(request, "accounts/gbv_pending.html", status=403)
