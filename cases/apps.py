from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Hỗ trợ nạn nhân bạo lực trên cơ sở giới"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy checks)
