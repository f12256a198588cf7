"""The GBV module's app config: at start it registers the deploy checks (cases.checks), the
prefill source of unit reports (cases.stats) and the seeding of the service directory when the
reference units are loaded."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _seed_directory(sender: type, **kwargs) -> None:
    """The referral service directory follows the reference units (orgs.signals.units_loaded)."""
    from .services.directory import seed_default_providers

    seed_default_providers()


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Hỗ trợ nạn nhân bạo lực trên cơ sở giới"

    def ready(self) -> None:
        from core.roles import UNIT_STAFF
        from indicators import sources
        from orgs.signals import units_loaded

        from . import checks, stats  # noqa: F401  (checks registers the deploy checks)

        units_loaded.connect(_seed_directory, dispatch_uid="cases.seed_directory")
        sources.register(
            sources.Source(
                key="cases",
                title=_("hồ sơ hỗ trợ nạn nhân"),
                elements=stats.REPORT_ELEMENTS,
                compute=stats.report_values,
                roles=UNIT_STAFF,
                sensitive=True,
                note=_(
                    "Tính từ hồ sơ do %(unit)s quản lý: vụ việc xảy ra từ %(start)s đến %(end)s có "
                    "sự đồng ý đưa vào thống kê còn hiệu lực; người gây bạo lực tính theo vụ việc."
                ),
            )
        )
