"""Search on a commune officer's phone and on a desktop, in Chromium: the header's box, the
results, nothing wider than the screen, every result a 44 px tap target."""

import re

import pytest
from playwright.sync_api import expect

from conftest import browser_page, log_in, make_browser_user
from core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= innerWidth"
TAPS = """() => [...document.querySelectorAll('main a, main button, main input')]
    .filter(e => e.offsetParent !== null)
    .map(e => e.getBoundingClientRect())
    .filter(r => r.height < 44 || r.width < 44).length"""


def test_a_commune_reporter_searches_from_the_header_on_a_phone(
    live_server, audit_flushable, province
):
    make_browser_user("camthanh.baocao", Role.REPORTER, "21025")
    with browser_page() as page:
        page.set_viewport_size({"width": 390, "height": 844})
        log_in(page, live_server.url, "camthanh.baocao")
        box = page.get_by_role("search").get_by_label("Từ khóa tìm kiếm")
        expect(box).to_be_visible()
        form = page.get_by_role("search").bounding_box()  # the home page is another's to fit
        assert form and form["x"] >= 0 and form["x"] + form["width"] <= 390
        assert form["height"] >= 44
        box.fill("cam thanh IV.13")
        box.press("Enter")
        expect(page.get_by_role("heading", name="Tìm kiếm")).to_be_visible()
        task = page.get_by_role("link", name="Phường Cẩm Thành · mục IV.13.a (2025)")
        expect(task).to_be_visible()
        expect(task.locator("mark").first).to_have_text("Cẩm Thành")
        for width in (390, 360, 1366):
            page.set_viewport_size({"width": width, "height": 800})
            assert page.evaluate(FITS), width
            assert page.evaluate(TAPS) == 0, width
        task.click()
        expect(page).to_have_url(re.compile(r"/plans/tasks/\d+/$"))
        expect(page.get_by_text("IV.13.a").first).to_be_visible()
