from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares and nothing app-specific: text helpers, uploads, the spreadsheet-safe
    text rule, notifications, the access decorators, error pages (docs/architecture.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Dùng chung"
