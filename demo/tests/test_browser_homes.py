"""Each persona's home page in Chromium against the demo of 07/12/2026 (the annual report due on
10/12, the Action Month under way), and the leader's one page printed on one A4 sheet.

What each home must show is read from the database the demo built, never from the page's own
selectors: the unit's report with its days left and cells entered, what waits for the approver,
the round by kind of unit, the bodies with late tasks, the GBV follow-ups by case code, the
accounts an admin looks after. One demo load and one browser profile per persona, each looked at
at 1366 and at 390 px wide."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.models import User
from cases.models import Case, FollowUp, Referral
from conftest import (
    BROWSER_KEYS,
    BROWSER_PASSWORD,
    BROWSER_TOLERANCE,
    browser_page,
    log_in,
)
from demo.tests.test_demo import DECEMBER, frozen
from indicators.services import load_catalogue
from plans.models import Task
from reports.models import EDITABLE, Round, Status, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERSONAS = [
    "coordinator",
    "leader",
    "admin",
    "syt.baocao",
    "syt.duyet",
    "camthanh.baocao",
    "canbo.hotro",
    "syt.giamsat",
]
TODAY = DECEMBER.date()
WEEK = datetime.timedelta(days=7)
TASK_LINK = re.compile(r'href="/plans/tasks/(\d+)/"')


@pytest.fixture
def demo(live_server, audit_flushable, province):
    """The demo as `make run` loads it on 07/12/2026 at 10:30, the clock stopped there for the
    server too; the personas sign in with the browser tests' password and their authenticator."""
    with frozen(DECEMBER):  # conftest's _isolated_media takes the evidence files
        load_catalogue()
        call_command("load_demo", stdout=io.StringIO())
        for user in User.objects.filter(username__in=PERSONAS):
            user.set_password(BROWSER_PASSWORD)
            user.save(update_fields=["password"])
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is not None:
                device.tolerance = BROWSER_TOLERANCE
                device.save(update_fields=["tolerance"])
                BROWSER_KEYS[user.username] = device.bin_key
        yield live_server.url


def visit_home(page: Page, url: str, username: str) -> str:
    """Sign in (landing on the home page) and return the main content's text at 1366 px, after
    checking that at 390 px nothing in it is wider than the screen."""
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, url, username)
    expect(page.locator("h1")).to_contain_text("Xin chào")
    assert page.url == f"{url}/"
    main = page.locator("main")
    text = main.inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.querySelector('main').scrollWidth <= window.innerWidth")
    return text


def current(unit_code: str) -> Submission:
    return Submission.objects.select_related("round").get(
        round__code="BDG-2026", unit__code=unit_code
    )


def report_lines(submission: Submission) -> list[str]:
    """What the home says of a unit's report, as the database has it."""
    cells = submission.round.form.cell_count()
    filled = submission.values.exclude(value="", no_data=False).count()
    lines = [submission.round.name, f"{filled}/{cells} ô đã nhập"]
    if submission.status in EDITABLE:
        days = (submission.due_on - TODAY).days
        lines += [f"Hạn nộp {submission.due_on:%d/%m/%Y}", f"còn {days} ngày"]
    elif submission.status == Status.SUBMITTED:
        lines.append("chờ Sở Nội vụ duyệt")
    else:
        lines.append("Sở Nội vụ đã duyệt ngày")
    return lines


def late_task_pks(unit_code: str) -> set[int]:
    return set(
        Task.objects.overdue(TODAY).filter(unit__code=unit_code).values_list("pk", flat=True)
    )


def test_each_persona_home_shows_their_own_work_and_the_leader_page_fits_one_a4(demo):
    url = demo
    round_ = Round.objects.get(code="BDG-2026")
    coordinators_late = late_task_pks("SNV")
    with browser_page() as page:  # commune reporter: the report due on 10/12
        text = visit_home(page, url, "camthanh.baocao")
        mine = current("21025")
        assert mine.status in EDITABLE and "Báo cáo cần nhập" in text
        for line in report_lines(mine):
            assert line in text, line
        html = page.locator("main").inner_html()
        assert set(map(int, TASK_LINK.findall(html))) <= set(
            Task.objects.filter(unit__code="21025").values_list("pk", flat=True)
        )
        late = late_task_pks("21025")
        assert (
            f"{len(late)} nhiệm vụ quá hạn" if late else "không có nhiệm vụ nào quá hạn"
        ) in text

    with browser_page() as page:  # Sở Y tế's reporter and approver
        health = current("SYT")
        text = visit_home(page, url, "syt.baocao")
        for line in report_lines(health):
            assert line in text, line
    with browser_page() as page:
        text = visit_home(page, url, "syt.duyet")
        assert "Báo cáo chờ bạn nộp" in text
        if health.status in EDITABLE:
            assert "điểm phải xử lý trước khi nộp" in text or "đủ điều kiện nộp" in text
        else:
            assert "Không có báo cáo nào chờ bạn nộp." in text

    with browser_page() as page:  # the coordinator: the round by kind, late tasks by body
        text = visit_home(page, url, "coordinator")
        submissions = Submission.objects.filter(round=round_)
        submitted = submissions.filter(status=Status.SUBMITTED).count()
        assert "Đợt báo cáo đang mở" in text and round_.name in text
        assert f"{submitted}\nchờ Sở Nội vụ duyệt" in text
        assert f"chưa nộp / {submissions.count()} đơn vị" in text
        assert "Cơ quan, tổ chức cấp tỉnh" in text and "Xã" in text
        late = Task.objects.overdue(TODAY)
        heading = "Nhiệm vụ quá hạn theo cơ quan thực hiện"
        assert heading in text
        assert (f"{late.count()} nhiệm vụ quá hạn" if late else "Không có nhiệm vụ") in text
        late_part = page.locator("section", has_text=heading).inner_html()
        assert not TASK_LINK.findall(late_part)  # bodies, not tasks

    with browser_page() as page:  # the leader: headline, no task list, the one page
        text = visit_home(page, url, "leader")
        assert "Xem bức tranh chung trên một trang" in text
        html = page.locator("main").inner_html()
        assert not set(map(int, TASK_LINK.findall(html))) & coordinators_late
        page.set_viewport_size({"width": 1366, "height": 768})
        page.locator("header summary", has_text="Số liệu").click()  # the menu's group
        page.get_by_role("link", name="Tóm tắt một trang").click()
        expect(page.locator("h1")).to_have_text("Công tác bình đẳng giới tỉnh Quảng Ngãi — tóm tắt")
        bars = page.locator("table.bars tbody tr")
        assert bars.count() >= 10  # agencies one by one, communes and wards together
        assert page.locator("svg.bar").count() == bars.count()
        assert "Chỉ tiêu chưa đạt" in page.locator("main").inner_text()
        expect(page.locator("section.month")).to_contain_text("đang diễn ra")
        pdf = page.pdf(format="A4")
        assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == 1

    with browser_page() as page:  # the admin
        never = (
            User.objects.filter(is_active=True, last_login__isnull=True)
            .exclude(password__startswith="!")
            .exclude(username="admin")
            .count()
        )
        text = visit_home(page, url, "admin")
        assert "Yêu cầu quyền truy cập hỗ trợ nạn nhân chờ bạn duyệt" in text
        assert f"Tài khoản chưa đăng nhập lần nào ({never})" in text
        assert "Mọi đơn vị phải báo cáo trong đợt đang mở đều có tài khoản." in text

    with browser_page() as page:  # GBV: the supervisor of Sở Y tế's three cases
        supervisor = User.objects.get(username="syt.giamsat")
        codes = set(Case.objects.filter(agency__code="SYT").values_list("code", flat=True))
        due = FollowUp.objects.filter(case__agency__code="SYT", done_at__isnull=True)
        sent = Referral.objects.filter(from_agency__code="SYT", status="referred")
        text = visit_home(page, url, "syt.giamsat")
        assert codes and all(code in text for code in codes)
        assert text.count("theo dõi hạn") == due.count() > 0
        assert all(f"đến {r.to_agency.label}" in text for r in sent)
        assert supervisor.full_name in text and "Trang này chỉ ghi mã hồ sơ" in text
    with browser_page() as page:  # a case worker of Công an tỉnh: nothing of Sở Y tế's
        text = visit_home(page, url, "canbo.hotro")
        assert "Không có lần theo dõi nào đến hạn." in text
        assert not any(code in text for code in codes)
