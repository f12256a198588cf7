"""Acceptance in Chromium: the coordinator opens the open round, filters "chưa nộp", selects all,
previews and sends an urge; each selected unit's reporter (one on a 390 px phone) then sees an
unread count and the message; a second urge the same day is refused with a clear message; the
e-mails are in Django's outbox."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import browser_page, log_in, make_browser_user
from core.roles import Role
from reports.models import Reminder, Status, Submission
from reports.tests.factories import make_form, open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def round_(province, audit_flushable):
    make_browser_user("coordinator", Role.COORDINATOR, "SNV")
    for username, unit in (("syt.baocao", "SYT"), ("cat.baocao", "CAT")):
        user = make_browser_user(username, Role.REPORTER, unit)
        user.email = f"{username}@{unit.lower()}.gov.vn"
        user.save()
    round_ = open_round(make_form(code="DD"), code="R-DD")
    # Sở Nội vụ has submitted; Công an tỉnh is three days late; the others have ten days left.
    now = timezone.now()
    Submission.objects.filter(round=round_, unit__code="SNV").update(
        status=Status.SUBMITTED, submitted_at=now, first_submitted_at=now
    )
    Submission.objects.filter(round=round_, unit__code="CAT").update(
        due_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    return round_


def choose_all_not_submitted(page, url, *, message=True):
    page.goto(url)
    page.get_by_label("Trạng thái").select_option("not_submitted")
    expect(page).to_have_url(re.compile(r"status=not_submitted"))
    expect(page.locator("#worklist tbody tr")).to_have_count(12)
    expect(page.locator("#worklist tr.is-late")).to_have_count(1)
    expect(page.locator("#counts .chosen")).to_contain_text("chưa nộp")
    page.get_by_label("Chọn tất cả đơn vị chưa nộp đang hiển thị").check()
    page.get_by_role("button", name=re.compile("Xem trước tin nhắn và đôn đốc")).click()
    expect(page.locator("h1")).to_have_text("Xem trước đôn đốc")
    if message:
        expect(page.locator("#message-preview")).to_contain_text("Kính gửi:")


def test_urge_the_units_that_have_not_submitted(live_server, round_, mailoutbox):
    url = f"{live_server.url}/reports/rounds/{round_.pk}/"
    with browser_page() as coordinator:
        log_in(coordinator, live_server.url, "coordinator")
        coordinator.goto(url)
        expect(coordinator.locator("#counts")).to_contain_text("12chưa nộp")
        choose_all_not_submitted(coordinator, url)
        # A second tab previews the same urge before the first one is sent.
        stale = coordinator.context.new_page()
        choose_all_not_submitted(stale, url)

        expect(coordinator.get_by_text("Sẽ gửi cho 12 đơn vị chưa nộp báo cáo")).to_be_visible()
        coordinator.get_by_role("button", name="Gửi đôn đốc 12 đơn vị").click()
        expect(coordinator.get_by_text("Đã đôn đốc 12 đơn vị")).to_be_visible()
        assert Reminder.objects.filter(submission__round=round_).count() == 12
        assert sorted(m.to[0] for m in mailoutbox) == [
            "cat.baocao@cat.gov.vn",
            "syt.baocao@syt.gov.vn",
        ]
        late = next(m for m in mailoutbox if m.to == ["cat.baocao@cat.gov.vn"])
        assert "quá hạn 3 ngày" in late.body
        early = next(m for m in mailoutbox if m.to == ["syt.baocao@syt.gov.vn"])
        assert "còn 10 ngày" in early.body and "quá hạn" not in early.body

        # The same urge again the same day: refused, and nothing more is sent.
        stale.get_by_role("button", name="Gửi đôn đốc 12 đơn vị").click()
        expect(stale.locator(".flash-error")).to_contain_text(
            "các đơn vị đã chọn đều đã được đôn đốc hôm nay"
        )
        expect(stale.locator(".flash-error")).to_contain_text("một lần một ngày")
        assert len(mailoutbox) == 2
        assert Reminder.objects.filter(submission__round=round_).count() == 12
        # A fresh preview says so before anything is tried.
        choose_all_not_submitted(stale, url, message=False)
        expect(stale.get_by_text("đã được đôn đốc hôm nay, sẽ không gửi lại")).to_be_visible()
        expect(stale.get_by_role("button", name=re.compile("Gửi đôn đốc"))).to_have_count(0)

    for username, unit, words in (
        ("syt.baocao", "SYT", "Sở Nội vụ nhắc nộp báo cáo"),
        ("cat.baocao", "CAT", "Đôn đốc nộp báo cáo quá hạn"),
    ):
        own = Submission.objects.get(round=round_, unit__code=unit).pk
        with browser_page() as reporter:
            if username == "syt.baocao":
                reporter.set_viewport_size(PHONE)
            log_in(reporter, live_server.url, username)
            badge = reporter.locator("a.notifications-link .badge")
            expect(badge).to_have_text("1")
            reporter.locator("a.notifications-link").click()
            message = reporter.locator("li.unread a", has_text=words)
            expect(message).to_be_visible()
            message.click()
            expect(reporter).to_have_url(f"{live_server.url}/reports/submissions/{own}/")
            expect(reporter.locator("a.notifications-link .badge")).to_have_count(0)
