import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import services
from accounts.models import TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, TokenScope, User


class Command(BaseCommand):
    help = (
        "In ra một khóa API mới cho người dùng (chỉ hiển thị một lần). Người dùng tự tạo và thu "
        "hồi khóa ở trang Tài khoản › Khóa API; lệnh này dành cho người vận hành."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--scope", choices=TokenScope.values, default=TokenScope.READ, help="read hoặc write"
        )
        parser.add_argument(
            "--days",
            type=int,
            default=TOKEN_DAYS_DEFAULT,
            help=f"số ngày dùng được (1–{TOKEN_DAYS_MAX})",
        )
        parser.add_argument("--name", default="Khóa tạo bằng lệnh")

    def handle(self, *args, username, scope, days, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Không có người dùng đang hoạt động tên “{username}”.")
        expires_on = timezone.localdate() + datetime.timedelta(days=days)
        try:
            _, key = services.create_api_token(
                actor=None, owner=user, name=name, scope=scope, expires_on=expires_on
            )
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        self.stdout.write(key)
