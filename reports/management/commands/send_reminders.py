import datetime

from django.core.management.base import BaseCommand, CommandError

from plans.services import send_task_reminders
from reports.services.reminders import send_reminders


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ngày không hợp lệ: {value!r} (cần dạng YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "Gửi thư và thông báo nhắc hạn nộp báo cáo (trước hạn, đúng hạn, quá hạn) cho các đơn vị "
        "chưa nộp, và nhắc các nhiệm vụ kế hoạch sắp đến hạn. Chạy từ cron bao nhiêu lần, trên "
        "bao nhiêu máy chủ cũng được: mỗi lần nhắc chỉ gửi một lần."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=_date,
            help="Giả lập ngày gửi (YYYY-MM-DD); mặc định là hôm nay.",
        )

    def handle(self, *args, date=None, **options):
        report = send_reminders(today=date)
        self.stdout.write(str(report))
        if not report.locked_out:
            units = send_task_reminders(today=date)
            self.stdout.write(f"Nhắc hạn nhiệm vụ kế hoạch: {units} đơn vị.")
        if report.failed:
            # A non-zero exit makes cron report it; the failed ones go out on the next run.
            raise CommandError(
                f"{report.failed} lần nhắc gửi lỗi, sẽ gửi lại ở lần chạy sau (xem nhật ký)."
            )
