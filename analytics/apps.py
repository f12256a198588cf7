from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self):
        # The synthesis files are made by the worker (core.jobs), which knows them by kind.
        from core import jobs

        from . import services

        jobs.register(services.DOCX, services.build_synthesis_docx, page=services.synthesis_page)
        jobs.register(services.XLSX, services.build_synthesis_xlsx, page=services.synthesis_page)
