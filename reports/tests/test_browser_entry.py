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
    with browser_page() as page:
        log_in(page, live_server.url, "syt.baocao")
        page.goto(url)
        assert page.locator("input.cell-input").count() == 200
        page.locator("h1").click()  # start from the page, then keyboard only
        focus_first_cell(page)
        for index in range(200):
            page.keyboard.type(str(index + 1))
            page.keyboard.press("Tab")
        # Saves of one table go out in order (hx-sync queue): the last total comes last.
        expect(page.locator("td.total").last).to_have_text("399", timeout=90000)  # 199 + 200
        page.reload()
        values = page.locator("input.cell-input").evaluate_all("els => els.map(e => e.value)")
        assert values == [str(i + 1) for i in range(200)]

    assert DataValue.objects.filter(submission=submission).count() == 200

    with browser_page() as page:
        log_in(page, live_server.url, "syt.duyet")
        page.goto(url)
        page.get_by_label("Giải trình các cảnh báo (nếu có)").fill("Phần thuyết minh gửi sau.")
        page.get_by_role("button", name="Nộp báo cáo").click()
        expect(page.get_by_text("Đã cập nhật trạng thái báo cáo.")).to_be_visible()

    with browser_page() as page:
        log_in(page, live_server.url, "coordinator")
        page.goto(url)
        page.get_by_label("Ý kiến (bắt buộc khi trả lại hoặc mở lại)").fill("Kiểm tra lại dòng 1.")
        page.get_by_role("button", name="Trả lại để sửa").click()
        expect(page.locator("p.conflict", has_text="Kiểm tra lại dòng 1.")).to_be_visible()

    with browser_page() as page:
        log_in(page, live_server.url, "syt.baocao")
        page.goto(url)
        first = page.locator("input.cell-input").first
        first.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("11")
        page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        expect(page.locator("td.total").first).to_have_text("13")

    with browser_page() as page:
        log_in(page, live_server.url, "syt.duyet")
        page.goto(url)
        page.get_by_label("Giải trình các cảnh báo (nếu có)").fill("Đã sửa dòng 1.")
        page.get_by_role("button", name="Nộp báo cáo").click()
        expect(page.get_by_text("Đã nộp", exact=True)).to_be_visible()

    with browser_page() as page:
        log_in(page, live_server.url, "coordinator")
        page.goto(url)
        page.get_by_role("button", name="Duyệt (khóa báo cáo)").click()
        expect(page.get_by_text("Đã duyệt", exact=True)).to_be_visible()

    with browser_page() as page:
        log_in(page, live_server.url, "syt.baocao")
        page.goto(url)
        assert page.locator("input.cell-input:not([disabled])").count() == 0
        # Even a forged request is refused once the report is accepted.
        _c, row, combo = page.locator("td.cell").first.get_attribute("id").split("-")
        response = page.request.post(
            f"{url}cell/",
            form={"row": row, "combo": combo, "version": "2", "value": "999"},
            headers={
                "X-CSRFToken": page.evaluate(
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
