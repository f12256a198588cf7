"""The synthesis report: the .docx in the Decree 30/2020 format, the .xlsx, and the page."""

import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from analytics import synthesis
from core.spreadsheet import XLSX_MIME
from reports.models import DataValue, NarrativeAnswer, Question, Round, Submission
from reports.tests.test_api import ANNUAL, fill, move_round

DATE = datetime.date(2026, 2, 5)
TABLES = [
    synthesis.Table(
        number="II.1",
        title="Mục tiêu 1: Tăng cường sự tham gia của phụ nữ vào các vị trí quản lý, lãnh đạo",
        rows=[
            synthesis.TableRow(
                "BDG_M1_CQ", "Số cơ quan có lãnh đạo chủ chốt là nữ", "cơ quan", "12"
            ),
            synthesis.TableRow(
                "M1_HDND", "Tỷ lệ nữ đại biểu HĐND cấp xã", "%", "31,5", "30", "Đạt ít nhất", "Đạt"
            ),
        ],
    ),
    synthesis.Table(
        number="II.11",
        title="Dịch vụ phòng ngừa, ứng phó với bạo lực trên cơ sở giới",
        rows=[synthesis.TableRow("GBV_1", "Số nạn nhân được hỗ trợ (Nữ)", "người", "<5")],
    ),
]
SECTIONS = [
    synthesis.NarrativeSection(
        number="I.1",
        title="Tăng cường công tác quản lý, chỉ đạo, điều hành",
        questions=[
            synthesis.Question(
                text="Kết quả",
                answers=[
                    synthesis.Answer("Sở Y tế", "Ban hành kế hoạch số 12/KH-SYT.\nTập huấn 3 lớp."),
                    synthesis.Answer("Công an tỉnh", "Đã triển khai đến công an cấp xã."),
                ],
            )
        ],
    )
]


def draft(**extra) -> synthesis.Draft:
    return synthesis.Draft(
        title="Kết quả thực hiện công tác bình đẳng giới năm 2025",
        date=DATE,
        signer="Trần Hoàng Tuấn",
        introduction="Thực hiện Kế hoạch năm 2025, UBND tỉnh báo cáo như sau:",
        **extra,
    )


def text_of(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_date_line_follows_decree_30():
    assert synthesis.date_line("Quảng Ngãi", DATE) == "Quảng Ngãi, ngày 05 tháng 02 năm 2026"
    assert synthesis.date_line("Quảng Ngãi", datetime.date(2025, 3, 9)).endswith(
        "ngày 09 tháng 3 năm 2025"
    )
    assert synthesis.date_line("Quảng Ngãi", datetime.date(2025, 12, 15)).endswith(
        "ngày 15 tháng 12 năm 2025"
    )


def test_docx_has_the_decree_30_layout():
    document = Document(io.BytesIO(synthesis.build_docx(draft(), SECTIONS, TABLES)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)

    def within(length, low, high):
        return low - 0.1 <= length.mm <= high + 0.1

    assert within(section.top_margin, 20, 25) and within(section.bottom_margin, 20, 25)
    assert within(section.left_margin, 30, 35) and within(section.right_margin, 15, 20)
    # Page numbers in the header from page 2, none on page 1.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml
    # Times New Roman everywhere, for every script (Vietnamese must not fall back).
    fonts = document.styles["Normal"].element.rPr.rFonts
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert fonts.get(qn(f"w:{script}")) == "Times New Roman"
    body = document.element.body
    run_fonts = {f.get(qn("w:ascii")) for f in body.iter(qn("w:rFonts"))}
    assert run_fonts == {"Times New Roman"}
    assert not [a for f in body.iter(qn("w:rFonts")) for a in f.attrib if a.endswith("Theme")]

    header = document.tables[0]
    left = header.cell(0, 0).text
    right = header.cell(0, 1).text
    assert "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI" in left.replace("\n\n", "\n")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    assert header.cell(1, 0).text == "Số: …/BC-UBND"
    assert header.cell(1, 1).text == "Quảng Ngãi, ngày 05 tháng 02 năm 2026"
    assert header.cell(1, 1).paragraphs[0].runs[0].italic
    title_runs = [r for p in header.cell(0, 1).paragraphs for r in p.runs if r.text.strip()]
    assert all(r.bold for r in title_runs)
    assert "w:tblBorders" in header._tbl.xml and 'w:val="nil"' in header._tbl.xml
    assert header.cell(0, 1)._tc.xml.count("<w:pBdr>") == 1  # the rule under the motto

    text = text_of(document)
    assert "BÁO CÁO\nKết quả thực hiện công tác bình đẳng giới năm 2025" in text
    assert "Sở Y tế: Ban hành kế hoạch số 12/KH-SYT." in text
    assert "Công an tỉnh: Đã triển khai đến công an cấp xã." in text
    signature = document.tables[-1]
    assert signature.cell(0, 0).paragraphs[0].text == "Nơi nhận:"
    assert "- Bộ Nội vụ (b/c);" in signature.cell(0, 0).text
    assert signature.cell(0, 1).text.startswith("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH")
    assert signature.cell(0, 1).text.rstrip().endswith("Trần Hoàng Tuấn")


def test_docx_tables_equal_the_figures_passed():
    document = Document(io.BytesIO(synthesis.build_docx(draft(), SECTIONS, TABLES)))
    grids = document.tables[1:-1]
    assert len(grids) == len(TABLES)
    for grid, table in zip(grids, TABLES, strict=True):
        rows = [[c.text for c in row.cells] for row in grid.rows]
        assert rows[0] == list(synthesis.TABLE_HEADINGS)
        assert rows[1:] == [
            [str(n), r.name, r.unit, r.value, synthesis.target_text(r), r.status]
            for n, r in enumerate(table.rows, start=1)
        ]
    assert grids[0].rows[2].cells[4].text == "Đạt ít nhất 30"


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed")
def test_docx_converts_to_pdf_with_libreoffice(tmp_path):
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(synthesis.build_docx(draft(), SECTIONS, TABLES))
    subprocess.run(
        ["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), source],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = (tmp_path / "bao-cao.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Type/Page" in pdf.replace(b" ", b"")


def test_xlsx_has_a_sheet_per_table_and_the_raw_values_escaped():
    class Round_:
        name, code = "Báo cáo năm 2025", "BDG-2025"

    raw = [
        {
            "unit_code": "SYT",
            "unit": "Sở Y tế",
            "status": "Đã nộp",
            "code": "BDG_M1_CQ",
            "name": "Số cơ quan",
            "combo": "Tổng số",
            "value": "12",
            "comment": '=HYPERLINK("http://evil.example","x")',
        },
        {"unit_code": "CAT", "unit": "Công an tỉnh", "value": "-3", "comment": "@a"},
    ]
    workbook = load_workbook(io.BytesIO(synthesis.build_xlsx(Round_(), TABLES, raw)))
    assert len(workbook.sheetnames) == len(TABLES) + 1
    first = workbook[workbook.sheetnames[0]]
    assert [c.value for c in first[5]][1:5] == [
        "BDG_M1_CQ",
        TABLES[0].rows[0].name,
        "cơ quan",
        "12",
    ]
    assert first.cell(row=6, column=6).value == "Đạt ít nhất 30"
    sheet = workbook[workbook.sheetnames[-1]]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert all(c.data_type == "s" for c in cells if c.value)
    unsafe = [c for c in cells if str(c.value or "").startswith(("=", "+", "-", "@"))]
    assert len(unsafe) == 3 and all(c.quotePrefix for c in unsafe)


# --- the page ------------------------------------------------------------------------------------


def page_url(round_) -> str:
    return f"/analytics/rounds/{round_.pk}/synthesis/"


def post_data(**extra) -> dict:
    return {
        "number": "…/BC-UBND",
        "place": "Quảng Ngãi",
        "date": "2026-02-05",
        "title": "Kết quả thực hiện công tác bình đẳng giới năm 2025",
        "recipients": "Bộ Nội vụ (b/c);\nLưu: VT, KGVX.",
        "signer_title": "KT. CHỦ TỊCH\r\nPHÓ CHỦ TỊCH",
        "signer": "Trần Hoàng Tuấn",
        "format": "docx",
        **extra,
    }


@pytest.fixture
def annual(coordinator):
    move_round()
    fill("SYT", coordinator)
    fill("CAT", coordinator, 1)
    submission = Submission.objects.get(round__code=ANNUAL, unit__code="SYT")
    question = Question.objects.filter(section__form=submission.round.form).first()
    NarrativeAnswer.objects.create(
        submission=submission, question=question, text="Đã ban hành kế hoạch số 12/KH-SYT."
    )
    return Round.objects.get(code=ANNUAL)


@pytest.mark.django_db
def test_coordinator_page_is_prefilled(client, coordinator, annual):
    client.force_login(coordinator)
    response = client.get(page_url(annual))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["number"].value() == "…/BC-UBND" and form["place"].value() == "Quảng Ngãi"
    assert form["title"].value() == "Kết quả thực hiện công tác bình đẳng giới năm 2025"
    assert "Bộ Nội vụ (b/c);" in form["recipients"].value()
    assert form["signer"].value() == "Trần Hoàng Tuấn"
    assert "PHÓ CHỦ TỊCH" in form["signer_title"].value()
    assert "Tải báo cáo Word" in response.content.decode()


@pytest.mark.django_db
def test_word_download_compiles_narratives_and_sums(client, coordinator, annual):
    client.force_login(coordinator)
    response = client.post(page_url(annual), post_data())
    assert response.status_code == 200
    assert response["Content-Type"] == synthesis.DOCX_MIME
    assert "B%C3%A1o%20c%C3%A1o%20t%E1%BB%95ng%20h%E1%BB%A3p" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    assert "Sở Y tế: Đã ban hành kế hoạch số 12/KH-SYT." in text_of(document)
    total = sum(
        Decimal(v.value)
        for v in DataValue.objects.filter(
            submission__round=annual, data_element__code="BDG_M1_CQ", no_data=False
        )
    )
    figures = {
        row.cells[1].text: row.cells[3].text for grid in document.tables[1:-1] for row in grid.rows
    }
    name = annual.form.rows().get(data_element__code="BDG_M1_CQ").title
    assert figures[name] == f"{total:f}" and total > 0
    signature = document.tables[-1].cell(0, 1).text
    assert signature.startswith("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH")


@pytest.mark.django_db
def test_leader_downloads_excel(client, leader, annual):
    client.force_login(leader)
    response = client.post(page_url(annual), post_data(format="xlsx"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_MIME
    workbook = load_workbook(io.BytesIO(response.content))
    raw = workbook[workbook.sheetnames[-1]]
    assert {row[0] for row in raw.iter_rows(min_row=2, values_only=True)} == {"SYT", "CAT"}


@pytest.mark.django_db
def test_each_download_is_recorded_with_its_reader(client, leader, annual):
    from audit.models import Action, Event

    client.force_login(leader)
    for fmt in ("docx", "xlsx"):
        assert client.post(page_url(annual), post_data(format=fmt)).status_code == 200
    events = Event.objects.for_object(annual).filter(action=Action.DOWNLOAD)
    assert [e.actor for e in events] == [leader, leader]
    client.get(page_url(annual))  # the page itself records nothing
    assert Event.objects.for_object(annual).filter(action=Action.DOWNLOAD).count() == 2


@pytest.mark.django_db
def test_unit_staff_and_anonymous_are_refused(client, reporter, outsider, annual):
    assert client.get(page_url(annual)).status_code == 302
    for user in (reporter, outsider):
        client.force_login(user)
        assert client.get(page_url(annual)).status_code == 403
        assert client.post(page_url(annual), post_data()).status_code == 403


@pytest.mark.django_db
def test_unknown_round_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/analytics/rounds/999999/synthesis/").status_code == 404


@pytest.mark.django_db
def test_word_tables_equal_the_analytics_api(client, coordinator, annual):
    from accounts.models import ApiToken
    from indicators.models import ComputedIndicator
    from indicators.services import load_catalogue

    load_catalogue()
    client.force_login(coordinator)
    document = Document(io.BytesIO(client.post(page_url(annual), post_data()).content))
    shown = {row.cells[1].text: row.cells[3].text for t in document.tables[1:-1] for row in t.rows}
    _token, key = ApiToken.issue(coordinator)
    api = client.get(
        "/api/v1/analytics",
        {"dimension": ["dx:BDG_M1_CQ;M1-CT;M2-CT1;M3-CT4", f"pe:{ANNUAL}", "ou:51"]},
        headers={"Authorization": f"Bearer {key}"},
    ).json()
    names = {i.code: i.name for i in ComputedIndicator.objects.all()}
    names["BDG_M1_CQ"] = annual.form.rows().get(data_element__code="BDG_M1_CQ").title
    assert len(api["rows"]) == 3  # M1-CT has no value: its numerator is "no data" in fill()
    assert shown[names["M1-CT"]] == ""
    for code, _pe, _ou, value in api["rows"]:
        text = shown[names[code]]
        printed = Decimal(text.replace(".", "").replace(",", "."))
        assert printed == Decimal(value).quantize(printed), (code, text, value)
