from django.urls import include, path

app_name = "cases"
urlpatterns = [
    path("", include("cases.urls_cases")),
    path("referrals/", include("cases.urls_referrals")),
    path("places/", include("cases.urls_places")),
    path("statistics/", include("cases.urls_stats")),
]
