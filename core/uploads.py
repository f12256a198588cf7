"""Uploaded files are judged by their content, never by their name."""

import hashlib
import zipfile

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED = {"pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "png", "jpg", "gif", "webp"}
# Office Open XML files are ZIP archives; the part that names each kind, wherever it sits.
OFFICE_PARTS = {
    "word/document.xml": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xl/workbook.xml": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def _office_kind(upload) -> tuple[str, str] | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    finally:
        upload.seek(0)
    for part, kind in OFFICE_PARTS.items():
        if part in names:
            return kind
    return None


def check_upload(upload, max_bytes: int) -> tuple[str, str]:
    """(extension, MIME type) judged from the file's content, or a ValidationError."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("Tệp “%(name)s” quá lớn (tối đa %(mb)s MB)."),
            params={"name": upload.name, "mb": max_bytes // (1024 * 1024)},
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    found = (kind.extension, kind.mime) if kind else None
    if found and found[0] == "zip":
        # filetype only looks at the first entries; a real .docx may list others first.
        found = _office_kind(upload)
    if found is None or found[0] not in ALLOWED:
        raise ValidationError(
            _(
                "Tệp “%(name)s” không phải PDF, Word, Excel hoặc ảnh "
                "(hệ thống kiểm tra nội dung tệp, không chỉ phần đuôi)."
            ),
            params={"name": upload.name},
        )
    return found


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
