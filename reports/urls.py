from django.urls import path

from .views import builder, excel, notifications, offline, prefill, rounds, submissions, validation

app_name = "reports"
urlpatterns = [
    path("", rounds.index, name="index"),
    path("rounds/new/", rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path("rounds/<int:pk>/urge/", rounds.urge, name="urge"),
    path("rounds/<int:pk>/urge/preview/", rounds.urge_preview, name="urge_preview"),
    path("check/", validation.round_check, name="round_check"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline, name="offline"),
    path("submissions/<int:pk>/", submissions.submission_detail, name="submission"),
    path("submissions/<int:pk>/cell/", submissions.save_cell, name="save_cell"),
    path("submissions/<int:pk>/cell/edit/", submissions.cell_editor, name="cell_editor"),
    path("submissions/<int:pk>/answer/", submissions.save_answer, name="save_answer"),
    path("submissions/<int:pk>/compare/", submissions.compare, name="compare"),
    path("submissions/<int:pk>/extend/", submissions.extend, name="extend"),
    path("submissions/<int:pk>/attach/", submissions.attach, name="attach"),
    path("submissions/<int:pk>/xlsx/download/", excel.download, name="xlsx_download"),
    path("submissions/<int:pk>/xlsx/upload/", excel.upload, name="xlsx_upload"),
    path("submissions/<int:pk>/prefill/<slug:key>/", prefill.prefill_preview, name="prefill"),
    path(
        "submissions/<int:pk>/prefill/<slug:key>/fill/", prefill.prefill_fill, name="prefill_fill"
    ),
    path("attachments/<int:pk>/", submissions.attachment, name="attachment"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.read_all, name="notifications_read"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification"),
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
    path("forms/rows/<int:pk>/optional/", builder.row_optional, name="builder_row_optional"),
    path("forms/<str:kind>/<int:pk>/move/<str:direction>/", builder.part_move, name="builder_move"),
    path("forms/<str:kind>/<int:pk>/delete/", builder.part_delete, name="builder_delete"),
    path("submissions/<int:pk>/<str:action>/", submissions.transition, name="transition"),
]
