from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from demo.activities import load_demo_activities
from demo.cases import load_demo_cases
from demo.people import DEMO_PASSWORD, load_demo
from demo.reports import fill_demo_reports


class Command(BaseCommand):
    help = "Tạo tài khoản và dữ liệu mẫu để dùng thử (không dùng trên máy chủ thật)."

    def handle(self, *args, **options):
        if settings.HTTPS:
            raise CommandError("Không tạo tài khoản mẫu trên hệ thống đang chạy thật (HTTPS=1).")
        accounts = load_demo()
        values = fill_demo_reports(User.objects.get(username="coordinator"))
        if values:
            self.stdout.write(f"Số liệu báo cáo mẫu: {values} giá trị.")
        if activities := load_demo_activities():
            self.stdout.write(f"Hoạt động mẫu (Tháng hành động 2026): {activities} hoạt động.")
        if cases := load_demo_cases():
            self.stdout.write(f"Hồ sơ hỗ trợ nạn nhân mẫu: {cases} hồ sơ.")
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role, unit in accounts:
            self.stdout.write(f"  {username:<20} {role:<38} {unit}")
        self.stdout.write(
            "Điều phối, lãnh đạo, quản trị và cán bộ hỗ trợ nạn nhân cần thêm mã xác thực hai lớp; "
            "xem mã hiện tại bằng: .venv/bin/python manage.py demo_code <tên đăng nhập>"
        )
