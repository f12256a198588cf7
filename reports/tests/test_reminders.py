import contextlib
import datetime
import io
import smtplib
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from audit.models import Event
from conftest import make_user
from core.models import Notification
from core.roles import Role
from orgs.models import Unit
from reports.models import (
    Form,
    Reminder,
    ReminderKind,
    Round,
    RoundKind,
    Status,
    Submission,
)
from reports.services import reminders
from reports.services.reminders import due_reminders, send_reminders, urge_history, urge_units
from reports.services.submissions import create_round

DAY = datetime.timedelta(days=1)
DUE = datetime.date(2026, 6, 10)  # the 2025 rounds loaded for the session are locked by then
AGENCIES = 13


def open_round(*, due_on=DUE, opens_on=None, lock_on=None, code="THU-NHAC") -> Round:
    """An ad-hoc round for the province's 13 agencies."""
    return create_round(
        actor=None,
        code=code,
        name="Báo cáo thử nhắc hạn",
        form=Form.objects.filter(code="BDG_NAM").order_by("version").first(),
        kind=RoundKind.ADHOC,
        period="2026",
        window_start=due_on - 60 * DAY,
        window_end=due_on - 10 * DAY,
        opens_on=opens_on or due_on - 30 * DAY,
        due_on=due_on,
        lock_on=lock_on or due_on + 10 * DAY,
        unit_kinds=["agency"],
        scope=Unit.objects.get(code="51"),
    )


@pytest.fixture
def round_(db):
    return open_round()


@pytest.fixture
def staff(db):
    """Who a unit's reminders go to: its active reporters and approvers only."""
    return {
        "syt_reporter": make_user("syt.baocao", Role.REPORTER, "SYT", email="baocao@syt.gov.vn"),
        "syt_approver": make_user("syt.duyet", Role.APPROVER, "SYT", email="duyet@syt.gov.vn"),
        "syt_no_email": make_user("syt.khong", Role.REPORTER, "SYT"),
        "syt_inactive": make_user(
            "syt.nghi", Role.REPORTER, "SYT", email="nghi@syt.gov.vn", is_active=False
        ),
        "syt_case_worker": make_user(
            "syt.hotro", Role.CASE_WORKER, "SYT", email="hotro@syt.gov.vn"
        ),
        "cat_reporter": make_user("cat.baocao", Role.REPORTER, "CAT", email="baocao@cat.gov.vn"),
        "coordinator": make_user("coordinator", Role.COORDINATOR, "SNV", email="snv@gov.vn"),
    }


def by_unit(today, round_):
    return {
        s.unit.code: (kind, days)
        for s, kind, days in due_reminders(today)
        if s.round_id == round_.pk
    }


def submission(round_, unit_code) -> Submission:
    return round_.submissions.get(unit__code=unit_code)


# --- the schedule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "offset, expected",
    [
        (-8, None),
        (-7, (ReminderKind.BEFORE, -7)),
        (-4, None),
        (-3, (ReminderKind.BEFORE, -3)),
        (-1, (ReminderKind.BEFORE, -1)),
        (0, (ReminderKind.DUE, 0)),
        (1, (ReminderKind.AFTER, 1)),
        (2, None),
        (3, (ReminderKind.AFTER, 3)),
        (7, (ReminderKind.AFTER, 7)),
        (8, None),
    ],
)
def test_before_on_and_after_the_due_date(round_, offset, expected):
    due = by_unit(DUE + offset * DAY, round_)
    if expected is None:
        assert due == {}
    else:
        assert len(due) == AGENCIES
        assert set(due.values()) == {expected}


def test_the_days_come_from_settings(round_, settings):
    settings.REMINDER_DAYS_BEFORE = [10]
    settings.REMINDER_DAYS_AFTER = [2]
    assert set(by_unit(DUE - 10 * DAY, round_).values()) == {(ReminderKind.BEFORE, -10)}
    assert by_unit(DUE - 3 * DAY, round_) == {}
    assert set(by_unit(DUE + 2 * DAY, round_).values()) == {(ReminderKind.AFTER, 2)}


def test_nothing_before_the_round_opens_or_after_it_locks(db):
    round_ = open_round(opens_on=DUE - 2 * DAY, lock_on=DUE + 5 * DAY)
    assert by_unit(DUE - 3 * DAY, round_) == {}
    assert len(by_unit(DUE - DAY, round_)) == AGENCIES
    assert len(by_unit(DUE + 3 * DAY, round_)) == AGENCIES
    assert by_unit(DUE + 7 * DAY, round_) == {}


def test_only_units_that_have_not_submitted_are_reminded(round_):
    round_.submissions.filter(unit__code="SYT").update(status=Status.SUBMITTED)
    round_.submissions.filter(unit__code="CAT").update(status=Status.ACCEPTED)
    round_.submissions.filter(unit__code="SNV").update(status=Status.RETURNED)
    for offset in (-7, -3, -1, 0, 1, 3, 7):
        due = by_unit(DUE + offset * DAY, round_)
        assert len(due) == AGENCIES - 2
        assert "SYT" not in due and "CAT" not in due and "SNV" in due


def test_an_extended_due_date_shifts_that_units_reminders(round_):
    round_.submissions.filter(unit__code="SYT").update(
        due_on=DUE + 5 * DAY, extension_reason="Chờ số liệu của bệnh viện"
    )
    on_due_day = by_unit(DUE, round_)
    assert "SYT" not in on_due_day and len(on_due_day) == AGENCIES - 1
    assert by_unit(DUE + 2 * DAY, round_) == {"SYT": (ReminderKind.BEFORE, -3)}
    assert by_unit(DUE + 5 * DAY, round_) == {"SYT": (ReminderKind.DUE, 0)}
    assert "SYT" not in by_unit(DUE + DAY, round_)


def test_due_reminders_is_one_query(round_, django_assert_num_queries):
    with django_assert_num_queries(1):
        due = due_reminders(DUE)
        assert [s.round.code for s, _k, _d in due] == [round_.code] * AGENCIES
        assert all(s.unit.name for s, _k, _d in due)


# --- sending ----------------------------------------------------------------------------------


def test_running_twice_the_same_day_sends_each_reminder_once(round_, staff, mailoutbox):
    today = DUE - 3 * DAY
    first = send_reminders(today=today)
    assert (first.sent, first.already_sent, first.failed) == (AGENCIES, 0, 0)
    # Only Sở Y tế and Công an tỉnh have accounts: one mail each; everyone active is notified.
    assert (first.emails, first.notifications, first.without_recipients) == (2, 4, AGENCIES - 2)
    assert len(mailoutbox) == 2
    assert Reminder.objects.filter(submission__round=round_).count() == AGENCIES
    assert Notification.objects.count() == 4

    second = send_reminders(today=today)
    assert (second.sent, second.already_sent, second.emails) == (0, AGENCIES, 0)
    assert "0 lần nhắc" in str(second) and f"{AGENCIES} lần đã gửi trước đó" in str(second)
    assert len(mailoutbox) == 2
    assert Reminder.objects.filter(submission__round=round_).count() == AGENCIES
    assert Notification.objects.count() == 4

    # The next reminder day is a new reminder.
    assert send_reminders(today=DUE - DAY).sent == AGENCIES
    assert len(mailoutbox) == 4


def test_the_mail_names_the_round_the_unit_the_due_date_and_the_link(round_, staff, mailoutbox):
    send_reminders(today=DUE - 3 * DAY)
    syt = submission(round_, "SYT")
    (message,) = [m for m in mailoutbox if "Sở Y tế" in m.subject]
    assert message.subject == (
        "[Bình đẳng giới] Còn 3 ngày đến hạn nộp báo cáo: Báo cáo thử nhắc hạn — Sở Y tế"
    )
    assert sorted(message.to) == ["baocao@syt.gov.vn", "duyet@syt.gov.vn"]
    assert "Hạn nộp của đơn vị: 10/06/2026" in message.body
    assert "Đơn vị: Sở Y tế" in message.body
    assert f"/reports/submissions/{syt.pk}/" in message.body

    reminder = syt.reminders.get()
    assert (reminder.kind, reminder.days, reminder.sent_on) == (
        ReminderKind.BEFORE,
        -3,
        DUE - 3 * DAY,
    )
    assert sorted(r["user_id"] for r in reminder.recipients) == sorted(
        staff[name].pk for name in ("syt_reporter", "syt_approver", "syt_no_email")
    )
    notified = Notification.objects.filter(url=f"/reports/submissions/{syt.pk}/")
    assert set(notified.values_list("user__username", flat=True)) == {
        "syt.baocao",
        "syt.duyet",
        "syt.khong",
    }
    assert "10/06/2026" in notified.first().text


def test_late_and_returned_reports_are_reminded_with_the_review_comment(round_, staff, mailoutbox):
    round_.submissions.filter(unit__code="SYT").update(
        status=Status.RETURNED, review_comment="Bổ sung số liệu mục tiêu 3."
    )
    report = send_reminders(today=DUE + 3 * DAY)
    assert report.by_kind == {ReminderKind.AFTER: AGENCIES}
    (message,) = [m for m in mailoutbox if "Sở Y tế" in m.subject]
    assert "quá hạn 3 ngày" in message.subject
    assert "Bổ sung số liệu mục tiêu 3." in message.body


def test_submitted_units_get_nothing(round_, staff, mailoutbox):
    round_.submissions.filter(unit__code__in=["SYT", "CAT"]).update(status=Status.SUBMITTED)
    for offset in (-7, -3, -1, 0, 1, 3, 7):
        send_reminders(today=DUE + offset * DAY)
    assert mailoutbox == []
    assert not Notification.objects.exists()
    assert not Reminder.objects.filter(submission__unit__code__in=["SYT", "CAT"]).exists()


def test_a_failed_mail_is_not_recorded_and_goes_out_on_the_next_run(
    round_, staff, mailoutbox, monkeypatch
):
    send_messages = EmailBackend.send_messages
    failures = []

    def fail_once(self, messages):
        if not failures:
            failures.append(messages)
            raise smtplib.SMTPServerDisconnected("máy chủ thư ngắt kết nối")
        return send_messages(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", fail_once)
    first = send_reminders(today=DUE)
    assert (first.sent, first.failed, len(mailoutbox)) == (AGENCIES - 1, 1, 1)
    assert Reminder.objects.filter(submission__round=round_).count() == AGENCIES - 1
    second = send_reminders(today=DUE)
    assert (second.sent, second.already_sent, second.failed) == (1, AGENCIES - 1, 0)
    assert len(mailoutbox) == 2
    assert Notification.objects.count() == 4


def test_a_reminder_another_server_recorded_meanwhile_is_skipped(
    round_, staff, mailoutbox, monkeypatch
):
    """Between listing what is due and sending it, another server records Sở Y tế's reminder:
    the insert fails inside its savepoint, nothing goes to Sở Y tế, and the run goes on (on
    PostgreSQL a failed INSERT outside a savepoint would abort the whole transaction)."""
    staff_by_unit = reminders._staff_by_unit

    def another_server_meanwhile(unit_ids):
        Reminder.objects.create(
            submission=submission(round_, "SYT"), kind=ReminderKind.DUE, days=0, sent_on=DUE
        )
        return staff_by_unit(unit_ids)

    monkeypatch.setattr(reminders, "_staff_by_unit", another_server_meanwhile)
    report = send_reminders(today=DUE)
    assert (report.sent, report.already_sent) == (AGENCIES - 1, 1)
    assert [m.to for m in mailoutbox] == [["baocao@cat.gov.vn"]]
    assert Reminder.objects.filter(submission__round=round_).count() == AGENCIES
    assert not Notification.objects.filter(user__unit__code="SYT").exists()


def test_the_command_prints_what_it_sent_and_is_safe_to_rerun(round_, staff, mailoutbox):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-06-07", stdout=out)
    assert f"Ngày 07/06/2026: đã gửi {AGENCIES} lần nhắc (2 thư, 4 thông báo)" in out.getvalue()
    assert "nhắc trước hạn: 13" in out.getvalue()
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-06-07", stdout=out)
    assert f"đã gửi 0 lần nhắc (0 thư, 0 thông báo), {AGENCIES} lần đã gửi" in out.getvalue()
    assert len(mailoutbox) == 2
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "07/06/2026")


def test_the_command_defaults_to_today(db, staff, mailoutbox):
    today = timezone.localdate()
    round_ = open_round(due_on=today + 3 * DAY)
    call_command("send_reminders", stdout=io.StringIO())
    assert Reminder.objects.filter(submission__round=round_, sent_on=today).count() == AGENCIES


# --- the coordinator's urge -------------------------------------------------------------------


@pytest.fixture
def late_round(db):
    """Due three days ago: every unit that has not submitted is late, except an extension."""
    today = timezone.localdate()
    round_ = open_round(due_on=today - 3 * DAY, code="THU-DONDOC")
    round_.submissions.filter(unit__code="SYT").update(status=Status.SUBMITTED)
    round_.submissions.filter(unit__code="CAT").update(status=Status.RETURNED)
    round_.submissions.filter(unit__code="HLHPN").update(due_on=today + 2 * DAY)
    return round_


def urge_all(round_, actor, **extra):
    """Urge every unit of the round that has not submitted, as the round page's "select all"."""
    return urge_units(
        round_=round_,
        submissions=round_.submissions.urgeable(),
        actor=actor,
        **extra,
    )


def test_urge_reaches_units_that_have_not_submitted_once_a_day(late_round, staff, mailoutbox):
    coordinator = staff["coordinator"]
    plan = urge_all(late_round, coordinator)
    # Every unit not submitted: the late ones, the returned one and the one with more time.
    assert len(plan.send) == AGENCIES - 1
    urged = Reminder.objects.filter(submission__round=late_round, kind=ReminderKind.URGE)
    assert "SYT" not in urged.values_list("submission__unit__code", flat=True)
    assert "HLHPN" in urged.values_list("submission__unit__code", flat=True)
    # Công an tỉnh (returned, late) is the only such unit with an account.
    (message,) = mailoutbox
    assert message.to == ["baocao@cat.gov.vn"]
    assert "đôn đốc" in message.body and "quá hạn 3 ngày" in message.body
    assert Notification.objects.get().user == staff["cat_reporter"]

    with pytest.raises(ValidationError, match="đã được đôn đốc hôm nay"):
        urge_all(late_round, coordinator)
    assert len(mailoutbox) == 1 and urged.count() == AGENCIES - 1

    event = Event.objects.for_object(late_round).get(changes__has_key="urged")
    assert event.actor == coordinator
    assert len(event.changes["urged"][1]) == AGENCIES - 1

    history = list(urge_history(late_round))
    assert len(history) == AGENCIES - 1
    assert {r.sent_by for r in history} == {coordinator}
    assert {r.sent_on for r in history} == {timezone.localdate()}

    # Urged yesterday: today they may be urged again.
    urged.update(sent_on=timezone.localdate() - DAY)
    assert len(urge_all(late_round, coordinator).send) == AGENCIES - 1
    assert len(urge_history(late_round)) == 2 * (AGENCIES - 1)


def test_before_the_due_date_the_urge_is_a_reminder(late_round, staff, mailoutbox):
    """Hội LHPN has two more days: its staff read a reminder with the due date, not "late"."""
    hlhpn = make_user("hlhpn.baocao", Role.REPORTER, "HLHPN", email="baocao@hlhpn.gov.vn")
    unit = submission(late_round, "HLHPN")
    urge_units(
        round_=late_round,
        submissions=[unit],
        actor=staff["coordinator"],
        note="Đề nghị gửi kèm số liệu Tháng hành động.",
    )
    (message,) = mailoutbox
    assert message.to == ["baocao@hlhpn.gov.vn"]
    assert "nhắc đơn vị nộp báo cáo" in message.body and "còn 2 ngày" in message.body
    assert "quá hạn" not in message.body
    assert "Lời nhắn của Sở Nội vụ: Đề nghị gửi kèm số liệu Tháng hành động." in message.body
    note = Notification.objects.get(user=hlhpn)
    assert note.url == f"/reports/submissions/{unit.pk}/" and "Còn 2 ngày" in note.text


def test_the_longest_note_reaches_the_in_app_notice_whole(late_round, staff):
    """Not everyone takes e-mail: the notice carries the whole note (NOTE_MAX characters)."""
    from core.notifications import NOTE_MAX

    hlhpn = make_user("hlhpn.baocao", Role.REPORTER, "HLHPN")
    note = ("Đề nghị đơn vị rà soát số liệu từng biểu. " * 40)[: NOTE_MAX - 1] + "!"
    urge_units(
        round_=late_round,
        submissions=[submission(late_round, "HLHPN")],
        actor=staff["coordinator"],
        note=note,
    )
    assert Notification.objects.get(user=hlhpn).text.endswith(note)


def test_only_the_chosen_units_are_urged_and_submitted_ones_never(late_round, staff, mailoutbox):
    chosen = [submission(late_round, code) for code in ("CAT", "SYT")]
    plan = urge_units(round_=late_round, submissions=chosen, actor=staff["coordinator"])
    assert [t.submission.unit.code for t in plan.send] == ["CAT"]
    assert [s.unit.code for s in plan.submitted] == ["SYT"]
    assert set(Reminder.objects.values_list("submission__unit__code", flat=True)) == {"CAT"}
    with pytest.raises(ValidationError, match="đã nộp"):
        urge_units(
            round_=late_round,
            submissions=[submission(late_round, "SYT")],
            actor=staff["coordinator"],
        )


def test_e_mail_goes_only_to_those_who_keep_it_on(late_round, staff, mailoutbox):
    """Turning e-mail off stops the mail, never the notification in the system."""
    User.objects.filter(username="syt.duyet").update(email_notifications=False)
    late_round.submissions.filter(unit__code="SYT").update(status=Status.DRAFT)
    plan = urge_units(
        round_=late_round, submissions=[submission(late_round, "SYT")], actor=staff["coordinator"]
    )
    assert plan.send[0].emails == ["baocao@syt.gov.vn"]
    (message,) = mailoutbox
    assert message.to == ["baocao@syt.gov.vn"]
    assert set(Notification.objects.values_list("user__username", flat=True)) == {
        "syt.baocao",
        "syt.duyet",
        "syt.khong",
    }


def test_only_the_coordinator_urges_and_only_while_the_round_is_open(late_round, staff):
    with pytest.raises(PermissionDenied):
        urge_all(late_round, staff["syt_approver"])
    late_round.lock_on = late_round.due_on
    with pytest.raises(ValidationError, match="đã khóa sổ"):
        urge_all(late_round, staff["coordinator"])
    late_round.lock_on = timezone.localdate() + 5 * DAY
    late_round.opens_on = timezone.localdate() + DAY
    with pytest.raises(ValidationError, match="chưa mở"):
        urge_all(late_round, staff["coordinator"])
    assert not Reminder.objects.filter(submission__round=late_round).exists()


def test_a_mail_failure_records_nothing_for_that_unit(late_round, staff, mailoutbox, monkeypatch):
    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("máy chủ thư ngắt kết nối")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(ValidationError, match="máy chủ thư báo lỗi"):
        urge_units(
            round_=late_round,
            submissions=[submission(late_round, "CAT")],
            actor=staff["coordinator"],
        )
    assert not Reminder.objects.exists() and not Notification.objects.exists()


def test_urge_history_can_include_the_scheduled_reminders(late_round, staff):
    send_reminders()  # three days late: AFTER reminders, to the 11 late units
    urge_all(late_round, staff["coordinator"])
    assert len(urge_history(late_round)) == AGENCIES - 1
    assert len(urge_history(late_round, include_automatic=True)) == 2 * (AGENCIES - 1) - 1


# --- several servers --------------------------------------------------------------------------

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has a single writer: the unique key alone is tested there (above); "
    "the advisory lock and truly concurrent writers exist only on PostgreSQL",
)


@postgres_only
def test_a_run_is_skipped_while_another_server_holds_the_lock(round_, staff, mailoutbox):
    held, done = threading.Event(), threading.Event()

    def other_server():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [reminders.LOCK_KEY])
                held.set()
                done.wait(10)
                cursor.execute("SELECT pg_advisory_unlock(%s)", [reminders.LOCK_KEY])
        finally:
            connection.close()

    thread = threading.Thread(target=other_server)
    thread.start()
    try:
        assert held.wait(10)
        report = send_reminders(today=DUE)
    finally:
        done.set()
        thread.join()
    assert report.locked_out and "máy chủ khác" in str(report)
    assert mailoutbox == [] and not Reminder.objects.exists()
    assert send_reminders(today=DUE).sent == AGENCIES  # lock released


def in_threads(count, target):
    """Call `target` in `count` threads released together. Each thread has a connection of its
    own, in autocommit mode like a server's: what it writes is committed, and visible to the
    test's connection (read committed) although the test runs inside a transaction."""
    barrier = threading.Barrier(count, timeout=20)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if errors:
        raise errors[0]
    return results


@postgres_only
@pytest.mark.parametrize("lock", ["advisory lock", "unique key only"])
def test_two_servers_at_once_send_each_reminder_once(db, monkeypatch, mailoutbox, lock):
    """Two servers start the job at the same instant. The servers' connections need committed
    data, so the users are created and everything is cleaned up through connections of their
    own; the session's loaded data stays as it was (no transactional test, no flush)."""
    if lock == "unique key only":
        monkeypatch.setattr(reminders, "_job_lock", lambda: contextlib.nullcontext(True))
        # Both servers have listed what is due and found nothing sent before either inserts:
        # only the unique key stands between them and a double send.
        listed = threading.Barrier(2, timeout=20)
        staff_by_unit = reminders._staff_by_unit

        def list_then_wait(unit_ids):
            staff = staff_by_unit(unit_ids)
            listed.wait()
            return staff

        monkeypatch.setattr(reminders, "_staff_by_unit", list_then_wait)
    # The session's 6-month round is due 05/06/2025: its 26 units get the 3-day reminder.
    today = datetime.date(2025, 6, 2)
    round_ = Round.objects.get(code="BDG-2025S1")
    expected = round_.submissions.count()
    assert expected == 26

    def create_users():
        return [
            make_user("syt.baocao", Role.REPORTER, "SYT", email="baocao@syt.gov.vn").pk,
            make_user("syt.duyet", Role.APPROVER, "SYT", email="duyet@syt.gov.vn").pk,
            make_user("cat.baocao", Role.REPORTER, "CAT", email="baocao@cat.gov.vn").pk,
        ]

    def clean_up():
        Reminder.objects.filter(submission__round__code="BDG-2025S1", sent_on=today).delete()
        User.objects.filter(pk__in=users).delete()  # their notifications go with them

    (users,) = in_threads(1, create_users)
    try:
        reports = in_threads(2, lambda: send_reminders(today=today))
        assert all(r.failed == 0 for r in reports)
        assert sum(r.sent for r in reports) == expected
        if lock == "unique key only":
            # Both went through the whole list: what one sent, the other found already sent.
            assert sum(r.already_sent for r in reports) == expected
        else:
            ran = [r for r in reports if not r.locked_out]
            assert all(r.sent + r.already_sent == expected for r in ran)
        rows = Reminder.objects.filter(submission__round=round_, sent_on=today)
        assert rows.count() == expected
        assert set(rows.values_list("kind", "days")) == {(ReminderKind.BEFORE, -3)}
        assert sorted(m.to[0] for m in mailoutbox) == ["baocao@cat.gov.vn", "baocao@syt.gov.vn"]
        assert Notification.objects.filter(user__in=users).count() == 3
    finally:
        in_threads(1, clean_up)
    assert not Reminder.objects.filter(sent_on=today).exists()
    assert not User.objects.filter(pk__in=users).exists()
