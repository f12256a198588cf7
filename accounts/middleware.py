from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from core.roles import CASE_ROLES

# Pages a user who has given only a password may still reach; and the one-time enrolment links
# of GBV accounts (where their second factor comes from).
OPEN_PATHS = ("accounts:login", "accounts:logout", "accounts:second_factor")
OPEN_PREFIX = "/accounts/enrol/"


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware: users whose role needs a second factor reach nothing but
    the second-factor page until they have given a TOTP code. GBV users' sessions end after
    GBV_IDLE_MINUTES without a request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_paths = None

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            if user.role in CASE_ROLES:
                request.session.set_expiry(settings.GBV_IDLE_MINUTES * 60)
            if user.needs_second_factor and not user.is_verified():
                if self.open_paths is None:
                    self.open_paths = {reverse(name) for name in OPEN_PATHS}
                if request.path not in self.open_paths and not request.path.startswith(
                    (settings.STATIC_URL, OPEN_PREFIX)
                ):
                    return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Cần xác thực hai lớp."}, status=401)
        query = urlencode({"next": request.get_full_path()})
        target = f"{reverse('accounts:second_factor')}?{query}"
        if request.headers.get("HX-Request"):
            response = JsonResponse({})
            response["HX-Redirect"] = target
            return response
        return redirect(target)
