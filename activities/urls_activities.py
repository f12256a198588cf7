from django.urls import path

from . import views_activities as views

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("export.xlsx", views.activity_export, name="export"),
    path("new/", views.activity_new, name="new"),
    path("<int:pk>/", views.activity_detail, name="activity"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/delete/", views.activity_delete, name="delete"),
    path("<int:pk>/repeat/", views.activity_repeat, name="repeat"),
    path("<int:pk>/files/", views.file_new, name="file_new"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", views.campaign_board, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/export.xlsx", views.campaign_export, name="campaign_export"),
]
