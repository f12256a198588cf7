"""API tokens become DHIS2-style personal access tokens: a name, a scope (read-only or read and
write) and an expiry. Tokens issued before (by `manage.py api_token`, full access, no expiry)
keep read and write and expire 30 days after this migration, so their clients have time to move
to a token made on the account page."""

import datetime

from django.db import migrations, models
from django.utils import timezone


def existing_tokens(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + datetime.timedelta(days=30),
        scope="write",
        name="Khóa tạo bằng lệnh (trước khi có phạm vi và hạn dùng)",
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_email_notifications")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="name",
            field=models.CharField(default="", max_length=100, verbose_name="tên gợi nhớ"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Chỉ đọc"), ("write", "Đọc và ghi")],
                default="read",
                max_length=10,
                verbose_name="phạm vi",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="hết hạn"),
        ),
        migrations.RunPython(existing_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="hết hạn"),
        ),
    ]
