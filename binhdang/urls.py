from django.urls import include, path

from analytics.views.home import home

from .api import api

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("units/", include("orgs.urls")),
    path("plans/", include("plans.urls")),
    path("reports/", include("reports.urls")),
    path("catalogue/", include("indicators.urls")),
    path("analytics/", include("analytics.urls")),
    path("cases/", include("cases.urls")),
    path("activities/", include("activities.urls")),
    path("search/", include("search.urls")),
    path("api/v1/", api.urls),
    # DHIS2 serves its Web API at /api/ as well as under a version: DHIS2's clients add
    # /api/<resource> to the server's address. The same operations under a second namespace.
    path("api/", include(api.urls[:2], namespace="dhis2")),
]

handler403 = "core.views.forbidden"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
