from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer

from accounts.models import ApiToken
from core.access import AUTHENTICATED, allow


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; tokens come from `manage.py api_token USERNAME`."""

    def authenticate(self, request, token):
        return ApiToken.objects.authenticate(token)


# The docs page (Swagger UI) is served from ninja's own static files ("ninja" is an installed
# app; without it ninja would load its assets from a CDN). Its script is a file, so CSP
# `script-src 'self'` holds; the online validator (a third-party origin) is off. Docs and schema
# are for signed-in users.
api = NinjaAPI(
    title="binhdang API",
    version="1",
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    docs_decorator=allow(AUTHENTICATED),
    auth=TokenAuth(),
)
api.add_router("/units", "orgs.api.router")
api.add_router("/plans", "plans.api.router")
api.add_router("/", "reports.api.router")
api.add_router("/", "analytics.api.router")
