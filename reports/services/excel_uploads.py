"""An uploaded workbook kept between the Excel import's dry run and its confirm step: the confirm
re-reads the very bytes that were checked, kept under MEDIA_ROOT/imports/ behind a random token
bound to the user and the submission, for an hour, and consumed by the confirm."""

import hashlib
import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from ..models import Submission

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
TOKEN_SECONDS = 3600


def _imports_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    cutoff = time.time() - 24 * 3600
    for old in folder.iterdir():  # files of dry runs never confirmed
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return folder


def keep(*, actor, submission: Submission, data: bytes) -> str:
    """Keep the checked bytes; the token the confirm step posts back."""
    token = secrets.token_urlsafe(32)
    folder = _imports_dir()
    (folder / f"{token}.xlsx").write_bytes(data)
    meta = {
        "user": actor.pk,
        "submission": submission.pk,
        "sha256": hashlib.sha256(data).hexdigest(),
        "at": time.time(),
    }
    (folder / f"{token}.json").write_text(json.dumps(meta))
    return token


def take(*, actor, submission: Submission, token: str) -> bytes | None:
    """The kept bytes if the token is this user's, for this submission, and fresh; consumed."""
    if not TOKEN.fullmatch(token):
        return None
    folder = Path(settings.MEDIA_ROOT) / "imports"
    data_path, meta_path = folder / f"{token}.xlsx", folder / f"{token}.json"
    try:
        meta = json.loads(meta_path.read_text())
        data = data_path.read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user") != actor.pk or meta.get("submission") != submission.pk:
        return None
    data_path.unlink(missing_ok=True)
    meta_path.unlink(missing_ok=True)
    fresh = time.time() - float(meta.get("at", 0)) < TOKEN_SECONDS
    if not fresh or hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        return None
    return data
