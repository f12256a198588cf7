"""Encryption at rest of the GBV module's identity, contact, location and narrative fields.

Fernet (AES-128-CBC + HMAC-SHA256: authenticated) with a list of keys kept outside the database:
the environment variable GBV_KEYS (comma-separated, newest first) or the key file GBV_KEY_FILE.
The newest key encrypts; every key decrypts, so `rotate_gbv_key` can add a key, re-encrypt every
field and then drop the old one. Matching digests (`blind_index`) use a separate key that is never
rotated: GBV_INDEX_KEY or the file GBV_INDEX_KEY_FILE.
"""

import hashlib
import hmac
import os
import unicodedata
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "gAAAAA"  # every Fernet token starts so (version byte + timestamp)


def key_file():
    return settings.GBV_KEY_FILE


def read_keys() -> list[str]:
    if env := os.environ.get("GBV_KEYS"):
        return [k.strip() for k in env.split(",") if k.strip()]
    path = key_file()
    if not path.exists():
        if settings.HTTPS:
            raise ImproperlyConfigured("GBV_KEYS or GBV_KEY_FILE must be set in production.")
        write_keys([Fernet.generate_key().decode()])
    return [k.strip() for k in path.read_text().split() if k.strip()]


def write_keys(keys: list[str]) -> None:
    write_key_file(key_file(), keys)


def write_key_file(path, keys: list[str]) -> None:
    """Keys one per line, readable by the owner only, replaced whole (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(keys) + "\n")
    tmp.chmod(0o600)
    tmp.replace(path)


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in read_keys()])


def reset_cache() -> None:
    _fernet.cache_clear()
    _index_key.cache_clear()


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A GBV field cannot be decrypted with the keys given."
        ) from error


def rotate(token: str) -> str:
    return _fernet().rotate(token.encode()).decode()


@cache
def _index_key() -> bytes:
    """The key of the matching digests: its own, never rotated (GBV_INDEX_KEY or the file
    GBV_INDEX_KEY_FILE), so matching survives key rotation and redaction."""
    if env := os.environ.get("GBV_INDEX_KEY"):
        return env.encode()
    path = settings.GBV_INDEX_KEY_FILE
    if not path.exists():
        if settings.HTTPS:
            raise ImproperlyConfigured("GBV_INDEX_KEY or GBV_INDEX_KEY_FILE must be set.")
        write_key_file(path, [Fernet.generate_key().decode()])
    return path.read_text().strip().encode()


def blind_index(*parts: str) -> str:
    """A keyed digest of normalised identity parts: equal people match across agencies without
    anyone reading the other's record. Empty when any part is missing."""
    cleaned = [" ".join(unicodedata.normalize("NFC", p).casefold().split()) for p in parts]
    if not all(cleaned):
        return ""
    return hmac.new(_index_key(), "|".join(cleaned).encode(), hashlib.sha256).hexdigest()


def secret_fields(model) -> list[str]:
    """Names of the model's encrypted fields: found, never listed by hand."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


class EncryptedTextField(models.TextField):
    """Plain text in Python, a Fernet token in the database ('' stays '')."""

    never_audited = True  # audit.services.masked: the log records that it changed, never what

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
