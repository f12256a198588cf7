from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "Hoạt động thực hiện kế hoạch"

    def ready(self):
        from core.roles import UNIT_STAFF
        from indicators import sources

        from . import counting

        sources.register(
            sources.Source(
                key="activities",
                title=_("hoạt động đã ghi nhận"),
                elements=tuple(counting.ELEMENTS),
                compute=counting.report_values,
                roles=UNIT_STAFF,
                note=_(
                    "Tính từ hoạt động, mô hình, cuộc kiểm tra và kinh phí %(unit)s đã ghi nhận, "
                    "hoạt động bắt đầu từ %(start)s đến %(end)s; số liệu của đơn vị cũ trước sắp "
                    "xếp ngày 01/07/2025 tính cho đơn vị kế thừa."
                ),
            )
        )
