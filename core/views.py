"""The error pages. Refusals are probed access, so they are logged (docs/security.md)."""

from django.shortcuts import render

from audit.services import record_denied


def forbidden(request, exception=None):
    record_denied(request=request)
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    # A signed-in user asking for a record outside their scope is probed access: log it too.
    if request.user.is_authenticated:
        record_denied(request=request)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
