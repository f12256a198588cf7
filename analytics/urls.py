from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("pivot/", views.pivot_table, name="pivot"),
    path("unit/", views.unit_dashboard, name="unit"),
    path("meeting/", views.meeting, name="meeting"),
    path("rounds/<int:pk>/synthesis/", views.synthesis_report, name="synthesis"),
]
