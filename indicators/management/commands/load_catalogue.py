from django.core.management.base import BaseCommand

from indicators.services import load_catalogue


class Command(BaseCommand):
    help = (
        "Nạp mục tiêu Chiến lược quốc gia về bình đẳng giới 2021–2030, chỉ tiêu tính toán và "
        "chỉ tiêu thống kê quốc gia đã biết (chạy sau load_reporting; chạy lại không tạo trùng)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="ghi đè các dòng đã có bằng dữ liệu tham chiếu",
        )

    def handle(self, *args, refresh=False, **options):
        self.stdout.write(load_catalogue(refresh=refresh))
