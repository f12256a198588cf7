"""Rotate the GBV module's encryption key (cases.crypto).

A new key is put first in the key file and every encrypted value of every cases model is
re-encrypted with it in one transaction. With --drop-old, once every value is checked to open with
the new key alone, the old keys move to a dated file beside the key file (backups made before need
them) and the key file keeps only the new one. The matching digests have their own key
(cases.crypto) and do not change. Stop the web application while this runs (a value written with
an old key after the re-encryption would become unreadable with --drop-old) and restart it
afterwards: running processes keep the keys they read at start."""

import os

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Model, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from cases import crypto


def encrypted_fields() -> list[tuple[type[Model], str]]:
    """Every (model, field name) of the cases app stored encrypted: found, not listed by hand."""
    return [
        (model, name)
        for model in apps.get_app_config("cases").get_models()
        for name in crypto.secret_fields(model)
    ]


@transaction.atomic
def reencrypt() -> dict[str, int]:
    counts: dict[str, int] = {}
    for model, name in encrypted_fields():
        # The raw token: reading the field itself would decrypt it, writing it would encrypt.
        rows = model._default_manager.exclude(**{name: ""}).annotate(token=Cast(name, TextField()))
        count = 0
        for pk, token in list(rows.values_list("pk", "token")):
            try:
                rotated = crypto.rotate(token)
            except InvalidToken as error:
                raise CommandError(
                    f"{model._meta.label}.{name} (id {pk}) không giải mã được bằng các khóa hiện "
                    "có; không giá trị nào bị thay đổi."
                ) from error
            model._default_manager.filter(pk=pk).update(
                **{name: Value(rotated, output_field=TextField())}
            )
            count += 1
        counts[f"{model._meta.label_lower}.{name}"] = count
    return counts


def check_opens_with(key: str) -> None:
    """Every stored value opens with `key` alone, or CommandError (nothing is dropped)."""
    fernet = Fernet(key)
    for model, name in encrypted_fields():
        rows = model._default_manager.exclude(**{name: ""}).annotate(token=Cast(name, TextField()))
        for pk, token in rows.values_list("pk", "token").iterator():
            try:
                fernet.decrypt(token.encode())
            except InvalidToken as error:
                raise CommandError(
                    f"{model._meta.label}.{name} (id {pk}) chưa được mã hóa bằng khóa mới; "
                    "giữ nguyên các khóa cũ."
                ) from error


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
            check_opens_with(new)
            old_keys = crypto.read_keys()[1:]
            retired = crypto.key_file().with_name(
                f"{crypto.key_file().name}.retired-{timezone.now():%Y%m%d%H%M%S}"
            )
            retired.write_text("\n".join(old_keys) + "\n")
            retired.chmod(0o600)
            crypto.write_keys([new])
            crypto.reset_cache()
            self.stdout.write(
                f"Đã bỏ {len(old_keys)} khóa cũ khỏi tệp khóa; bản lưu để mở các bản sao lưu cũ: "
                f"{retired} (cất riêng, ngoài máy chủ)."
            )
        self.stdout.write("Hãy khởi động lại ứng dụng web để nạp khóa mới.")
