from django.urls import path

from . import views, views_excel

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/urge/", views.urge, name="urge"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/cell/", views.save_cell, name="save_cell"),
    path("submissions/<int:pk>/cell/edit/", views.cell_editor, name="cell_editor"),
    path("submissions/<int:pk>/answer/", views.save_answer, name="save_answer"),
    path("submissions/<int:pk>/compare/", views.compare, name="compare"),
    path("submissions/<int:pk>/extend/", views.extend, name="extend"),
    path("submissions/<int:pk>/attach/", views.attach, name="attach"),
    path("submissions/<int:pk>/xlsx/download/", views_excel.download, name="xlsx_download"),
    path("submissions/<int:pk>/xlsx/upload/", views_excel.upload, name="xlsx_upload"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("notifications/", views.notifications, name="notifications"),
    path("submissions/<int:pk>/<str:action>/", views.transition, name="transition"),
]
