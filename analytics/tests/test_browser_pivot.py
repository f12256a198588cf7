"""The pivot in Chromium: choosing rows, columns and items in the page puts the layout in the
address, and reloading that address brings the same layout back (no Ctrl anywhere: checkbox
lists with a filter box that reads "lao dong" as "lao động")."""

import pytest
from playwright.sync_api import expect

from conftest import browser_page, log_in, make_browser_user
from core.roles import Role
from reports.tests.test_api import fill, move_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reporter(live_server, province, audit_flushable):
    user = make_browser_user("syt.baocao", Role.REPORTER, "SYT")
    move_round()
    fill("SYT", user)
    return user


def test_choosing_rows_and_columns_changes_the_address_and_a_reload_restores_it(
    live_server, reporter
):
    with browser_page() as page:
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        log_in(page, live_server.url, "syt.baocao")
        page.goto(
            f"{live_server.url}/analytics/pivot/?row=dx&col=pe&dx=BDG_M2_LD&dx=BDG_HD_TT"
            "&pe=BDG-2025&pe=BDG-2025S1"
        )
        expect(page.locator("table.pivot tbody tr")).to_have_count(2)

        rows, columns = page.locator("select[name=row]"), page.locator("select[name=col]")
        rows.first.select_option("sex")
        columns.first.select_option("dx")
        rows.nth(1).select_option("pe")
        expect(page.locator("[data-role-of=sex]")).to_have_text("dòng")
        page.locator("details.picker summary").first.click()  # open the list of indicators
        page.get_by_role("button", name="Bỏ chọn tất cả").first.click()
        page.get_by_label("Lọc danh sách Chỉ tiêu").fill("lao dong co viec lam")
        expect(page.locator(".picker-status").first).to_have_text("1 mục khớp")
        page.get_by_role("button", name="Chọn các mục đang hiện").first.click()
        expect(page.locator(".picker-summary").first).to_have_text("Số lao động có việc làm")
        page.get_by_role("button", name="Xem bảng").click()

        expect(page).to_have_url(
            f"{live_server.url}/analytics/pivot/?row=sex&row=pe&col=dx&dx=BDG_M2_LD"
            "&pe=BDG-2025S1&pe=BDG-2025&chart=bar"
        )
        header = page.locator("table.pivot thead").inner_text()
        body = page.locator("table.pivot tbody").inner_text()
        assert "Số lao động có việc làm" in header and "Nam" in body and "Tổng số" in body

        page.reload()
        assert rows.evaluate_all("els => els.map(e => e.value)") == ["sex", "pe"]
        assert columns.evaluate_all("els => els.map(e => e.value)") == ["dx", ""]
        assert page.locator("input[name=dx]:checked").count() == 1
        assert page.locator("table.pivot thead").inner_text() == header
        assert page.locator("table.pivot tbody").inner_text() == body
        assert page.locator("svg.chart g.bar").count() == page.locator("table.pivot td").count()
        assert not problems, problems
