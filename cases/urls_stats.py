from django.urls import path

from . import views_stats

urlpatterns = [
    path("", views_stats.stats_page, name="stats"),
    path("<slug:table>.xlsx", views_stats.stats_xlsx, name="stats_xlsx"),
]
