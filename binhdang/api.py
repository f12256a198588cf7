from ninja import NinjaAPI
from ninja.security import HttpBearer

from accounts.access import AUTHENTICATED, allow
from accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; tokens come from `manage.py api_token USERNAME`."""

    def authenticate(self, request, token):
        return ApiToken.objects.authenticate(token)


# No interactive docs page: it would load its assets from a CDN. The schema (openapi.json) is
# for signed-in users.
api = NinjaAPI(
    title="binhdang API",
    version="1",
    urls_namespace="api",
    docs_url=None,
    docs_decorator=allow(AUTHENTICATED),
    auth=TokenAuth(),
)
api.add_router("/units", "orgs.api.router")
api.add_router("/plans", "plans.api.router")
