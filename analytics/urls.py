from django.urls import path

from .views import dashboards, pivot, synthesis

app_name = "analytics"
urlpatterns = [
    path("", dashboards.dashboard, name="dashboard"),
    path("pivot/", pivot.pivot_table, name="pivot"),
    path("unit/", dashboards.unit_dashboard, name="unit"),
    path("meeting/", dashboards.meeting, name="meeting"),
    path("rounds/<int:pk>/synthesis/", synthesis.synthesis_report, name="synthesis"),
]
