"""The error pages. Refusals are probed access, so they are logged (docs/security.md)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from audit.services import record_denied

from .webmessage import web_message


def forbidden(request, exception=None):
    record_denied(request=request)
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    # A signed-in user asking for a record outside their scope is probed access: log it too.
    if request.user.is_authenticated:
        record_denied(request=request)
    if request.path.startswith("/api/"):  # an API client reads DHIS2's WebMessage, not a page
        message = _("Không tìm thấy, hoặc bạn không có quyền xem.")
        return JsonResponse(web_message(404, message), status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
