from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from core import jobs
        from indicators import usage

        from .exchange import jobs as import_jobs
        from .usage import USE

        usage.register(USE)
        # DHIS2's async import (POST /dataValueSets?async=true) runs as a core.jobs job.
        jobs.register(import_jobs.KIND, import_jobs.handle)
