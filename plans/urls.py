from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.current_plan, name="current"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/copy/", views.plan_copy, name="copy"),
    path("<int:pk>/late/", views.late_tasks, name="late_tasks"),
    path("<int:pk>/late/urge/", views.urge_tasks, name="urge_tasks"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
