"""Acceptance in Chromium (issue 12): an approver's submit with empty cells is blocked and lists
the cells, each a link to its cell; once they are marked "no data" with a reason it goes
through."""

import pytest
from playwright.sync_api import expect

from conftest import browser_page, log_in, make_browser_user
from core.roles import Role
from reports.models import DataValue, Status, Submission
from reports.services import submissions
from reports.tests.factories import fill, make_form, open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submission(province, audit_flushable):
    reporter = make_browser_user("syt.baocao", Role.REPORTER, "SYT")
    make_browser_user("syt.duyet", Role.APPROVER, "SYT")
    form = make_form(rows=3, code="BG", with_part=False)
    open_round(form, code="R-BG")
    submission = Submission.objects.get(round__code="R-BG", unit__code="SYT")
    rows = list(form.rows().order_by("order"))
    empty = {
        (rows[1], rows[1].data_element.category_combo.option_combos.get(code="FEMALE")),
        (rows[2], rows[2].data_element.category_combo.option_combos.get(code="MALE")),
    }
    fill(submission, reporter, value="7", skip=empty)
    question = form.sections.get(kind="narrative").questions.get()
    submissions.save_answer(
        submission=submission, question=question, text="Đã làm.", expected_version=0, actor=reporter
    )
    return submission


def test_an_approvers_submit_with_empty_cells_is_blocked_until_they_are_marked_no_data(
    live_server, submission
):
    url = f"{live_server.url}/reports/submissions/{submission.pk}/"
    with browser_page() as page:
        log_in(page, live_server.url, "syt.duyet")
        page.goto(url)
        page.get_by_role("button", name="Nộp báo cáo").click()
        gate = page.locator("#gate")
        expect(gate).to_contain_text("còn 2 ô chưa nhập")
        links = gate.get_by_role("link")
        expect(links).to_have_text(
            ["Chưa nhập “Chỉ tiêu 2” (Nữ).", "Chưa nhập “Chỉ tiêu 3” (Nam)."]
        )
        assert Submission.objects.get(pk=submission.pk).status == Status.DRAFT

        for number in range(2):
            link = page.locator("#gate").get_by_role("link").first
            target = link.get_attribute("href")
            link.click()
            assert page.url.endswith(target)
            cell = page.locator(target)
            expect(cell).to_be_in_viewport()
            cell.locator("input.cell-input").focus()
            page.keyboard.press("F2")  # the cell's panel: value, "no data" and its reason
            panel = page.locator("#cell-panel")
            panel.get_by_label("Không có số liệu (phải ghi lý do bên dưới)").check()
            panel.get_by_label("Ghi chú / lý do").fill("Ngành chưa thống kê theo giới tính.")
            panel.get_by_role("button", name="Lưu ô này").click()
            expect(cell).to_have_class("cell nodata")
            page.reload()
            remaining = 1 - number
            if remaining:
                expect(page.locator("#gate").get_by_role("link")).to_have_count(remaining)
        expect(page.locator("#gate")).to_have_count(0)
        page.get_by_role("button", name="Nộp báo cáo").click()
        expect(page.get_by_text("Đã nộp", exact=True)).to_be_visible()

    submission.refresh_from_db()
    assert submission.status == Status.SUBMITTED
    assert DataValue.objects.filter(submission=submission, no_data=True).count() == 2
