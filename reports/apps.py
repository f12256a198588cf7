from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from indicators import usage

        from .usage import USE

        usage.register(USE)
