from django.urls import path

from . import views_referrals as views

urlpatterns = [
    path("", views.referral_list, name="referrals"),
    path("recipients/", views.referral_recipients, name="referral_recipients"),
    path("directory/", views.provider_list, name="providers"),
    path("directory/<int:pk>/toggle/", views.provider_toggle, name="provider_toggle"),
    path("case/<int:pk>/new/", views.referral_new, name="referral_new"),
    path("case/<int:pk>/service/", views.service_new, name="service_new"),
    path("<int:pk>/", views.referral_detail, name="referral"),
    path("<int:pk>/accept/", views.referral_respond, {"action": "accept"}, name="referral_accept"),
    path(
        "<int:pk>/decline/", views.referral_respond, {"action": "decline"}, name="referral_decline"
    ),
    path(
        "<int:pk>/provide/", views.referral_respond, {"action": "provide"}, name="referral_provide"
    ),
    path(
        "<int:pk>/not-provided/",
        views.referral_respond,
        {"action": "not_provided"},
        name="referral_not_provided",
    ),
    path("<int:pk>/cancel/", views.referral_cancel, name="referral_cancel"),
]
