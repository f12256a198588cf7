"""Every URL of the GBV module (namespace `cases`): case work, referrals and the service
directory, safe places, statistics."""

from django.urls import path

from .views import cases, places, referrals, stats

app_name = "cases"
urlpatterns = [
    path("", cases.case_list, name="list"),
    path("new/", cases.case_new, name="new"),
    path("break-glass/", cases.break_glass, name="break_glass"),
    path("break-glass/<int:pk>/revoke/", cases.break_glass_revoke, name="break_glass_revoke"),
    path("harm-mapping/", cases.harm_mapping, name="harm_mapping"),
    path("classify/", cases.classify, name="classify"),
    path("<int:pk>/", cases.case_detail, name="case"),
    path("<int:pk>/reveal/", cases.reveal, name="reveal"),
    path("<int:pk>/edit/", cases.case_edit, name="edit"),
    path("<int:pk>/survivor/", cases.survivor_edit, name="survivor_edit"),
    path("<int:pk>/incidents/new/", cases.incident_new, name="incident_new"),
    path("incidents/<int:pk>/edit/", cases.incident_edit, name="incident_edit"),
    path("<int:pk>/consents/new/", cases.consent_new, name="consent_new"),
    path("consents/<int:pk>/withdraw/", cases.consent_withdraw, name="consent_withdraw"),
    path("<int:pk>/follow-ups/new/", cases.followup_new, name="followup_new"),
    path("follow-ups/<int:pk>/done/", cases.followup_done, name="followup_done"),
    path("<int:pk>/close/", cases.close_request, name="close_request"),
    path("<int:pk>/close/approve/", cases.close_approve, name="close_approve"),
    path("<int:pk>/close/reject/", cases.close_reject, name="close_reject"),
    path("<int:pk>/reopen/", cases.reopen, name="reopen"),
    # Referrals and the service directory.
    path("referrals/", referrals.referral_list, name="referrals"),
    path("referrals/recipients/", referrals.referral_recipients, name="referral_recipients"),
    path("referrals/directory/", referrals.provider_list, name="providers"),
    path(
        "referrals/directory/<int:pk>/toggle/",
        referrals.provider_toggle,
        name="provider_toggle",
    ),
    path("referrals/case/<int:pk>/new/", referrals.referral_new, name="referral_new"),
    path("referrals/case/<int:pk>/service/", referrals.service_new, name="service_new"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral"),
    path(
        "referrals/<int:pk>/accept/",
        referrals.referral_respond,
        {"action": "accept"},
        name="referral_accept",
    ),
    path(
        "referrals/<int:pk>/decline/",
        referrals.referral_respond,
        {"action": "decline"},
        name="referral_decline",
    ),
    path(
        "referrals/<int:pk>/provide/",
        referrals.referral_respond,
        {"action": "provide"},
        name="referral_provide",
    ),
    path(
        "referrals/<int:pk>/not-provided/",
        referrals.referral_respond,
        {"action": "not_provided"},
        name="referral_not_provided",
    ),
    path("referrals/<int:pk>/cancel/", referrals.referral_cancel, name="referral_cancel"),
    # Safe places and stays.
    path("places/", places.place_list, name="places"),
    path("places/new/", places.place_new, name="place_new"),
    path("places/<int:pk>/", places.place_detail, name="place"),
    path("places/<int:pk>/edit/", places.place_edit, name="place_edit"),
    path("places/<int:pk>/stays/new/", places.stay_new, name="stay_new"),
    path("places/stays/<int:pk>/discharge/", places.stay_discharge, name="stay_discharge"),
    # Statistics.
    path("statistics/", stats.stats_page, name="stats"),
    path("statistics/<slug:table>.xlsx", stats.stats_xlsx, name="stats_xlsx"),
]
