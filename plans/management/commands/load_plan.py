from pathlib import Path

from django.core.management.base import BaseCommand

from plans.services import load_plan


class Command(BaseCommand):
    help = "Nạp kế hoạch từ tệp dữ liệu (mặc định: kế hoạch năm 2025); chạy lại không tạo trùng."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path)

    def handle(self, *args, path=None, **options):
        self.stdout.write(load_plan(path=path))
