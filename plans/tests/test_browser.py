"""The main flow in a real Chromium: log in, record progress with an evidence file, see it."""

import contextlib
import importlib
import os

import pytest
from django.db import connection
from playwright.sync_api import expect

from accounts.models import Role, User
from binhdang.browser import launch
from orgs.models import Unit
from orgs.services import load_reference_units
from plans.services import load_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mây-trắng-bay-qua-đồi-chè"


@pytest.fixture
def audit_flushable(transactional_db):
    """The live server's teardown empties every table, and the audit table refuses DELETE and
    TRUNCATE. Browser tests run last (conftest), so lift the triggers only for that flush."""
    yield
    migration = importlib.import_module("audit.migrations.0002_append_only_trigger")
    reverse = {"postgresql": migration.POSTGRES_REVERSE, "sqlite": migration.SQLITE_REVERSE}
    with connection.cursor() as cursor:
        for sql in reverse[connection.vendor]:
            cursor.execute(sql)


@pytest.fixture
def province(transactional_db):
    """The province and the plan: a previous live-server test's teardown emptied the tables."""
    if not Unit.objects.exists():
        load_reference_units()
        load_plan()


@contextlib.contextmanager
def browser_page():
    # Playwright's sync API runs an event loop in this thread: create the data before it starts,
    # since ORM calls made inside it use a connection of their own.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(locale="vi-VN")
            page.set_default_timeout(15000)
            yield page
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE")


def make_user(username, role, unit_code):
    user = User(username=username, full_name=username.title(), role=role)
    user.unit = Unit.objects.get(code=unit_code)
    user.set_password(PASSWORD)
    user.save()


def log_in(page, url, username):
    page.goto(f"{url}/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.fixture
def page(live_server, audit_flushable, province):
    make_user("syt.baocao", Role.REPORTER, "SYT")
    with browser_page() as page:
        yield page


def test_reporter_logs_in_and_records_progress_with_evidence(page, live_server, tmp_path):
    evidence = tmp_path / "bien-ban-truyen-thong.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    log_in(page, live_server.url, "syt.baocao")
    page.get_by_role("link", name="Nhiệm vụ của đơn vị", exact=True).click()
    page.get_by_role("link", name="IV.5.a").click()

    page.get_by_label("Trạng thái").select_option(label="Đang thực hiện")
    page.get_by_label("Tiến độ (%)").fill("60")
    page.get_by_label("Kết quả thực hiện").fill("Đã tổ chức 5 buổi truyền thông tại 3 xã.")
    page.get_by_label("Tệp minh chứng (PDF, Word, Excel, ảnh)").set_input_files(str(evidence))
    page.get_by_role("button", name="Lưu tiến độ").click()

    expect(page.get_by_text("Đã ghi nhận tiến độ.")).to_be_visible()
    expect(page.get_by_text("Đã tổ chức 5 buổi truyền thông tại 3 xã.")).to_be_visible()
    expect(page.locator(".stats strong", has_text="60%")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="bien-ban-truyen-thong.pdf").click()
    assert download.value.suggested_filename == "bien-ban-truyen-thong.pdf"
    assert open(download.value.path(), "rb").read().startswith(b"%PDF")


@pytest.fixture
def coordinator_page(live_server, audit_flushable, province):
    make_user("coordinator", Role.COORDINATOR, "SNV")
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
    page.get_by_role("link", name="Đơn vị").click()
    page.get_by_label("Tìm").fill("ly son")
    expect(page.locator("#units tbody tr")).to_have_count(2)
    expect(page.get_by_role("link", name="Đặc khu Lý Sơn")).to_be_visible()
    assert "q=ly%20son" in page.url  # htmx pushed the filter into the address: it can be shared
    page.get_by_role("link", name="Kế hoạch").click()
    page.get_by_label("Mục").select_option(value="II.5")
    expect(page.locator("article.item")).to_have_count(2)
    assert "section=II.5" in page.url
    assert [text for text in violations if "Content Security Policy" in text] == []
