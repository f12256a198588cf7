"""Notifications: the unread count in the menu, the list with read and unread, opening one goes
to the thing and marks it read; the user's own choice of e-mail; `core.notifications.notify`."""

import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from audit.models import Event
from conftest import make_user
from core.models import Notification
from core.notifications import email_addresses, notify
from core.roles import Role

pytestmark = pytest.mark.django_db

BADGE = re.compile(r'Thông báo <span class="badge late">(\d+)</span>')


def unread_in_menu(client) -> int:
    found = BADGE.search(client.get(reverse("home")).content.decode())
    return int(found.group(1)) if found else 0


def test_the_menu_counts_unread_and_opening_one_reads_it_and_goes_there(client, reporter, outsider):
    notify([reporter], text="Đôn đốc nộp báo cáo", url="/reports/submissions/1/")
    notify([reporter], text="Nhiệm vụ mới", url="/plans/tasks/")
    notify([outsider], text="Của người khác", url="/plans/")
    client.force_login(reporter)
    assert unread_in_menu(client) == 2
    listing = client.get(reverse("reports:notifications")).content.decode()
    assert listing.count('class="unread"') == 2 and "Của người khác" not in listing
    assert unread_in_menu(client) == 2  # listing reads nothing

    first = reporter.notifications.get(text="Đôn đốc nộp báo cáo")
    response = client.get(reverse("reports:notification", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/reports/submissions/1/"
    assert unread_in_menu(client) == 1
    listing = client.get(reverse("reports:notifications"), {"unread": "1"}).content.decode()
    assert "Nhiệm vụ mới" in listing and "Đôn đốc nộp báo cáo" not in listing

    # Another user's notification: 404, and it stays unread.
    theirs = outsider.notifications.get()
    assert client.get(reverse("reports:notification", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None

    client.post(reverse("reports:notifications_read"))
    assert unread_in_menu(client) == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_a_notification_never_sends_the_reader_off_site(client, reporter):
    for url in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        Notification.objects.create(user=reporter, text="x", url=url)
    client.force_login(reporter)
    for note in reporter.notifications.all():
        response = client.get(reverse("reports:notification", args=[note.pk]))
        assert response["Location"] == reverse("reports:notifications")


def test_the_list_pages_through_many(client, reporter):
    Notification.objects.bulk_create(
        Notification(user=reporter, text=f"Thông báo số {i}") for i in range(120)
    )
    client.force_login(reporter)
    first = client.get(reverse("reports:notifications"))
    assert len(first.context["page"]) == 50 and "Trang 1/3" in first.content.decode()
    last = client.get(reverse("reports:notifications"), {"page": "3"})
    assert len(last.context["page"]) == 20
    assert client.get(reverse("reports:notifications"), {"page": "x"}).status_code == 200


def test_each_user_once_and_mail_only_to_those_who_take_it(django_capture_on_commit_callbacks):
    on = make_user("syt.baocao", Role.REPORTER, "SYT", email="on@syt.gov.vn")
    off = make_user("syt.duyet", Role.APPROVER, "SYT", email="off@syt.gov.vn")
    off.email_notifications = False
    none = make_user("syt.khong", Role.REPORTER, "SYT")
    gone = make_user("syt.nghi", Role.REPORTER, "SYT", email="gone@syt.gov.vn", is_active=False)
    assert email_addresses([on, off, none, gone, on]) == ["on@syt.gov.vn"]
    with django_capture_on_commit_callbacks(execute=True):
        told = notify([on, off, none, None, on], text="Có việc mới", url="/x/", subject="Việc mới")
    assert told == 3 and Notification.objects.count() == 3
    (message,) = mail.outbox
    assert message.to == ["on@syt.gov.vn"] and message.subject == "Việc mới"
    assert "Có việc mới" in message.body and "/x/" in message.body
    # Without a subject nothing is mailed.
    with django_capture_on_commit_callbacks(execute=True):
        notify([on], text="Chỉ trong hệ thống")
    assert len(mail.outbox) == 1


def test_a_mail_failure_after_commit_leaves_the_notification(
    django_capture_on_commit_callbacks, monkeypatch
):
    user = make_user("syt.baocao", Role.REPORTER, "SYT", email="on@syt.gov.vn")

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("ngắt")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], text="Có việc", subject="Có việc")
    assert Notification.objects.filter(user=user).count() == 1


def test_each_user_turns_e_mail_off_and_on_for_themselves(client, reporter):
    client.force_login(reporter)
    page = client.get(reverse("accounts:account")).content.decode()
    assert 'name="email_notifications"' in page and "checked" in page
    response = client.post(reverse("accounts:account"), {"email_preference": "1"})
    assert response.status_code == 302
    reporter.refresh_from_db()
    assert reporter.email_notifications is False
    event = Event.objects.for_object(reporter).get(changes__has_key="email_notifications")
    assert event.changes["email_notifications"] == [True, False] and event.actor == reporter
    client.post(reverse("accounts:account"), {"email_preference": "1", "email_notifications": "on"})
    reporter.refresh_from_db()
    assert reporter.email_notifications is True
    # The password form is not touched by the choice, nor the choice by a password attempt.
    client.post(reverse("accounts:account"), {"old_password": "x", "new_password1": "y"})
    reporter.refresh_from_db()
    assert reporter.email_notifications is True
