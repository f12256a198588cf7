from django.core.management.base import BaseCommand

from orgs.services import load_reference_units


class Command(BaseCommand):
    help = (
        "Nạp (hoặc làm mới) đơn vị hành chính, cơ quan và liên kết kế thừa từ dữ liệu tham chiếu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Ghi đè tên, loại, hiệu lực của đơn vị đã có bằng dữ liệu tham chiếu.",
        )

    def handle(self, *args, refresh=False, **options):
        self.stdout.write(str(load_reference_units(refresh=refresh)))
