from django.urls import path

from . import views_stats

urlpatterns = [
    path("", views_stats.stats_page, name="stats"),
    path("<slug:table>.xlsx", views_stats.stats_xlsx, name="stats_xlsx"),
    path("reports/<int:pk>/", views_stats.report_counts, name="report_counts"),
    path("reports/<int:pk>/fill/", views_stats.fill_report, name="fill_report"),
]
