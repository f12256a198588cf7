"""Acceptance in Chromium: a case from registration to a legal-aid service, behind TOTP."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, IncidentType, ReferralStatus, ServiceRecord
from conftest import BROWSER_PASSWORD, browser_page, log_in, make_browser_user
from core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(province, audit_flushable):
    make_browser_user("syt.hotro", Role.CASE_WORKER, "SYT")
    make_browser_user("stp.trogiup", Role.CASE_WORKER, "STP")
    make_browser_user("cat.hotro", Role.CASE_WORKER, "CAT")


def test_password_alone_opens_no_case(live_server, people):
    with browser_page() as page:
        page.goto(f"{live_server.url}/cases/")
        page.get_by_label("Tên đăng nhập").fill("syt.hotro")
        page.get_by_label("Mật khẩu").fill(BROWSER_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("heading", name="Xác thực hai lớp")).to_be_visible()
        page.goto(f"{live_server.url}/cases/")
        expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))


def test_case_registered_classified_referred_and_served(live_server, people):
    with browser_page() as page:
        log_in(page, live_server.url, "syt.hotro")
        page.goto(f"{live_server.url}/cases/new/")
        page.get_by_label("Họ và tên").fill("Hà Thị Sương Mai")
        page.get_by_label("Giới tính").select_option(label="Nữ")
        page.get_by_label("Nhóm tuổi").first.select_option(label="26–40")
        page.get_by_label("Mức độ nguy cơ").select_option(label="Cao")
        page.get_by_label("Nhận dịch vụ hỗ trợ").check()
        page.get_by_label("Đưa vào số liệu thống kê").check()
        page.get_by_label("Chuyển gửi đến cơ quan khác (mọi cơ quan)").check()
        page.get_by_label("Người đồng ý").select_option(label="Nạn nhân")
        page.get_by_label("Hình thức").select_option(label="Văn bản có chữ ký")
        page.get_by_role("button", name="Tiếp nhận").click()
        expect(page.get_by_role("heading", name=re.compile("HS-"))).to_be_visible()
        assert "Hà Thị Sương Mai" not in page.content()  # codes only until revealed
        case_url = page.url

        # The GBVIMS questions, in order: no rape, no other sexual contact, then physical: yes.
        page.get_by_role("button", name="Ghi nhận vụ việc").click()
        answer(page, "rape", "no")
        answer(page, "sexual_assault", "no")
        answer(page, "physical", "yes")
        expect(page.locator("#classification")).to_contain_text("Tấn công thể chất")
        for context in ("exchange", "held", "tradition"):
            page.locator(f'input[name="c_{context}"][value="no"]').check()
        page.get_by_label("Ngày xảy ra").fill("20/11/2026")
        page.locator("select[name=place_type]").select_option(label="Nhà ở")
        page.locator("select[name=survivor_age_band]").select_option(label="26–40")
        page.locator("select[name=perpetrator_relationship]").select_option(label="Vợ/chồng")
        page.locator("select[name=perpetrator_sex]").select_option(label="Nam")
        page.get_by_role("button", name="Lưu").click()
        expect(page.get_by_text("Bạo lực do bạn đời").first).to_be_visible()

        page.get_by_role("button", name="Chuyển gửi đến cơ quan khác").click()
        page.get_by_label("Loại dịch vụ cần hỗ trợ").select_option(label="Trợ giúp pháp lý")
        page.get_by_label("Cơ quan nhận").select_option(label="Sở Tư pháp")
        page.get_by_role("button", name="Tiếp tục: xem lại trước khi gửi").click()
        expect(page.get_by_text("Sở Tư pháp").first).to_be_visible()
        page.get_by_role("button", name="Xác nhận chuyển gửi").click()
        expect(page.get_by_text("Đã chuyển, chờ tiếp nhận").first).to_be_visible()

    case = Case.objects.get()
    assert case.incidents.get().incident_type == IncidentType.PHYSICAL

    with browser_page() as page:
        log_in(page, live_server.url, "stp.trogiup")
        page.goto(f"{live_server.url}/cases/referrals/")
        page.get_by_role("link", name="Trợ giúp pháp lý").first.click()
        page.get_by_role("button", name="Tiếp nhận").click()
        expect(page.get_by_text("Đã tiếp nhận").first).to_be_visible()
        page.get_by_label("Ghi chú").fill("Đã tư vấn thủ tục ly hôn và yêu cầu cấm tiếp xúc.")
        page.get_by_role("button", name="Ghi nhận đã cung cấp").click()
        expect(page.get_by_text("Đã cung cấp dịch vụ").first).to_be_visible()

    referral = case.referrals.get()
    assert referral.status == ReferralStatus.PROVIDED
    assert ServiceRecord.objects.filter(case=case, referral=referral, outcome="provided").exists()

    with browser_page() as page:
        log_in(page, live_server.url, "cat.hotro")
        response = page.goto(case_url)
        assert response.status == 404
        assert "HS-" not in page.content()


def answer(page, incident_type: str, choice: str):
    """Answer one classification question; the fieldset re-renders (htmx) after each."""
    with page.expect_response(lambda r: "/cases/classify/" in r.url):
        page.locator(f'#classification input[name="q_{incident_type}"][value="{choice}"]').check()
