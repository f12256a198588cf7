from django.urls import path

from . import views_cases as views

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("break-glass/<int:pk>/revoke/", views.break_glass_revoke, name="break_glass_revoke"),
    path("harm-mapping/", views.harm_mapping, name="harm_mapping"),
    path("classify/", views.classify, name="classify"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/survivor/", views.survivor_edit, name="survivor_edit"),
    path("<int:pk>/incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("<int:pk>/consents/new/", views.consent_new, name="consent_new"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/follow-ups/new/", views.followup_new, name="followup_new"),
    path("follow-ups/<int:pk>/done/", views.followup_done, name="followup_done"),
    path("<int:pk>/close/", views.close_request, name="close_request"),
    path("<int:pk>/close/approve/", views.close_approve, name="close_approve"),
    path("<int:pk>/close/reject/", views.close_reject, name="close_reject"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
]
