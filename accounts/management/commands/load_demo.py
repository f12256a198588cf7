from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, load_demo
from accounts.models import User
from reports.demo import fill_demo_reports


class Command(BaseCommand):
    help = "Tạo tài khoản và dữ liệu mẫu để dùng thử (không dùng trên máy chủ thật)."

    def handle(self, *args, **options):
        if settings.HTTPS:
            raise CommandError("Không tạo tài khoản mẫu trên hệ thống đang chạy thật (HTTPS=1).")
        accounts = load_demo()
        values = fill_demo_reports(User.objects.get(username="coordinator"))
        if values:
            self.stdout.write(f"Số liệu báo cáo mẫu: {values} giá trị.")
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role, unit in accounts:
            self.stdout.write(f"  {username:<16} {role:<28} {unit}")
