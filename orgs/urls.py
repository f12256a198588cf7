from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("new/", views.unit_new, name="new"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
    path("<int:pk>/close/", views.unit_close, name="close"),
    path("<int:pk>/link/", views.unit_link, name="link"),
    path("ethnic-groups/", views.ethnic_group_list, name="ethnic_groups"),
    path("ethnic-groups/<int:pk>/", views.ethnic_group_edit, name="ethnic_group_edit"),
]
