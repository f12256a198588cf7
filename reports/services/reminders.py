"""Reminders of reporting deadlines: before, on and after a unit's due date, and the coordinator's
"đôn đốc" (urge) of any units that have not submitted: a reminder before their due date, an urge
after it, at most once a day per unit.

Nothing goes out twice: each reminder is a Reminder row whose unique key (submission, kind,
days, sent_on) is inserted *before* anything is sent, so a second run on the same day, or a second
server running at the same moment, fails to insert it and sends nothing. On PostgreSQL the run
also takes an advisory lock so that only one server does the work at a time; the lock only saves
effort, the unique key is the guarantee.
"""

import datetime
import logging
import zlib
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User, staff_by_unit
from audit.models import Action
from audit.services import record_event
from core.notifications import TEXT_MAX, email_addresses, notify, recipient_list, site_link
from core.roles import Role

from ..models import EDITABLE, Reminder, ReminderKind, Round, Status, Submission

logger = logging.getLogger(__name__)

# Session-level PostgreSQL advisory lock key of the reminder job (any constant unique to it).
LOCK_KEY = zlib.crc32(b"binhdang.reports.send_reminders")


def submission_path(submission: Submission) -> str:
    return f"/reports/submissions/{submission.pk}/"


def _link(submission: Submission) -> str:
    # SITE_URL (e.g. https://binhdang.quangngai.gov.vn) makes the link clickable in mail;
    # without it the path is still given.
    return site_link(submission_path(submission))


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
    return staff_by_unit(unit_ids)


def _urge_words(days: int, names: dict) -> tuple[str, str]:
    """(headline, sentence) of the coordinator's urge: a reminder before the unit's due date,
    an urge after it."""
    if days > 0:
        return (
            _("Còn %(days)s ngày đến hạn: Sở Nội vụ nhắc nộp báo cáo") % names,
            _(
                "Sở Nội vụ nhắc đơn vị nộp báo cáo “%(round)s” trước hạn %(due)s "
                "(còn %(days)s ngày)."
            )
            % names,
        )
    if days == 0:
        return (
            _("Hôm nay là hạn: Sở Nội vụ đôn đốc nộp báo cáo"),
            _("Sở Nội vụ đôn đốc đơn vị nộp báo cáo “%(round)s”: hôm nay là hạn nộp.") % names,
        )
    return (
        _("Đôn đốc nộp báo cáo quá hạn"),
        _("Sở Nội vụ đôn đốc đơn vị nộp báo cáo “%(round)s”, đã quá hạn %(days)s ngày.") % names,
    )


def _message(
    submission: Submission, kind: str, today: datetime.date, note: str = ""
) -> tuple[str, str, str]:
    """Vietnamese (subject, body, one-line notification) of a reminder; `note` is the
    coordinator's own words added to an urge."""
    round_, unit = submission.round, submission.unit
    due = f"{submission.due_on:%d/%m/%Y}"
    days = (submission.due_on - today).days
    names = {"round": round_.name, "days": abs(days), "due": due}
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
        headline, sentence = _urge_words(days, names)
    subject = _("[Bình đẳng giới] %(headline)s: %(round)s — %(unit)s") % {
        "headline": headline,
        "round": round_.name,
        "unit": unit.name,
    }
    lines = [_("Kính gửi: %(unit)s,") % {"unit": unit.name}, "", sentence, ""]
    if note:
        lines += [_("Lời nhắn của Sở Nội vụ: %(note)s") % {"note": note}, ""]
    lines += [
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
    if note:  # the in-app notice is complete too: not everyone takes e-mail
        notification += " " + _("Lời nhắn của Sở Nội vụ: %(note)s") % {"note": note}
    return subject, "\n".join(lines), notification[:TEXT_MAX]


def _deliver(
    submission, kind, days, *, today, staff, mail_connection, sent_by=None, note=""
) -> bool:
    """Record the reminder, then mail and notify, inside the caller's transaction.

    False when it exists already (sent earlier today, or by a concurrent run): nothing is sent.
    A mail failure raises, so the caller's transaction drops the row and a later run retries.
    One mail per unit, to those of its staff who take e-mail (core.notifications.email_addresses);
    every one of them gets the in-app notification.
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
                recipients=recipient_list(staff),
            )
    except IntegrityError:
        return False
    subject, body, text = _message(submission, kind, today, note)
    emails = email_addresses(staff)
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
                report.emails += bool(email_addresses(unit_staff))
                report.notifications += len(unit_staff)
                report.without_recipients += not unit_staff
    return report


# --- the coordinator's urge -------------------------------------------------------------------


def urge_refusal(round_: Round, today: datetime.date | None = None) -> str | None:
    """Why nobody of the round can be urged now (Vietnamese), or None."""
    today = today or timezone.localdate()
    if round_.is_locked(today):
        return _(
            "Đợt báo cáo đã khóa sổ ngày %(day)s: đơn vị không còn nhập, nộp được báo cáo nên "
            "không đôn đốc được nữa."
        ) % {"day": f"{round_.lock_on:%d/%m/%Y}"}
    if today < round_.opens_on:
        return _("Đợt báo cáo chưa mở (đơn vị nhập từ ngày %(day)s): chưa đôn đốc được.") % {
            "day": f"{round_.opens_on:%d/%m/%Y}"
        }
    return None


def urged_on(submissions, day: datetime.date) -> set[int]:
    """Ids of those of `submissions` the coordinator urged on `day`: the once-a-day rule (the
    unique key of Reminder is its guarantee; this only tells in advance)."""
    return set(
        Reminder.objects.filter(
            submission__in=submissions, kind=ReminderKind.URGE, sent_on=day
        ).values_list("submission_id", flat=True)
    )


@dataclass
class UrgeTarget:
    """One unit an urge goes to: its report, its staff (notified in the system) and the
    addresses of those of them who take e-mail."""

    submission: Submission
    staff: list
    emails: list[str]


@dataclass
class UrgePlan:
    """What an urge would do, unit by unit: shown before sending (`plan_urge`)."""

    today: datetime.date
    send: list[UrgeTarget] = field(default_factory=list)  # to urge now
    already: list = field(default_factory=list)  # urged today already: not again
    submitted: list = field(default_factory=list)  # submitted meanwhile: nothing to urge
    failed: list = field(default_factory=list)  # the mail server refused: not recorded, retry
    sample: tuple[str, str, str] | None = None  # (subject, body, notification) of the first

    @property
    def emails(self) -> int:
        return sum(len(target.emails) for target in self.send)

    @property
    def people(self) -> int:
        return sum(len(target.staff) for target in self.send)

    @property
    def without_recipients(self) -> list:
        return [target.submission for target in self.send if not target.staff]


def plan_urge(*, round_: Round, submissions, note: str = "", today=None) -> UrgePlan:
    """Who an urge of `submissions` (of `round_`) would reach today and with what message."""
    today = today or timezone.localdate()
    chosen = list(
        Submission.objects.for_round(round_)
        .filter(pk__in=[s.pk for s in submissions])
        .select_related("round", "unit")
    )
    chosen.sort(key=lambda s: s.unit.sort_key)
    pending = {s.pk for s in Submission.objects.filter(pk__in=[s.pk for s in chosen]).urgeable()}
    done = urged_on(chosen, today)
    staff = _staff_by_unit(s.unit_id for s in chosen)
    plan = UrgePlan(today=today)
    for submission in chosen:
        if submission.pk not in pending:
            plan.submitted.append(submission)
        elif submission.pk in done:
            plan.already.append(submission)
        else:
            people = staff.get(submission.unit_id, [])
            plan.send.append(UrgeTarget(submission, people, email_addresses(people)))
    if plan.send:
        with translation.override(settings.LANGUAGE_CODE):
            plan.sample = _message(plan.send[0].submission, ReminderKind.URGE, today, note)
    return plan


def _names(submissions) -> str:
    return ", ".join(s.unit.name for s in submissions)


def urge_units(*, round_: Round, submissions, actor, note: str = "", request=None) -> UrgePlan:
    """Urge (đôn đốc) the chosen units of the round that have not submitted: mail their staff
    who take e-mail and notify every one of them in the system, at most once per unit and day;
    before a unit's due date the message reminds, after it it urges. Returns what was done
    (`send`: the units urged now). ValidationError when nothing can be sent.

    Each unit is recorded and told in a short transaction of its own (no write lock held while
    a hundred mails go out), committed once its mail is out."""
    if actor.role != Role.COORDINATOR:
        raise PermissionDenied
    today = timezone.localdate()
    refusal = urge_refusal(round_, today)
    if refusal:
        raise ValidationError(refusal)
    note = note.strip()
    plan = plan_urge(round_=round_, submissions=submissions, note=note, today=today)
    if not plan.send:
        raise ValidationError(_nothing_to_send(plan))
    sent = []
    with translation.override(settings.LANGUAGE_CODE), mail.get_connection() as mail_connection:
        for target in plan.send:
            submission = target.submission
            try:
                with transaction.atomic():
                    delivered = _deliver(
                        submission,
                        ReminderKind.URGE,
                        0,
                        today=today,
                        staff=target.staff,
                        mail_connection=mail_connection,
                        sent_by=actor,
                        note=note,
                    )
            except OSError:  # smtplib.SMTPException included
                logger.exception("urging %s failed", submission)
                plan.failed.append(submission)
                continue
            if delivered:
                sent.append(target)
            else:  # urged by someone else meanwhile
                plan.already.append(submission)
    plan.send = sent
    if not sent:
        raise ValidationError(_nothing_to_send(plan))
    record_event(
        actor=actor,
        action=Action.CREATE,
        obj=round_,
        request=request,
        label=_("Đôn đốc %(count)s đơn vị nộp báo cáo: %(round)s")
        % {"count": len(sent), "round": round_.name},
        changes={
            "urged": [None, [target.submission.unit.code for target in sent]],
            **({"note": [None, note]} if note else {}),
        },
    )
    return plan


def _nothing_to_send(plan: UrgePlan) -> str:
    if plan.failed:
        return _(
            "Không gửi được: máy chủ thư báo lỗi (%(units)s). Chưa ghi nhận lần đôn đốc nào; "
            "hãy thử lại sau."
        ) % {"units": _names(plan.failed)}
    if plan.already:
        return _(
            "Không gửi: các đơn vị đã chọn đều đã được đôn đốc hôm nay (%(units)s). Mỗi đơn vị "
            "chỉ được đôn đốc một lần một ngày; có thể đôn đốc lại từ ngày mai."
        ) % {"units": _names(plan.already)}
    if plan.submitted:
        return _("Không gửi: các đơn vị đã chọn đều đã nộp báo cáo.")
    return _("Hãy chọn ít nhất một đơn vị chưa nộp báo cáo.")


def urge_history(round_: Round, *, include_automatic: bool = False):
    """Who was urged when, newest first; with `include_automatic` the scheduled reminders too."""
    reminders = Reminder.objects.filter(submission__round=round_)
    if not include_automatic:
        reminders = reminders.filter(kind=ReminderKind.URGE)
    return reminders.select_related("submission__unit", "sent_by").order_by("-sent_at", "-pk")
