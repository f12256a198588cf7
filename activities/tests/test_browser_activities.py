"""Acceptance in Chromium: a commune records a training with its photo, then pulls the counts
into its annual report with one action and sees them in the form's cells."""

import re

import pytest
from playwright.sync_api import expect

from activities.models import Activity
from conftest import browser_page, log_in, make_browser_user
from core.roles import Role
from indicators.models import DEFAULT, CategoryOptionCombo
from reports.models import DataValue, Form, Submission
from reports.tests.factories import open_round

from .matrix_activities import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submission(province, audit_flushable):
    make_browser_user("camthanh.baocao", Role.REPORTER, "21025")
    open_round(Form.objects.get(code="BDG_NAM"), code="R-NAM", kinds=("ward",))
    return Submission.objects.get(round__code="R-NAM", unit__code="21025")


def cell(page, row_title: str, column: str):
    return page.locator(f'td.cell input[aria-label="{row_title} — {column}"]')


def test_a_commune_records_a_training_and_fills_its_report(live_server, submission):
    rows = {r.data_element.code: r.title for r in submission.round.form.rows()}
    single = CategoryOptionCombo.objects.get(code=DEFAULT).name
    violations = []
    with browser_page() as page:
        page.on(
            "console",
            lambda message: (
                violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        log_in(page, live_server.url, "camthanh.baocao")
        page.goto(f"{live_server.url}/activities/new/")
        page.get_by_label("Loại hoạt động").select_option(label="Lớp tập huấn, bồi dưỡng")
        page.get_by_label("Tên hoạt động").fill("Tập huấn bình đẳng giới cho cán bộ tổ dân phố")
        page.get_by_label("Kênh").select_option(label="Trực tiếp")
        page.get_by_label("Người tham dự: nam").fill("8")
        page.get_by_label("Người tham dự: nữ").fill("17")
        page.get_by_role("button", name="Lưu").click()
        expect(
            page.get_by_text(
                "Đã ghi nhận hoạt động “Tập huấn bình đẳng giới cho cán bộ tổ dân phố” của "
                "Phường Cẩm Thành, ngày "
            )
        ).to_be_visible()
        expect(page.get_by_text("25 người (nam 8, nữ 17)")).to_be_visible()

        page.get_by_label("Ảnh, tài liệu minh chứng (PDF, Word, Excel, ảnh)").set_input_files(
            {"name": "lop-tap-huan.png", "mimeType": "image/png", "buffer": png(8, 8)}
        )
        page.get_by_role("button", name="Tải lên").click()
        expect(
            page.get_by_text("Đã tải lên 1 tệp minh chứng cho hoạt động “Tập huấn")
        ).to_be_visible()
        expect(page.get_by_role("link", name="lop-tap-huan.png")).to_be_visible()

        page.goto(f"{live_server.url}/reports/submissions/{submission.pk}/")
        expect(
            page.locator("#prefill-preview-activities")
        ).to_be_visible()  # the preview, then one click
        page.get_by_role("button", name="Lấy số liệu từ hoạt động đã ghi nhận").click()
        expect(
            page.get_by_text(re.compile(r"Đã điền \d+ ô số liệu từ hoạt động đã ghi nhận"))
        ).to_be_visible()
        expect(cell(page, rows["BDG_HD_TH"], single)).to_have_value("1")
        expect(cell(page, rows["BDG_HD_TH_HV"], "Nam")).to_have_value("8")
        expect(cell(page, rows["BDG_HD_TH_HV"], "Nữ")).to_have_value("17")
        expect(cell(page, rows["BDG_M6_TT_LUOT"], "Nữ")).to_have_value("17")
        expect(cell(page, rows["BDG_HD_TTHD"], single)).to_have_value("Không")

    assert not violations
    activity = Activity.objects.get()
    assert activity.unit.code == "21025" and activity.commune.code == "21025"
    assert activity.files.get().extension == "png"
    values = {
        (v.data_element.code, v.option_combo.code): v.value
        for v in DataValue.objects.filter(submission=submission).select_related(
            "data_element", "option_combo"
        )
    }
    assert values["BDG_HD_TH_HV", "MALE"] == "8" and values["BDG_HD_TH_HV", "FEMALE"] == "17"
