from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from django.contrib.auth import signals

        from . import login_audit

        signals.user_logged_in.connect(login_audit.logged_in, dispatch_uid="audit_login")
        signals.user_logged_out.connect(login_audit.logged_out, dispatch_uid="audit_logout")
        signals.user_login_failed.connect(login_audit.login_failed, dispatch_uid="audit_fail")
