"""`manage.py check --deploy`: the GBV module's keys must exist before the first case is opened
(in production they are never generated; cases.crypto refuses to)."""

import os

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def gbv_keys(app_configs, **kwargs):
    errors = []
    if not os.environ.get("GBV_KEYS") and not settings.GBV_KEY_FILE.exists():
        errors.append(
            Error(
                f"No GBV encryption key: set GBV_KEYS or create {settings.GBV_KEY_FILE}.",
                hint="python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())' > the key file (mode 600)",
                id="cases.E001",
            )
        )
    if not os.environ.get("GBV_INDEX_KEY") and not settings.GBV_INDEX_KEY_FILE.exists():
        errors.append(
            Error(
                "No GBV matching key: set GBV_INDEX_KEY or create "
                f"{settings.GBV_INDEX_KEY_FILE} (a random key, never changed).",
                id="cases.E002",
            )
        )
    return errors
