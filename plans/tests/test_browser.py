"""The main flow in a real Chromium: log in, record progress with an evidence file, see it."""

import pytest
from playwright.sync_api import expect

from conftest import browser_page, log_in, make_browser_user
from core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, audit_flushable, province):
    make_browser_user("syt.baocao", Role.REPORTER, "SYT")
    with browser_page() as page:
        yield page


def test_reporter_logs_in_and_records_progress_with_evidence(page, live_server, tmp_path):
    evidence = tmp_path / "bien-ban-truyen-thong.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    log_in(page, live_server.url, "syt.baocao")
    page.locator("summary", has_text="Kế hoạch").click()  # the menu's group, a dropdown
    page.get_by_role("link", name="Nhiệm vụ của đơn vị", exact=True).click()
    page.get_by_role("link", name="IV.5.a").click()

    page.get_by_label("Trạng thái").select_option(label="Đang thực hiện")
    page.get_by_label("Tiến độ (%)").fill("60")
    page.get_by_label("Kết quả thực hiện").fill("Đã tổ chức 5 buổi truyền thông tại 3 xã.")
    page.get_by_label("Tệp minh chứng (PDF, Word, Excel, ảnh)").set_input_files(str(evidence))
    page.get_by_role("button", name="Lưu tiến độ").click()

    expect(
        page.get_by_text(
            "Đã ghi nhận tiến độ nhiệm vụ mục IV.5.a của Sở Y tế: Đang thực hiện, 60%."
        )
    ).to_be_visible()
    expect(page.get_by_text("Đã tổ chức 5 buổi truyền thông tại 3 xã.")).to_be_visible()
    expect(page.locator(".stats strong", has_text="60%")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="bien-ban-truyen-thong.pdf").click()
    assert download.value.suggested_filename == "bien-ban-truyen-thong.pdf"
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")


@pytest.fixture
def coordinator_page(live_server, audit_flushable, province):
    make_browser_user("coordinator", Role.COORDINATOR, "SNV")
    with browser_page() as page:
        log_in(page, live_server.url, "coordinator")
        yield page


def test_htmx_filters_work_under_the_content_security_policy(coordinator_page, live_server):
    page = coordinator_page
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.locator("summary", has_text="Quản trị").click()  # the menu's group, a dropdown
    page.get_by_role("link", name="Đơn vị").click()
    page.get_by_label("Tìm", exact=True).fill("ly son")
    expect(page.locator("#units tbody tr")).to_have_count(2)
    expect(page.get_by_role("link", name="Đặc khu Lý Sơn")).to_be_visible()
    assert "q=ly%20son" in page.url  # htmx pushed the filter into the address: it can be shared
    page.locator("summary", has_text="Kế hoạch").click()
    page.get_by_role("link", name="Kế hoạch", exact=True).click()
    page.get_by_label("Mục").select_option(value="II.5")
    expect(page.locator("article.item")).to_have_count(2)
    assert "section=II.5" in page.url
    assert [text for text in violations if "Content Security Policy" in text] == []
