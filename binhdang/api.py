"""The API (django-ninja) and how a caller proves who they are.

Three DHIS2-compatible ways, one per request (`Authorization` header):

- `Bearer <token>` and DHIS2's `ApiToken <token>`: a personal API token (accounts.models.ApiToken:
  the user's own, stored as a digest, expiring, revocable from the account page). A read-only
  token is refused (403, a WebMessage) on any method but GET/HEAD/OPTIONS; an expired one is
  401 saying so. A token acts as its user: never more than the user may do at the time of use;
- `Basic <base64(username:password)>` for accounts that do not need a second factor. It goes
  through Django's `authenticate` (so django-axes counts failures and locks out as on the login
  page) and never creates a session. Accounts with a second factor get a 401 saying to use a
  token: a password alone never opens them.

Session cookies do not authenticate API calls. The OpenAPI document and the docs page accept a
signed-in browser, or any of the three headers (a DHIS2 client reads the schema with its token).
"""

import binascii
from base64 import b64decode
from functools import wraps

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security.http import HttpAuthBase

from accounts.models import ApiToken, ExpiredToken
from core.access import AUTHENTICATED, allow
from core.views import not_found
from core.webmessage import web_message

TOKEN_SCHEMES = ("bearer", "apitoken")
SECOND_FACTOR_REFUSAL = (
    "Tài khoản này cần xác thực hai lớp: không dùng mật khẩu (Basic) cho API được, hãy dùng khóa "
    "API (Authorization: ApiToken … hoặc Bearer …) tạo ở trang Tài khoản."
)
BAD_HEADER = "Tiêu đề Authorization không đọc được."
EXPIRED = "Khóa API đã hết hạn: hãy tạo khóa mới ở trang Tài khoản › Khóa API."
READ_METHODS = {"GET", "HEAD", "OPTIONS"}
UNAUTHORIZED = (
    "Cần xác thực: gửi khóa API (Authorization: ApiToken … hoặc Bearer …) hoặc, với tài khoản "
    "không cần xác thực hai lớp, tên và mật khẩu (Basic)."
)


class ReadOnlyToken(Exception):
    """A read-only token used to write: 403 with DHIS2's WebMessage."""


class TokenAuth(HttpAuthBase):
    """`Authorization: Bearer <token>`, `ApiToken <token>` (DHIS2's personal access token
    scheme), or `Basic` for accounts without a second factor. Returns the user or None; raises
    AuthenticationError (401 with its message) when Basic is refused for a second-factor
    account."""

    openapi_scheme = "bearer"

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.strip().partition(" ")
        scheme, credentials = scheme.lower(), credentials.strip()
        if not credentials:
            return None
        if scheme in TOKEN_SCHEMES:
            return self.token(request, credentials)
        if scheme == "basic":
            return self.basic(request, credentials)
        return None

    @staticmethod
    def token(request, credentials: str):
        try:
            token = ApiToken.objects.authenticate(credentials)
        except ExpiredToken:
            raise AuthenticationError(message=EXPIRED) from None
        if token is None:
            return None
        request.api_token = token
        if token.read_only and request.method not in READ_METHODS:
            raise ReadOnlyToken
        return token.user

    @staticmethod
    def basic(request, credentials: str):
        try:
            username, sep, password = b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationError(message=BAD_HEADER) from None
        if not sep:
            raise AuthenticationError(message=BAD_HEADER)
        # Django's authenticate: every backend (axes first: a locked-out name or address is
        # refused and each failure counted) and no session; login() is never called.
        user = authenticate(request, username=username, password=password)
        if user is None or not user.is_active:
            return None
        if user.needs_second_factor:
            raise AuthenticationError(message=SECOND_FACTOR_REFUSAL)
        return user


api_auth = TokenAuth()


def docs_access(view):
    """The docs page and the OpenAPI document: a signed-in user (allow(AUTHENTICATED)), or a
    request whose Authorization header the API itself accepts."""
    signed_in = allow(AUTHENTICATED)(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if "Authorization" not in request.headers:
            return signed_in(request, *args, **kwargs)
        try:
            user = api_auth(request)
        except AuthenticationError as error:
            return _refused(request, error)
        except ReadOnlyToken:
            return read_only_token(request, None)
        if user is None:
            return _refused(request, AuthenticationError())
        return view(request, *args, **kwargs)

    wrapped.access_rule = signed_in.access_rule
    return wrapped


# The docs page (Swagger UI) is served from ninja's own static files ("ninja" is an installed
# app; without it ninja would load its assets from a CDN). Its script is a file, so CSP
# `script-src 'self'` holds; the online validator (a third-party origin) is off.
api = NinjaAPI(
    title="binhdang API",
    version="1",
    # The docs page's introduction: each supported DHIS2 parameter, and what is not supported.
    description=(settings.BASE_DIR / "docs" / "dhis2.md").read_text(encoding="utf-8"),
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    docs_decorator=docs_access,
    auth=api_auth,
)


@api.exception_handler(HttpError)
def _refused(request, exc):
    """A refusal as DHIS2 answers it (a WebMessage, core.webmessage), the reason in Vietnamese
    where there is one."""
    message = UNAUTHORIZED if exc.message == "Unauthorized" else exc.message
    return JsonResponse(web_message(exc.status_code, message), status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return not_found(request, exc)  # the site's 404: logged, a WebMessage under /api/


@api.exception_handler(ValidationError)
def _unreadable(request, exc):
    """Parameters or a body the operation cannot read: 400 with a WebMessage, the reasons in
    `detail`."""
    message = _("Tham số hoặc nội dung yêu cầu không hợp lệ (chi tiết trong “detail”).")
    return JsonResponse(web_message(400, message, detail=exc.errors), status=400)


@api.exception_handler(ReadOnlyToken)
def read_only_token(request, exc):
    message = _(
        "Khóa API này chỉ có quyền đọc: không dùng để gửi, sửa hay xóa dữ liệu được. Hãy dùng "
        "khóa có phạm vi “Đọc và ghi” (tạo ở trang Tài khoản › Khóa API)."
    )
    return JsonResponse(web_message(403, message), status=403)


api.add_router("/units", "orgs.api.router")
api.add_router("/plans", "plans.api.router")
api.add_router("/", "reports.api.router")
api.add_router("/", "analytics.api.router")
