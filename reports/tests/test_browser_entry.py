"""Acceptance in Chromium: a 200-cell form filled with the keyboard only, then the review cycle."""

import pytest
from playwright.sync_api import expect

from conftest import browser_page, log_in, make_browser_user
from core.roles import Role
from reports.models import DataValue, Status, Submission
from reports.tests.factories import make_form, open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submission(province, audit_flushable):
    make_browser_user("syt.baocao", Role.REPORTER, "SYT")
    make_browser_user("syt.duyet", Role.APPROVER, "SYT")
    make_browser_user("coordinator", Role.COORDINATOR, "SNV")
    form = make_form(rows=100, code="KB", with_part=False)
    open_round(form, code="R-KB")
    return Submission.objects.get(round__code="R-KB", unit__code="SYT")


def focus_first_cell(page):
    """Tab from the top of the page until the grid's first cell has the focus."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cell-input')"):
            return
    raise AssertionError("the grid cannot be reached with the keyboard")


def test_keyboard_entry_of_200_cells_then_review(live_server, submission):
    url = f"{live_server.url}/reports/submissions/{submission.pk}/"
    # Each user signs in once, in a browser profile of their own, and comes back to the page.
    with browser_page() as reporter, browser_page() as approver, browser_page() as coordinator:
        log_in(reporter, live_server.url, "syt.baocao")
        reporter.goto(url)
        assert reporter.locator("input.cell-input").count() == 200
        reporter.locator("h1").click()  # start from the page, then keyboard only
        focus_first_cell(reporter)
        for index in range(200):
            reporter.keyboard.type(str(index + 1))
            reporter.keyboard.press("Tab")
        # Saves go out one at a time in the order typed (entry.js's queue): none waits any more,
        # and the last total is the server's.
        expect(reporter.locator("#entry")).to_have_attribute("data-waiting", "0", timeout=90000)
        expect(reporter.locator("td.total").last).to_have_text("399")  # 199 + 200
        expect(reporter.locator("#entry-progress")).to_have_text("200/200 ô đã nhập")
        reporter.reload()
        values = reporter.locator("input.cell-input").evaluate_all("els => els.map(e => e.value)")
        assert values == [str(i + 1) for i in range(200)]
        assert DataValue.objects.filter(submission=submission).count() == 200

        log_in(approver, live_server.url, "syt.duyet")
        approver.goto(url)
        approver.get_by_label("Giải trình các cảnh báo (nếu có)").fill("Phần thuyết minh gửi sau.")
        approver.get_by_role("button", name="Nộp báo cáo").click()
        expect(
            approver.get_by_text(f"Đã nộp báo cáo của Sở Y tế, đợt “{submission.round.name}”.")
        ).to_be_visible()

        log_in(coordinator, live_server.url, "coordinator")
        coordinator.goto(url)
        coordinator.get_by_label("Ý kiến (bắt buộc khi trả lại hoặc mở lại)").fill(
            "Kiểm tra lại dòng 1."
        )
        coordinator.get_by_role("button", name="Trả lại để sửa").click()
        expect(coordinator.locator("p.conflict", has_text="Kiểm tra lại dòng 1.")).to_be_visible()

        reporter.goto(url)
        first = reporter.locator("input.cell-input").first
        first.focus()
        reporter.keyboard.press("Control+A")
        reporter.keyboard.type("11")
        reporter.keyboard.press("Enter")
        reporter.wait_for_load_state("networkidle")
        expect(reporter.locator("td.total").first).to_have_text("13")

        approver.goto(url)
        approver.get_by_label("Giải trình các cảnh báo (nếu có)").fill("Đã sửa dòng 1.")
        approver.get_by_role("button", name="Nộp báo cáo").click()
        expect(approver.get_by_text("Đã nộp", exact=True)).to_be_visible()

        coordinator.goto(url)
        coordinator.get_by_role("button", name="Duyệt (khóa báo cáo)").click()
        expect(coordinator.get_by_text("Đã duyệt", exact=True)).to_be_visible()

        reporter.goto(url)
        assert reporter.locator("input.cell-input:not([disabled])").count() == 0
        # Even a forged request is refused once the report is accepted.
        _c, row, combo = reporter.locator("td.cell").first.get_attribute("id").split("-")
        response = reporter.request.post(
            f"{url}cell/",
            form={"row": row, "combo": combo, "version": "2", "value": "999"},
            headers={
                "X-CSRFToken": reporter.evaluate(
                    "JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']"
                )
            },
        )
        assert response.status == 200 and "không sửa được" in response.text()

    submission.refresh_from_db()
    assert submission.status == Status.ACCEPTED
    assert (
        DataValue.objects.get(
            submission=submission, data_element__code="KB_E000", option_combo__code="MALE"
        ).value
        == "11"
    )
