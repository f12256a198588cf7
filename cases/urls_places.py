from django.urls import path

from . import views_places as views

urlpatterns = [
    path("", views.place_list, name="places"),
    path("new/", views.place_new, name="place_new"),
    path("<int:pk>/", views.place_detail, name="place"),
    path("<int:pk>/edit/", views.place_edit, name="place_edit"),
    path("<int:pk>/stays/new/", views.stay_new, name="stay_new"),
    path("stays/<int:pk>/discharge/", views.stay_discharge, name="stay_discharge"),
]
