"""Retention (security.md): personal data of cases closed longer than GBV_RETENTION_DAYS is blanked.

Every encrypted field of the case and of its incidents, follow-ups, referrals, services, stays and
break-glass grants is emptied; the survivor's identity and contact too, once all their cases are
closed and old (and their identity key, which could match them again). Every field that counts
(types, age bands, sex, dates, outcomes, the incidents' dedup keys) stays, so statistics do not
change. One audit event per case redacted, naming the fields, never a value. Running it again
changes nothing: a case with no personal data left is skipped.

Cron: `manage.py redact_closed_cases` daily; `--dry-run` prints what would be redacted."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.models import Action
from audit.services import MASK, record_event
from cases.crypto import secret_fields
from cases.models import (
    BreakGlass,
    Case,
    CaseStatus,
    Consent,
    FollowUp,
    Incident,
    Referral,
    ServiceRecord,
    Stay,
    Survivor,
)

# Where a case's personal data lives, and the path from each model to the case.
PARTS = [
    (Case, "pk"),
    (Consent, "case"),
    (Incident, "case"),
    (FollowUp, "case"),
    (Referral, "case"),
    (ServiceRecord, "case"),
    (Stay, "case"),
    (BreakGlass, "case"),
]


def _filled(names) -> Q:
    """Some of `names` not empty (an empty encrypted field is stored as '')."""
    query = Q()
    for name in names:
        query |= ~Q(**{name: ""})
    return query


def _blank(model, rows, names, **extra) -> dict:
    """Empty `names` in `rows` (no save(): nothing derived is recomputed); the audit changes."""
    found = [name for name in names if rows.filter(~Q(**{name: ""})).exists()]
    if hasattr(model, "version"):
        extra["version"] = F("version") + 1
    rows.update(**dict.fromkeys(names, ""), **extra)
    return {_key(model, name): [MASK, ""] for name in found}


def _key(model, name) -> str:
    """A case's own fields by name (the audit page labels them); others as "model — field"."""
    if model is Case:
        return name
    return f"{model._meta.verbose_name} — {model._meta.get_field(name).verbose_name}"


def redact(case, cutoff: datetime.datetime, now: datetime.datetime) -> dict:
    """Blank what is left of the case's personal data, and the survivor's once all their cases
    are closed before `cutoff`. Returns the audit changes (empty: nothing was left)."""
    changes: dict[str, list] = {}
    for model, path in PARTS:
        names = secret_fields(model)
        rows = model._default_manager.filter(**{path: case.pk}).filter(_filled(names))
        changes |= _blank(model, rows, names)
    if not Survivor.objects.filter(pk=case.survivor_id, cases__in=_kept(cutoff)).exists():
        names = secret_fields(Survivor)
        rows = Survivor.objects.filter(pk=case.survivor_id).filter(
            _filled(names) | ~Q(identity_key="") | Q(redacted_at__isnull=True)
        )
        if rows.exists():
            changes |= _blank(Survivor, rows, names, identity_key="", redacted_at=now)
            changes[_key(Survivor, "redacted_at")] = [None, now.isoformat()]
    return changes


def _kept(cutoff):
    return Case.objects.exclude(status=CaseStatus.CLOSED, closed_at__lt=cutoff)


class Command(BaseCommand):
    help = (
        "Xóa dữ liệu cá nhân của hồ sơ đã đóng quá thời hạn lưu trữ (giữ nguyên số liệu thống kê)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Số ngày kể từ khi đóng hồ sơ (mặc định GBV_RETENTION_DAYS).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đếm, không thay đổi gì.")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.GBV_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days phải là số ngày không âm.")
        now = timezone.now()
        cutoff = now - datetime.timedelta(days=days)
        cases = survivors = 0
        for case in Case.objects.filter(status=CaseStatus.CLOSED, closed_at__lt=cutoff):
            with transaction.atomic():
                changes = redact(case, cutoff, now)
                if changes:
                    record_event(actor=None, action=Action.UPDATE, obj=case, changes=changes)
                # A dry run does all of it, then rolls it back: its counts are the real run's.
                transaction.set_rollback(dry_run)
            cases += bool(changes)
            survivors += _key(Survivor, "redacted_at") in changes
        verb = "Sẽ xóa" if dry_run else "Đã xóa"
        self.stdout.write(
            f"{verb} dữ liệu cá nhân của {cases} hồ sơ và {survivors} nạn nhân "
            f"(hồ sơ đóng trước {timezone.localtime(cutoff):%d/%m/%Y})."
        )
