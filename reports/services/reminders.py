"""Reminders of reporting deadlines: before, on and after a unit's due date, and the coordinator's
"đôn đốc" (urge) of late units.

Nothing goes out twice: each reminder is a Reminder row whose unique key (submission, kind,
days, sent_on) is inserted *before* anything is sent, so a second run on the same day, or a second
server running at the same moment, fails to insert it and sends nothing. On PostgreSQL the run
also takes an advisory lock so that only one server does the work at a time; the lock only saves
effort, the unique key is the guarantee.
"""

import datetime
import logging
import zlib
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import record_event
from core.notifications import notify
from core.roles import UNIT_STAFF, Role

from ..models import EDITABLE, Reminder, ReminderKind, Round, Status, Submission

logger = logging.getLogger(__name__)

# Session-level PostgreSQL advisory lock key of the reminder job (any constant unique to it).
LOCK_KEY = zlib.crc32(b"binhdang.reports.send_reminders")


def submission_path(submission: Submission) -> str:
    return f"/reports/submissions/{submission.pk}/"


def _link(submission: Submission) -> str:
    # SITE_URL (e.g. https://binhdang.quangngai.gov.vn) makes the link clickable in mail;
    # without it the path is still given.
    return getattr(settings, "SITE_URL", "").rstrip("/") + submission_path(submission)


# --- which reminders are due ------------------------------------------------------------------


def _offsets() -> dict[int, str]:
    """Days relative to the due date (negative = before) → reminder kind."""
    offsets: dict[int, str] = {
        -abs(d): ReminderKind.BEFORE for d in settings.REMINDER_DAYS_BEFORE if d
    }
    offsets.update({abs(d): ReminderKind.AFTER for d in settings.REMINDER_DAYS_AFTER if d})
    offsets[0] = ReminderKind.DUE
    return offsets


def due_reminders(today: datetime.date) -> list[tuple[Submission, str, int]]:
    """(submission, kind, days) of every reminder due on `today`, in one query.

    `days` is signed, relative to the unit's own (possibly extended) due date: -3 is three days
    before it, 0 the day itself, 2 two days late. Only reports not submitted yet (draft or
    returned) of rounds open on `today` and not past their lock date are reminded: after the
    lock date the unit can no longer enter anything.
    """
    offsets = _offsets()
    submissions = (
        Submission.objects.filter(
            status__in=EDITABLE,
            round__opens_on__lte=today,
            round__lock_on__gte=today,
            due_on__in=[today - datetime.timedelta(days=days) for days in offsets],
        )
        .select_related("round", "unit")
        .order_by("round__due_on", "round_id", "unit__code")
    )
    due = []
    for submission in submissions:
        days = (today - submission.due_on).days
        due.append((submission, offsets[days], days))
    return due


# --- delivery ---------------------------------------------------------------------------------


def _staff_by_unit(unit_ids) -> dict[int, list[User]]:
    """Active reporters and approvers of the given units, in one query."""
    staff: defaultdict[int, list[User]] = defaultdict(list)
    users = User.objects.filter(is_active=True, role__in=UNIT_STAFF, unit_id__in=set(unit_ids))
    for user in users.order_by("username"):
        if user.unit_id is not None:  # the filter on unit_id leaves none without one
            staff[user.unit_id].append(user)
    return staff


def _message(submission: Submission, kind: str, today: datetime.date) -> tuple[str, str, str]:
    """Vietnamese (subject, body, one-line notification) of a reminder."""
    round_, unit = submission.round, submission.unit
    due = f"{submission.due_on:%d/%m/%Y}"
    days = (submission.due_on - today).days
    names = {"round": round_.name, "days": abs(days)}
    if kind == ReminderKind.BEFORE:
        headline = _("Còn %(days)s ngày đến hạn nộp báo cáo") % names
        sentence = _("Còn %(days)s ngày đến hạn nộp báo cáo “%(round)s”.") % names
    elif kind == ReminderKind.DUE:
        headline = _("Hôm nay là hạn nộp báo cáo")
        sentence = _("Hôm nay là hạn nộp báo cáo “%(round)s”.") % names
    elif kind == ReminderKind.AFTER:
        headline = _("Báo cáo đã quá hạn %(days)s ngày") % names
        sentence = _("Báo cáo “%(round)s” của đơn vị đã quá hạn %(days)s ngày.") % names
    else:
        headline = _("Đôn đốc nộp báo cáo quá hạn")
        sentence = (
            _("Sở Nội vụ đôn đốc đơn vị nộp báo cáo “%(round)s”, đã quá hạn %(days)s ngày.") % names
        )
    subject = _("[Bình đẳng giới] %(headline)s: %(round)s — %(unit)s") % {
        "headline": headline,
        "round": round_.name,
        "unit": unit.name,
    }
    lines = [
        _("Kính gửi: %(unit)s,") % {"unit": unit.name},
        "",
        sentence,
        "",
        _("Đợt báo cáo: %(round)s (mã %(code)s)") % {"round": round_.name, "code": round_.code},
        _("Đơn vị: %(unit)s") % {"unit": unit.name},
        _("Hạn nộp của đơn vị: %(due)s") % {"due": due},
        _("Khóa sổ: %(lock)s") % {"lock": f"{round_.lock_on:%d/%m/%Y}"},
        _("Trạng thái: %(status)s") % {"status": submission.get_status_display()},
    ]
    if submission.status == Status.RETURNED and submission.review_comment:
        lines.append(
            _("Ý kiến của Sở Nội vụ: %(comment)s") % {"comment": submission.review_comment}
        )
    lines += [
        "",
        _("Nhập và nộp báo cáo tại: %(link)s") % {"link": _link(submission)},
        "",
        _("Thư này do hệ thống quản lý công tác bình đẳng giới gửi tự động, xin không trả lời."),
    ]
    notification = _("%(headline)s: %(round)s — hạn %(due)s.") % {
        "headline": headline,
        "round": round_.name,
        "due": due,
    }
    return subject, "\n".join(lines), notification[:500]


def _recipients(staff: list[User]) -> list[dict]:
    return [{"user_id": u.pk, "name": str(u), "email": u.email} for u in staff]


def _deliver(submission, kind, days, *, today, staff, mail_connection, sent_by=None) -> bool:
    """Record the reminder, then mail and notify, inside the caller's transaction.

    False when it exists already (sent earlier today, or by a concurrent run): nothing is sent.
    A mail failure raises, so the caller's transaction drops the row and a later run retries.
    """
    try:
        # A savepoint: on PostgreSQL a failed INSERT would otherwise abort the whole transaction.
        with transaction.atomic():
            Reminder.objects.create(
                submission=submission,
                kind=kind,
                days=days,
                sent_on=today,
                sent_by=sent_by,
                recipients=_recipients(staff),
            )
    except IntegrityError:
        return False
    subject, body, text = _message(submission, kind, today)
    emails = [u.email for u in staff if u.email]
    if emails:
        mail.EmailMessage(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            emails,
            connection=mail_connection,
        ).send()
    notify(staff, text=text, url=submission_path(submission))
    return True


@dataclass
class ReminderReport:
    """What one run did; str() is the Vietnamese summary printed by the command."""

    today: datetime.date
    sent: int = 0
    already_sent: int = 0
    failed: int = 0
    emails: int = 0
    notifications: int = 0
    without_recipients: int = 0
    locked_out: bool = False
    by_kind: Counter = field(default_factory=Counter)

    def __str__(self) -> str:
        day = f"{self.today:%d/%m/%Y}"
        if self.locked_out:
            return _("Ngày %(day)s: máy chủ khác đang gửi nhắc hạn, lần chạy này bỏ qua.") % {
                "day": day
            }
        kinds = ", ".join(
            f"{ReminderKind(kind).label.lower()}: {count}"
            for kind, count in sorted(self.by_kind.items())
        )
        text = _(
            "Ngày %(day)s: đã gửi %(sent)s lần nhắc (%(emails)s thư, %(notes)s thông báo), "
            "%(already)s lần đã gửi trước đó, %(failed)s lần gửi lỗi."
        ) % {
            "day": day,
            "sent": self.sent,
            "emails": self.emails,
            "notes": self.notifications,
            "already": self.already_sent,
            "failed": self.failed,
        }
        if kinds:
            text += " " + _("Theo loại: %(kinds)s.") % {"kinds": kinds}
        if self.without_recipients:
            text += " " + _("%(count)s đơn vị chưa có tài khoản nhận nhắc.") % {
                "count": self.without_recipients
            }
        return text


@contextmanager
def _job_lock():
    """True when this process may run the job. PostgreSQL: a session advisory lock, taken
    without waiting (another server is doing the work); SQLite has a single writer anyway."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        obtained = cursor.fetchone()[0]
    try:
        yield obtained
    finally:
        if obtained:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
            except DatabaseError:
                # The session ends with the connection, and its advisory locks with it.
                logger.exception("could not release the reminder lock; closing the connection")
                connection.close()


def send_reminders(today: datetime.date | None = None) -> ReminderReport:
    """Send every reminder due on `today` (default: the local date) that was not sent yet."""
    today = today or timezone.localdate()
    report = ReminderReport(today=today)
    with translation.override(settings.LANGUAGE_CODE), _job_lock() as obtained:
        if not obtained:
            report.locked_out = True
            return report
        due = due_reminders(today)
        if not due:
            return report
        # Already recorded: counted without trying (the insert would fail anyway).
        done = set(
            Reminder.objects.filter(
                sent_on=today, submission__in=[s for s, _kind, _days in due]
            ).values_list("submission_id", "kind", "days")
        )
        staff = _staff_by_unit(s.unit_id for s, _kind, _days in due)
        with mail.get_connection() as mail_connection:
            for submission, kind, days in due:
                if (submission.pk, kind, days) in done:
                    report.already_sent += 1
                    continue
                unit_staff = staff.get(submission.unit_id, [])
                try:
                    with transaction.atomic():
                        delivered = _deliver(
                            submission,
                            kind,
                            days,
                            today=today,
                            staff=unit_staff,
                            mail_connection=mail_connection,
                        )
                except OSError:  # smtplib.SMTPException included
                    logger.exception("reminder %s %s to %s failed", kind, days, submission)
                    report.failed += 1
                    continue
                if not delivered:
                    report.already_sent += 1
                    continue
                report.sent += 1
                report.by_kind[kind] += 1
                report.emails += any(u.email for u in unit_staff)
                report.notifications += len(unit_staff)
                report.without_recipients += not unit_staff
    return report


# --- the coordinator's urge -------------------------------------------------------------------


@transaction.atomic
def urge_late_units(*, round_: Round, actor, request=None) -> int:
    """Urge (đôn đốc) every unit of the round whose report is late: mail and notify its staff,
    at most once per unit and day. Returns how many units were urged now."""
    if actor.role != Role.COORDINATOR:
        raise PermissionDenied
    today = timezone.localdate()
    if round_.is_locked(today):
        raise ValidationError(_("Đợt báo cáo đã khóa sổ, đơn vị không còn nộp được báo cáo."))
    late = list(
        Submission.objects.for_round(round_)
        .late(today)
        .select_related("round", "unit")
        .order_by("unit__code")
    )
    if not late:
        return 0
    staff = _staff_by_unit(s.unit_id for s in late)
    urged = []
    with translation.override(settings.LANGUAGE_CODE), mail.get_connection() as mail_connection:
        for submission in late:
            try:
                with transaction.atomic():
                    if _deliver(
                        submission,
                        ReminderKind.URGE,
                        0,
                        today=today,
                        staff=staff.get(submission.unit_id, []),
                        mail_connection=mail_connection,
                        sent_by=actor,
                    ):
                        urged.append(submission.unit.code)
            except OSError:
                logger.exception("urging %s failed", submission)
    if urged:
        record_event(
            actor=actor,
            action=Action.CREATE,
            obj=round_,
            request=request,
            label=_("Đôn đốc %(count)s đơn vị nộp báo cáo: %(round)s")
            % {"count": len(urged), "round": round_.name},
            changes={"urged": [None, urged]},
        )
    return len(urged)


def urge_history(round_: Round, *, include_automatic: bool = False):
    """Who was urged when, newest first; with `include_automatic` the scheduled reminders too."""
    reminders = Reminder.objects.filter(submission__round=round_)
    if not include_automatic:
        reminders = reminders.filter(kind=ReminderKind.URGE)
    return reminders.select_related("submission__unit", "sent_by").order_by("-sent_at", "-pk")
