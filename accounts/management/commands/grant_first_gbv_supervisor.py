from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from accounts import services
from accounts.models import User

LABEL = "Cấp quyền người giám sát đầu tiên (lệnh trên máy chủ)"


class Command(BaseCommand):
    help = (
        "Cấp quyền hỗ trợ nạn nhân cho người giám sát ĐẦU TIÊN của một cơ quan (chưa có người "
        "giám sát nào); các quyền sau do người giám sát phê duyệt. In đường dẫn dùng một lần để "
        "người này cài ứng dụng xác thực (72 giờ). Có ghi nhật ký."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {username}.")
        try:
            token = services.grant_first_supervisor(user=user, label=LABEL)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        path = reverse("accounts:enrol", args=[token])
        site = getattr(settings, "SITE_URL", "").rstrip("/")
        self.stdout.write(f"Đã cấp quyền giám sát cho {username} ({user.unit}).")
        self.stdout.write(
            "Đường dẫn cài ứng dụng xác thực (dùng một lần, 72 giờ), tự tay chuyển cho người này:"
        )
        self.stdout.write(f"{site}{path}")
