from django.urls import include, path

app_name = "activities"
urlpatterns = [
    path("", include("activities.urls_activities")),
    path("", include("activities.urls_registry")),
]
