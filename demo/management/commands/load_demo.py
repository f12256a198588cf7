from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from core.models import Notification
from demo.activities import load_demo_activities
from demo.cases import load_demo_cases
from demo.notifications import settle_notifications
from demo.people import DEMO_PASSWORD, load_demo, load_unit_staff
from demo.places import places
from demo.plans import load_demo_plans
from demo.reports import load_demo_reports


class Command(BaseCommand):
    help = (
        "Tạo tài khoản và dữ liệu mẫu khớp với ngày hôm nay: tiến độ kế hoạch, các đợt báo cáo "
        "đã qua và đợt đang mở (không dùng trên máy chủ thật; chạy lại không tạo trùng)."
    )

    def handle(self, *args, **options):
        if settings.HTTPS:
            raise CommandError("Không tạo tài khoản mẫu trên hệ thống đang chạy thật (HTTPS=1).")
        today = timezone.localdate()
        last_notification = Notification.objects.aggregate(last=Max("pk"))["last"] or 0
        accounts = load_demo()
        where = places()
        staff = load_unit_staff(where)
        coordinator = User.objects.get(username="coordinator")
        common = {"coordinator": coordinator, "staff": staff, "places": where, "today": today}
        if updates := load_demo_plans(**common):
            self.stdout.write(
                f"Tiến độ kế hoạch mẫu đến ngày {today:%d/%m/%Y}: {updates} lần cập nhật."
            )
        if values := load_demo_reports(**common):
            self.stdout.write(f"Số liệu báo cáo mẫu: {values} giá trị.")
        if activities := load_demo_activities(today):
            self.stdout.write(f"Hoạt động mẫu (Tháng hành động gần nhất): {activities} hoạt động.")
        if cases := load_demo_cases():
            self.stdout.write(f"Hồ sơ hỗ trợ nạn nhân mẫu: {cases} hồ sơ.")
        settle_notifications(today, after=last_notification)
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role, unit in accounts:
            self.stdout.write(f"  {username:<20} {role:<38} {unit}")
        self.stdout.write(
            "Điều phối, lãnh đạo, quản trị và cán bộ hỗ trợ nạn nhân cần thêm mã xác thực hai lớp; "
            "xem mã hiện tại bằng: .venv/bin/python manage.py demo_code <tên đăng nhập>"
        )
        self.stdout.write(
            f"Mỗi đơn vị báo cáo ({len(staff)} đơn vị) có cán bộ báo cáo và lãnh đạo đơn vị mẫu; "
            "các tài khoản tạo tự động này không đăng nhập được."
        )
