from django.urls import path

from .views import dashboards, pivot, synthesis

app_name = "analytics"
urlpatterns = [
    path("", dashboards.dashboard, name="dashboard"),
    path("pivot/", pivot.pivot_table, name="pivot"),
    path("unit/", dashboards.unit_dashboard, name="unit"),
    path("meeting/", dashboards.meeting, name="meeting"),
    path("rounds/<int:pk>/synthesis/", synthesis.synthesis_report, name="synthesis"),
    path(
        "rounds/<int:pk>/synthesis/sections/<int:section>/",
        synthesis.synthesis_section,
        name="synthesis_section",
    ),
    path(
        "rounds/<int:pk>/synthesis/jobs/<int:job>/", synthesis.synthesis_job, name="synthesis_job"
    ),
    path(
        "rounds/<int:pk>/synthesis/jobs/<int:job>/file/",
        synthesis.synthesis_download,
        name="synthesis_download",
    ),
]
