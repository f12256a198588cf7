"""Rotate the GBV module's encryption key (cases.crypto).

A new key is put first in the key file, every encrypted value of every cases model is re-encrypted
with it in one transaction, and with --drop-old the old keys are then removed and the blind indexes
(which derive from the oldest key) recomputed. Stop the web application while this runs (a value
written with an old key after the re-encryption would be lost with --drop-old) and restart it
afterwards: running processes keep the keys they read at start."""

import os

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import TextField, Value
from django.db.models.functions import Cast

from cases import crypto
from cases.models import Incident, Survivor


def encrypted_fields() -> list[tuple[type, str]]:
    """Every (model, field name) of the cases app stored encrypted: found, not listed by hand."""
    return [
        (model, field.name)
        for model in apps.get_app_config("cases").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, crypto.EncryptedTextField)
    ]


@transaction.atomic
def reencrypt() -> dict[str, int]:
    counts = {}
    for model, name in encrypted_fields():
        # The raw token: reading the field itself would decrypt it, writing it would encrypt.
        rows = model.objects.exclude(**{name: ""}).annotate(token=Cast(name, TextField()))
        count = 0
        for pk, token in list(rows.values_list("pk", "token")):
            try:
                rotated = crypto.rotate(token)
            except InvalidToken as error:
                raise CommandError(
                    f"{model._meta.label}.{name} (id {pk}) không giải mã được bằng các khóa hiện "
                    "có; không giá trị nào bị thay đổi."
                ) from error
            model.objects.filter(pk=pk).update(**{name: Value(rotated, output_field=TextField())})
            count += 1
        counts[f"{model._meta.label_lower}.{name}"] = count
    return counts


@transaction.atomic
def reindex() -> tuple[int, int]:
    """Matching keys of survivors, then of incidents (which use the survivor's)."""
    survivors = list(Survivor.objects.all())
    for survivor in survivors:
        survivor.save(update_fields=["identity_key"])
    incidents = list(Incident.objects.select_related("case__survivor"))
    for incident in incidents:
        incident.save(update_fields=["dedup_key"])
    return len(survivors), len(incidents)


class Command(BaseCommand):
    help = (
        "Tạo khóa mã hóa mới cho dữ liệu hỗ trợ nạn nhân và mã hóa lại mọi trường được mã hóa; "
        "--drop-old bỏ các khóa cũ sau đó."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--drop-old",
            action="store_true",
            help="Sau khi mã hóa lại, chỉ giữ khóa mới và tính lại chỉ mục đối chiếu.",
        )

    def handle(self, *args, drop_old, **options):
        if os.environ.get("GBV_KEYS"):
            raise CommandError(
                "Khóa đang được đặt bằng biến môi trường GBV_KEYS: lệnh này không sửa được môi "
                "trường. Người vận hành hãy thêm khóa mới vào đầu GBV_KEYS, khởi động lại, chạy "
                "mã hóa lại, rồi mới bỏ khóa cũ."
            )
        new = Fernet.generate_key().decode()
        crypto.write_keys([new, *crypto.read_keys()])
        crypto.reset_cache()
        counts = reencrypt()
        for field, count in counts.items():
            self.stdout.write(f"{field}: {count}")
        self.stdout.write(f"Đã mã hóa lại {sum(counts.values())} giá trị bằng khóa mới.")
        if drop_old:
            crypto.write_keys([new])
            crypto.reset_cache()
            survivors, incidents = reindex()
            self.stdout.write(
                f"Đã bỏ các khóa cũ; tính lại chỉ mục của {survivors} nạn nhân, "
                f"{incidents} vụ việc."
            )
        self.stdout.write("Hãy khởi động lại ứng dụng web để nạp khóa mới.")
