"""What django-axes answers once a name or an address is locked out (AXES_LOCKOUT_CALLABLE):
the API (HTTP Basic) gets JSON, DHIS2's WebMessage with 429 Too Many Requests, as a client
parses it; every other page the lockout page."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.webmessage import web_message

API_PREFIX = "/api/"
STATUS = 429


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith(API_PREFIX):
        message = _(
            "Đăng nhập sai quá nhiều lần: tài khoản hoặc địa chỉ này tạm bị khóa %(m)s phút. "
            "Hãy thử lại sau, hoặc liên hệ Sở Nội vụ."
        ) % {"m": minutes}
        response = JsonResponse(web_message(STATUS, message), status=STATUS)
        response["Retry-After"] = str(minutes * 60)
        return response
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=STATUS)
