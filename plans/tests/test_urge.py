"""Late plan tasks urged by the coordinator (by task, by body), tasks coming due reminded on
schedule, and tasks newly assigned told to the unit: in the system and by e-mail."""

import datetime
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from conftest import make_user
from core.models import Notification
from core.roles import Role
from plans.models import Plan, Status, Task, TaskReminder, TaskReminderKind
from plans.services import copy_plan, send_task_reminders

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PICKED = re.compile(r'name="task" value="(\d+)"')
LISTED = re.compile(r"^- (\S+) \(", re.MULTILINE)  # the tasks a message lists, by item code


@pytest.fixture
def plan(db):
    return Plan.objects.get(year=2025)


@pytest.fixture
def staff(db):
    return {
        # Hội Liên hiệp Phụ nữ tỉnh leads three tasks of the 2025 plan.
        "hlhpn": make_user("hlhpn.baocao", Role.REPORTER, "HLHPN", email="baocao@hlhpn.org.vn"),
        "hlhpn_approver": make_user(
            "hlhpn.duyet", Role.APPROVER, "HLHPN", email="duyet@hlhpn.org.vn"
        ),
        "cat": make_user("cat.baocao", Role.REPORTER, "CAT", email="baocao@cat.gov.vn"),
    }


def late_truth(plan) -> set[int]:
    today = timezone.localdate()
    return {
        t.pk
        for t in Task.objects.filter(item__plan=plan)
        if t.status != "done" and t.due_on < today
    }


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_late_tasks_are_listed_by_body_and_by_task(client, coordinator, plan):
    snv = list(Task.objects.filter(item__plan=plan, unit__code="SNV"))  # 19 tasks
    done, later = snv[0], snv[1]
    done.status = Status.DONE
    done.save()
    later.due_on = timezone.localdate() + 30 * DAY
    later.save()
    client.force_login(coordinator)
    url = reverse("plans:late_tasks", args=[plan.pk])
    listed = {int(pk) for pk in PICKED.findall(client.get(url).content.decode())}
    assert listed == late_truth(plan) and done.pk not in listed and later.pk not in listed
    by_body = client.get(url, {"unit": done.unit_id}).context["tasks"]
    assert len(by_body) == 17 and {t.unit.code for t in by_body} == {"SNV"}
    item = snv[2].item
    by_task = client.get(url, {"item": item.pk}).context["tasks"]
    assert {t.pk for t in by_task} == {t.pk for t in item.tasks.all() if t.pk in late_truth(plan)}
    assert client.get(url, {"unit": "x"}).status_code == 200  # a bad filter lists everything


def test_an_urge_is_previewed_then_sent_once_a_day_one_message_per_unit(
    client, coordinator, plan, staff
):
    hlhpn_tasks = list(Task.objects.filter(item__plan=plan, unit__code="HLHPN").order_by("item_id"))
    cat_task = Task.objects.filter(item__plan=plan, unit__code="CAT").first()
    chosen = [t.pk for t in hlhpn_tasks[:3]] + [cat_task.pk]
    client.force_login(coordinator)
    preview = client.post(
        reverse("plans:late_tasks", args=[plan.pk]),
        {"task": chosen, "note": "Báo cáo kết quả trước ngày 15."},
    )
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Sẽ đôn đốc 4 nhiệm vụ quá hạn của 2 đơn vị" in body
    assert "Lời nhắn của Sở Nội vụ: Báo cáo kết quả trước ngày 15." in body
    assert not TaskReminder.objects.exists() and not Notification.objects.exists()
    assert mail.outbox == []

    sent = client.post(
        reverse("plans:urge_tasks", args=[plan.pk]),
        {"task": chosen, "note": "Báo cáo kết quả trước ngày 15."},
    )
    assert "Đã đôn đốc 4 nhiệm vụ của 2 đơn vị" in said(sent)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "baocao@cat.gov.vn",
        "baocao@hlhpn.org.vn",
        "duyet@hlhpn.org.vn",
    ]
    hlhpn_mail = next(m for m in mail.outbox if m.to == ["baocao@hlhpn.org.vn"])
    assert LISTED.findall(hlhpn_mail.body) == [t.item.code for t in hlhpn_tasks[:3]]
    assert "quá hạn" in hlhpn_mail.body and "Báo cáo kết quả trước ngày 15." in hlhpn_mail.body
    notes = Notification.objects.filter(user=staff["hlhpn"])
    assert notes.count() == 1 and notes.get().url == reverse("plans:my_tasks") + "?status=overdue"
    cat_note = Notification.objects.get(user=staff["cat"])
    assert cat_note.url == reverse("plans:task", args=[cat_task.pk])  # one task: its page
    assert TaskReminder.objects.filter(kind=TaskReminderKind.URGE).count() == 4
    assert Event.objects.for_object(cat_task).filter(changes__has_key="urged").exists()

    again = client.post(reverse("plans:urge_tasks", args=[plan.pk]), {"task": chosen})
    assert "đã được đôn đốc hôm nay" in said(again)
    assert len(mail.outbox) == 3 and TaskReminder.objects.count() == 4


def test_done_tasks_and_other_plans_are_not_urged(client, coordinator, plan, staff):
    task = Task.objects.filter(item__plan=plan, unit__code="HLHPN").first()
    task.status = Status.DONE
    task.save()
    client.force_login(coordinator)
    response = client.post(reverse("plans:urge_tasks", args=[plan.pk]), {"task": [task.pk]})
    assert "đã hoàn thành hoặc chưa đến hạn" in said(response)
    new = copy_plan(plan=plan, year=2026, actor=coordinator)
    foreign = Task.objects.filter(item__plan=new).first()
    response = client.post(reverse("plans:urge_tasks", args=[plan.pk]), {"task": [foreign.pk]})
    assert "không thuộc kế hoạch này" in said(response)
    assert not TaskReminder.objects.exists()


def test_the_task_page_offers_the_urge_of_that_task_only_when_late(client, coordinator, plan):
    task = Task.objects.filter(item__plan=plan, unit__code="HLHPN").first()
    client.force_login(coordinator)
    page = client.get(reverse("plans:task", args=[task.pk])).content.decode()
    assert "Đôn đốc đơn vị thực hiện nhiệm vụ này" in page
    assert f'name="task" value="{task.pk}"' in page
    task.status = Status.DONE
    task.save()
    page = client.get(reverse("plans:task", args=[task.pk])).content.decode()
    assert "Đôn đốc đơn vị thực hiện nhiệm vụ này" not in page


def test_tasks_coming_due_are_reminded_once_a_day(staff, plan, settings):
    settings.REMINDER_DAYS_BEFORE = [7, 3]
    today = timezone.localdate()
    hlhpn = list(Task.objects.filter(item__plan=plan, unit__code="HLHPN")[:3])
    Task.objects.filter(pk__in=[hlhpn[0].pk, hlhpn[1].pk]).update(due_on=today + 3 * DAY)
    Task.objects.filter(pk=hlhpn[2].pk).update(due_on=today + 3 * DAY, status=Status.DONE)
    cat = Task.objects.filter(item__plan=plan, unit__code="CAT").first()
    Task.objects.filter(pk=cat.pk).update(due_on=today + 2 * DAY)  # not a reminder day

    assert send_task_reminders(today) == 1
    (message,) = [m for m in mail.outbox if m.to == ["baocao@hlhpn.org.vn"]]
    assert "2 nhiệm vụ kế hoạch còn 3 ngày đến hạn" in message.subject
    assert LISTED.findall(message.body) == [hlhpn[0].item.code, hlhpn[1].item.code]  # not the done
    assert Notification.objects.filter(user=staff["hlhpn"]).count() == 1
    assert not Notification.objects.filter(user=staff["cat"]).exists()
    reminders = TaskReminder.objects.filter(kind=TaskReminderKind.DUE)
    assert set(reminders.values_list("task_id", "days")) == {(hlhpn[0].pk, 3), (hlhpn[1].pk, 3)}

    assert send_task_reminders(today) == 0  # again the same day: nothing
    assert len(mail.outbox) == 2
    # Two days on, Công an tỉnh's task is due that day; Hội LHPN's (one day left) are not told.
    assert send_task_reminders(today + 2 * DAY) == 1
    assert "đến hạn hôm nay" in Notification.objects.get(user=staff["cat"]).text
    assert Notification.objects.filter(user=staff["hlhpn"]).count() == 1


def test_the_scheduled_command_reminds_tasks_too(staff, plan):
    today = timezone.localdate()
    task = Task.objects.filter(item__plan=plan, unit__code="CAT").first()
    Task.objects.filter(pk=task.pk).update(due_on=today)
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "Nhắc hạn nhiệm vụ kế hoạch: 1 đơn vị." in out.getvalue()
    note = Notification.objects.get(user=staff["cat"])
    assert "đến hạn hôm nay" in note.text and note.url == reverse("plans:task", args=[task.pk])


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_a_new_plan_tells_each_unit_its_tasks(
    coordinator, plan, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new = copy_plan(plan=plan, year=2026, actor=coordinator)
    count = Task.objects.filter(item__plan=new, unit__code="HLHPN").count()
    note = Notification.objects.get(user=staff["hlhpn"])
    assert f"Đơn vị được giao {count} nhiệm vụ kế hoạch năm 2026" in note.text
    assert note.url == reverse("plans:my_tasks") + "?status=open"
    assert "baocao@hlhpn.org.vn" in [m.to[0] for m in mail.outbox]
    assert not Notification.objects.filter(user=coordinator).exists()


def test_a_unit_the_mail_server_refuses_is_not_urged_and_the_others_stay_urged(
    coordinator, plan, staff, monkeypatch
):
    """Each unit is its own short transaction: a refused mail records nothing for that unit,
    and the units mailed before it are not rolled back (so a retry never mails them twice)."""
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    from plans.services import urge_tasks

    send = EmailBackend.send_messages

    def refuse_cat(self, messages):
        if any("cat.gov.vn" in address for m in messages for address in m.to):
            raise smtplib.SMTPServerDisconnected("máy chủ thư ngắt kết nối")
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_cat)
    hlhpn = Task.objects.filter(item__plan=plan, unit__code="HLHPN").first()
    cat = Task.objects.filter(item__plan=plan, unit__code="CAT").first()
    done = urge_tasks(tasks=[hlhpn, cat], actor=coordinator)
    assert [u.code for u in done.failed] == ["CAT"]
    assert set(TaskReminder.objects.values_list("task_id", flat=True)) == {hlhpn.pk}
    assert not Notification.objects.filter(user=staff["cat"]).exists()
    assert Notification.objects.filter(user=staff["hlhpn"]).exists()
    monkeypatch.undo()  # the mail server is back
    again = urge_tasks(tasks=[hlhpn, cat], actor=coordinator)  # the retry mails CAT only
    assert [t.unit.code for t in again.send] == ["CAT"] and again.already == [hlhpn]


def test_the_coordinators_note_reaches_those_without_e_mail(coordinator, plan, staff):
    from plans.services import urge_tasks

    task = Task.objects.filter(item__plan=plan, unit__code="CAT").first()
    staff["cat"].email = ""
    staff["cat"].save()
    urge_tasks(tasks=[task], actor=coordinator, note="Gửi minh chứng trước thứ Sáu.")
    assert "Gửi minh chứng trước thứ Sáu." in Notification.objects.get(user=staff["cat"]).text


def test_the_longest_note_reaches_the_in_app_notice_whole(coordinator, plan, staff):
    from core.notifications import NOTE_MAX
    from plans.services import urge_tasks

    tasks = list(Task.objects.filter(item__plan=plan, unit__code="HLHPN"))
    note = ("Đề nghị cập nhật tiến độ kèm minh chứng. " * 40)[: NOTE_MAX - 1] + "!"
    urge_tasks(tasks=tasks, actor=coordinator, note=note)
    assert Notification.objects.get(user=staff["hlhpn"]).text.endswith(note)


def test_a_unit_is_urged_once_a_day_whichever_of_its_tasks_are_chosen(
    client, coordinator, plan, staff
):
    first, second = Task.objects.filter(item__plan=plan, unit__code="HLHPN").order_by("item_id")[:2]
    cat = Task.objects.filter(item__plan=plan, unit__code="CAT").first()
    client.force_login(coordinator)
    client.post(reverse("plans:urge_tasks", args=[plan.pk]), {"task": [first.pk]})
    assert len(mail.outbox) == 2  # Hội LHPN's reporter and approver
    listed = client.get(reverse("plans:late_tasks", args=[plan.pk])).context["tasks"]
    marked = {t.pk for t in listed if t.urged_today}
    assert second.pk in marked and cat.pk not in marked  # the unit's other tasks too

    preview = client.post(
        reverse("plans:late_tasks", args=[plan.pk]), {"task": [second.pk, cat.pk]}
    ).content.decode()
    assert "Đơn vị đã được đôn đốc hôm nay" in preview and "Sẽ đôn đốc 1 nhiệm vụ" in preview
    again = client.post(reverse("plans:urge_tasks", args=[plan.pk]), {"task": [second.pk, cat.pk]})
    assert "Đã đôn đốc 1 nhiệm vụ của 1 đơn vị" in said(again)
    assert "mỗi đơn vị một lần một ngày" in said(again)
    assert [m.to for m in mail.outbox[2:]] == [["baocao@cat.gov.vn"]]
    assert not TaskReminder.objects.filter(task=second).exists()

    refused = client.post(reverse("plans:urge_tasks", args=[plan.pk]), {"task": [second.pk]})
    assert "đã được đôn đốc hôm nay" in said(refused) and len(mail.outbox) == 3


def test_two_coordinators_urging_one_unit_at_once_mail_it_once(
    coordinator, plan, staff, monkeypatch
):
    """The second urge planned before the first was recorded still sends nothing (UnitUrge's
    key), and records nothing for the unit."""
    from plans import services
    from plans.models import UnitUrge

    task = Task.objects.filter(item__plan=plan, unit__code="HLHPN").first()
    planned = services.plan_task_urge

    def planned_then_urged_elsewhere(**kwargs):
        result = planned(**kwargs)
        UnitUrge.objects.create(unit=task.unit, plan=plan, sent_on=result.today)
        return result

    monkeypatch.setattr(services, "plan_task_urge", planned_then_urged_elsewhere)
    with pytest.raises(services.ValidationError, match="đã được đôn đốc hôm nay"):
        services.urge_tasks(tasks=[task], actor=coordinator)
    assert mail.outbox == [] and not TaskReminder.objects.exists()
    assert not Notification.objects.exists()


def test_a_unit_without_accounts_is_named_before_and_after_the_urge(client, coordinator, plan):
    task = Task.objects.filter(item__plan=plan, unit__code="HLHPN").first()
    client.force_login(coordinator)
    preview = client.post(reverse("plans:late_tasks", args=[plan.pk]), {"task": [task.pk]})
    assert "Đơn vị chưa có tài khoản nào nhận thông báo" in preview.content.decode()
    sent = client.post(reverse("plans:urge_tasks", args=[plan.pk]), {"task": [task.pk]})
    assert f"Đơn vị chưa có tài khoản nào nhận thông báo: {task.unit.name}." in said(sent)
