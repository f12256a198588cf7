from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Tạo tài khoản và dữ liệu mẫu để dùng thử (không dùng trên máy chủ thật)."

    def handle(self, *args, **options):
        if settings.HTTPS:
            raise CommandError("Không tạo tài khoản mẫu trên hệ thống đang chạy thật (HTTPS=1).")
        accounts = load_demo()
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role, unit in accounts:
            self.stdout.write(f"  {username:<16} {role:<28} {unit}")
