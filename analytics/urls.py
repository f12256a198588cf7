from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("rounds/<int:pk>/synthesis/", views.synthesis_report, name="synthesis"),
]
