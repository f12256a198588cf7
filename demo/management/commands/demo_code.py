from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.people import DEMO_DEVICE


class Command(BaseCommand):
    help = "In mã xác thực hai lớp hiện tại của một tài khoản dùng thử (thay ứng dụng điện thoại)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if settings.HTTPS:
            raise CommandError("Chỉ dùng với dữ liệu mẫu, không dùng trên hệ thống thật.")
        device = TOTPDevice.objects.filter(
            user__username=username, name=DEMO_DEVICE, confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username} không có thiết bị xác thực dùng thử.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
