from pathlib import Path

from django.core.management.base import BaseCommand

from reports.services.reference import load_reporting


class Command(BaseCommand):
    help = "Nạp danh mục chỉ tiêu, biểu mẫu và đợt báo cáo năm 2025 (chạy lại không tạo trùng)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path)

    def handle(self, *args, path=None, **options):
        self.stdout.write(load_reporting(path=path))
