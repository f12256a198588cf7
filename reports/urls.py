from django.urls import path

from . import builder, views, views_excel

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
    path("submissions/<int:pk>/prefill/<slug:key>/", views.prefill_preview, name="prefill"),
    path("submissions/<int:pk>/prefill/<slug:key>/fill/", views.prefill_fill, name="prefill_fill"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("notifications/", views.notifications, name="notifications"),
    path("forms/", builder.form_list, name="builder_list"),
    path("forms/new/", builder.form_new, name="builder_new"),
    path("forms/import/", builder.form_import, name="builder_import"),
    path("forms/<int:pk>/", builder.form_detail, name="builder_form"),
    path("forms/<int:pk>/edit/", builder.form_edit, name="builder_edit"),
    path("forms/<int:pk>/export/", builder.export, name="builder_export"),
    path("forms/<int:pk>/publish/", builder.publish, name="builder_publish"),
    path("forms/<int:pk>/retire/", builder.retire, name="builder_retire"),
    path("forms/<int:pk>/new-version/", builder.new_version, name="builder_new_version"),
    path("forms/<int:pk>/sections/add/", builder.section_add, name="builder_section_add"),
    path(
        "forms/sections/<int:pk>/questions/add/", builder.question_add, name="builder_question_add"
    ),
    path("forms/sections/<int:pk>/rows/add/", builder.row_add, name="builder_row_add"),
    path("forms/<str:kind>/<int:pk>/move/<str:direction>/", builder.part_move, name="builder_move"),
    path("forms/<str:kind>/<int:pk>/delete/", builder.part_delete, name="builder_delete"),
    path("submissions/<int:pk>/<str:action>/", views.transition, name="transition"),
]
