from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("account/", views.account, name="account"),
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_new, name="user_new"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/reset-password/", views.user_reset_password, name="user_reset_password"),
    path(
        "users/<int:pk>/second-factor/",
        views.user_reset_second_factor,
        name="user_reset_second_factor",
    ),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/gbv-request/", views.user_request_gbv, name="user_request_gbv"),
    path("gbv/", views.gbv_access, name="gbv_access"),
    path("gbv/requests/<int:pk>/approve/", views.gbv_approve, name="gbv_approve"),
    path("gbv/requests/<int:pk>/refuse/", views.gbv_refuse, name="gbv_refuse"),
    path("gbv/requests/<int:pk>/cancel/", views.gbv_cancel, name="gbv_cancel"),
    path("gbv/grants/<int:pk>/revoke/", views.gbv_revoke, name="gbv_revoke"),
    path("enrol/<str:token>/", views.enrol, name="enrol"),
]
