from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "In ra một khóa API mới cho người dùng (chỉ hiển thị một lần)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Không có người dùng đang hoạt động tên “{username}”.")
        _, key = ApiToken.issue(user)
        self.stdout.write(key)
