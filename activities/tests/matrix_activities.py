"""Activities and the Action Month × personas (see test_matrix.py). Counting into reports goes
through the reports app's prefill URLs (binhdang/tests/test_access_matrix.py)."""

import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from activities.models import ActivityFile


def png(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG (white pixels), made here: tests need a real image, not a name."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


READ = {
    "reporter": 200,
    "approver": 200,
    "outsider": 200,
    "commune_reporter": 200,
    "coordinator": 200,
    "leader": 200,
    "admin": 200,
    "case_worker": 403,
    "anonymous": 302,
}
# Sở Y tế's own record: its staff and the province-wide readers.
READ_OWN = {**READ, "outsider": 404, "commune_reporter": 404}
WRITE_NEW = {**READ, "leader": 403, "admin": 403}
COORDINATOR_ONLY = {p: 403 for p in READ} | {"coordinator": 200, "anonymous": 302}


def write_own(ok: int) -> dict:
    return {**READ_OWN, "reporter": ok, "approver": ok, "coordinator": ok} | {
        "leader": 403,
        "admin": 403,
    }


def _activity(w):
    return {"pk": w["activity"].pk}


def _file(w):
    upload = SimpleUploadedFile("anh.png", png(), content_type="image/png")
    evidence = ActivityFile(activity=w["activity"], uploaded_by=w["people"]["reporter"])
    evidence.store(upload, ("png", "image/png"))
    return {"pk": evidence.pk}


ROUTES = {
    "activities:list": {"expect": READ},
    "activities:export": {"expect": READ},
    "activities:new": {"expect": WRITE_NEW},
    "activities:activity": {"kwargs": _activity, "expect": READ_OWN},
    "activities:edit": {"kwargs": _activity, "expect": write_own(200)},
    "activities:delete": {"kwargs": _activity, "method": "post", "expect": write_own(302)},
    "activities:repeat": {
        "kwargs": _activity,
        "method": "post",
        "data": lambda w: {"first_on": "2025-11-27", "every_days": "7", "times": "2"},
        "expect": write_own(302),
    },
    "activities:file_new": {"kwargs": _activity, "method": "post", "expect": write_own(302)},
    "activities:file": {"kwargs": _file, "expect": READ_OWN},
    "activities:campaigns": {"expect": READ},
    "activities:campaign_new": {"expect": COORDINATOR_ONLY},
    "activities:campaign": {"kwargs": lambda w: {"pk": w["campaign"].pk}, "expect": READ},
    "activities:campaign_edit": {
        "kwargs": lambda w: {"pk": w["campaign"].pk},
        "expect": COORDINATOR_ONLY,
    },
    "activities:campaign_export": {
        "kwargs": lambda w: {"pk": w["campaign"].pk},
        "expect": READ,
    },
}
