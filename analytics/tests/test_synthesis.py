"""The synthesis report: the .docx in the Decree 30/2020 format (the province's sections, the
tables, the units' words in an annex, numbered headings), the .xlsx, and the workspace."""

import datetime
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from analytics import synthesis
from analytics.models import SectionText
from audit.models import Action, Event
from core.models import Job, JobState
from core.spreadsheet import XLSX_MIME
from reports.models import DataValue, NarrativeAnswer, Question, Round, Status, Submission
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
        number="1",
        title="Tăng cường công tác quản lý, chỉ đạo, điều hành",
        text="UBND tỉnh đã chỉ đạo các sở, ngành xây dựng kế hoạch.\nCác xã đã kiện toàn Ban.",
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
        basis="Chỉ tổng hợp báo cáo đã nộp và đã được duyệt: 2/110 đơn vị phải báo cáo.",
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
    themed = [document.styles.element.iter(qn("w:rFonts")), body.iter(qn("w:rFonts"))]
    assert not [
        a for fonts in themed for f in fonts for a in f.attrib if a.lower().endswith("theme")
    ]

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


HEADING = re.compile(r"^(PHỤ LỤC\n|[IVX]+\. |\d+\. |\d+\.\d+\. )")


def headings(document) -> list[tuple[int, str]]:
    return [
        (int(p.style.name.split()[-1]), p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading")
    ]


def outline(layout) -> list[synthesis.NarrativeSection]:
    """Sections from (questions, has the province's text, answers per question) triples."""
    return [
        synthesis.NarrativeSection(
            number=str(i),
            title=f"Mục đề cương số {i}",
            text=f"Nội dung của tỉnh cho mục {i}.\nĐoạn thứ hai của mục {i}." if written else "",
            questions=[
                synthesis.Question(
                    text=f"Câu hỏi {i}.{j}",
                    answers=[
                        synthesis.Answer(f"Đơn vị {i}-{j}-{k}", f"Ý kiến {i}-{j}-{k} của đơn vị.")
                        for k in range(answers)
                    ],
                )
                for j in range(1, questions + 1)
            ],
        )
        for i, (questions, written, answers) in enumerate(layout, start=1)
    ]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layout=st.lists(
        st.tuples(st.integers(1, 3), st.booleans(), st.integers(0, 2)), min_size=0, max_size=4
    ),
    table_count=st.integers(0, 3),
)
def test_docx_numbers_every_heading_and_keeps_the_units_words_in_the_annex(layout, table_count):
    sections, tables = outline(layout), (TABLES * 2)[:table_count]
    steps: list[str] = []
    document = Document(io.BytesIO(synthesis.build_docx(draft(), sections, tables, steps.append)))
    assert len(steps) == synthesis.docx_steps(sections, tables)  # the progress bar's steps
    parts = iter(synthesis.ROMAN)
    expected = []
    if sections:
        expected.append((1, f"{next(parts)}. KẾT QUẢ THỰC HIỆN"))
        expected += [(2, f"{i}. {s.title}") for i, s in enumerate(sections, start=1)]
    if tables:
        expected.append((1, f"{next(parts)}. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU"))
        expected += [(2, f"{i}. {t.title}") for i, t in enumerate(tables, start=1)]
    annexed = any(s.answer_count for s in sections)
    if annexed:
        expected.append((1, "PHỤ LỤC\nÝ KIẾN BÁO CÁO CỦA CÁC ĐƠN VỊ"))
        for i, section in enumerate(sections, start=1):
            expected.append((2, f"{i}. {section.title}"))
            if len(section.questions) > 1:
                expected += [(3, f"{i}.{j}. {q.text}") for j, q in enumerate(section.questions, 1)]
    assert headings(document) == expected
    assert all(HEADING.match(text) for _level, text in headings(document))

    texts = [p.text for p in document.paragraphs]
    annex = next((n for n, t in enumerate(texts) if t.startswith("PHỤ LỤC")), len(texts))
    assert texts.index(f"({draft().basis})") < annex  # which reports: said under the opening
    for i, section in enumerate(sections, start=1):
        at = texts.index(f"{i}. {section.title}")  # part I's heading comes first
        if section.text:
            assert texts[at + 1 : at + 3] == section.text.splitlines()
        else:
            assert texts[at + 1] == "(Chưa có nội dung tổng hợp cho mục này.)"
        for question in section.questions:
            for answer in question.answers:
                assert texts.index(f"{answer.unit}: {answer.text}") > annex
    if annexed:
        assert texts[annex + 1] == "(Kèm theo Báo cáo số …/BC-UBND ngày 05/02/2026)"
        assert texts[annex + 2] == draft().basis


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


# --- the workspace and its files -----------------------------------------------------------------


def page_url(round_, query: str = "") -> str:
    return f"/analytics/rounds/{round_.pk}/synthesis/{query}"


def section_url(round_, section) -> str:
    return f"/analytics/rounds/{round_.pk}/synthesis/sections/{section.pk}/"


def file_url(round_, job) -> str:
    return f"/analytics/rounds/{round_.pk}/synthesis/jobs/{job.pk}/file/"


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


def make_file(client, user, round_, **extra) -> Job:
    """Start a file from the page (the test settings' tasks run at once) and return its job."""
    response = client.post(page_url(round_), post_data(**extra))
    assert response.status_code == 302 and response["Location"].endswith("#files")
    kind = f"analytics.synthesis_{extra.get('format', 'docx')}"
    return Job.objects.filter(user=user, kind=kind).latest("created_at")


def downloaded(client, round_, job):
    response = client.get(file_url(round_, job))
    assert response.status_code == 200, response.status_code
    return response


SYT_WORDS = "Đã ban hành kế hoạch số 12/KH-SYT."
CAT_DRAFT = "Bản nháp của Công an tỉnh, chưa nộp."
COMMUNE_WORDS = "Xã đã tổ chức 3 buổi truyền thông tại thôn."


@pytest.fixture
def annual(coordinator):
    """The annual round: Sở Y tế submitted (values, an answer), Công an tỉnh still drafting
    (values, an answer), a commune accepted (an answer)."""
    move_round()
    fill("SYT", coordinator)
    fill("CAT", coordinator, 1)
    round_ = Round.objects.get(code=ANNUAL)
    question = Question.objects.filter(section__form=round_.form).first()
    for unit, text, status in (
        ("SYT", SYT_WORDS, Status.SUBMITTED),
        ("CAT", CAT_DRAFT, Status.DRAFT),
        ("21025", COMMUNE_WORDS, Status.ACCEPTED),
    ):
        submission = Submission.objects.get(round=round_, unit__code=unit)
        NarrativeAnswer.objects.create(submission=submission, question=question, text=text)
        Submission.objects.filter(pk=submission.pk).update(status=status)
    return round_


def first_section(round_):
    return round_.form.sections.filter(kind="narrative").first()


@pytest.mark.django_db
def test_workspace_reads_submitted_and_accepted_reports_by_default(client, coordinator, annual):
    client.force_login(coordinator)
    page = client.get(page_url(annual))
    assert page.status_code == 200
    html = page.content.decode()
    assert SYT_WORDS in html and COMMUNE_WORDS in html and CAT_DRAFT not in html
    expected = Submission.objects.filter(round=annual).count()
    assert f"Chỉ tổng hợp báo cáo đã nộp và đã được duyệt: 2/{expected} đơn vị" in html
    form = page.context["form"]
    assert form["title"].value() == "Kết quả thực hiện công tác bình đẳng giới năm 2025"
    assert (
        form["signer"].value() == "Trần Hoàng Tuấn"
        and "PHÓ CHỦ TỊCH" in form["signer_title"].value()
    )

    assert "Riêng số liệu nhạy cảm" in html
    everything = client.get(page_url(annual, "?basis=all")).content.decode()
    assert CAT_DRAFT in everything and SYT_WORDS in everything
    assert "Riêng số liệu nhạy cảm" not in everything  # every saved value anyway
    agencies = client.get(page_url(annual, "?kinds=agency")).content.decode()
    assert SYT_WORDS in agencies and COMMUNE_WORDS not in agencies
    assert "Ý kiến của các đơn vị: cơ quan, tổ chức cấp tỉnh." in agencies
    # A query the filter does not know reads as the default, and says what was wrong.
    odd = client.get(page_url(annual, "?basis=nhap&kinds=district"))
    assert odd.status_code == 200 and odd.context["filters"].errors
    assert SYT_WORDS in odd.content.decode() and CAT_DRAFT not in odd.content.decode()


@pytest.mark.django_db
def test_a_section_text_is_never_overwritten_from_a_stale_version(client, coordinator, annual):
    from conftest import make_user

    section, htmx = first_section(annual), {"HX-Request": "true"}
    client.force_login(coordinator)
    saved = client.post(
        section_url(annual, section), {"text": "Bản A", "expected_version": 0}, headers=htmx
    )
    assert saved.status_code == 200 and "Đã lưu lúc" in saved.content.decode()
    text = SectionText.objects.get(round=annual, section=section)
    assert (text.text, text.version, text.updated_by) == ("Bản A", 1, coordinator)
    assert Event.objects.for_object(text).filter(action=Action.CREATE).count() == 1

    other = make_user("coordinator2", coordinator.role, "SNV")
    client.force_login(other)
    for stale in (0, None):  # opened before the first save, or a form without its version
        data = {"text": "Bản B", **({"expected_version": stale} if stale is not None else {})}
        refused = client.post(section_url(annual, section), data, headers=htmx)
        assert refused.status_code == 200
        body = refused.content.decode()
        assert "người khác đã lưu" in body and "Bản A" in body and "Bản B" in body
        text.refresh_from_db()
        assert (text.text, text.version) == ("Bản A", 1)
    # Without htmx the refusal is a page of its own, with 409.
    page = client.post(section_url(annual, section), {"text": "Bản B", "expected_version": 0})
    assert page.status_code == 409 and "Bản A" in page.content.decode()
    merged = client.post(
        section_url(annual, section), {"text": "Bản A\nBản B", "expected_version": 1}
    )
    assert merged.status_code == 302 and merged["Location"].endswith(f"#s{section.pk}")
    text.refresh_from_db()
    assert (text.text, text.version, text.updated_by) == ("Bản A\nBản B", 2, other)

    too_long = client.post(
        section_url(annual, section), {"text": "x" * 50_001, "expected_version": 2}, headers=htmx
    )
    assert "tối đa 50000 ký tự" in too_long.content.decode() or "50000" in too_long.content.decode()
    text.refresh_from_db()
    assert text.version == 2


@pytest.mark.django_db
def test_only_the_coordinator_writes_and_only_the_rounds_own_sections(
    client, coordinator, leader, reporter, annual
):
    section = first_section(annual)
    client.force_login(leader)
    assert (
        client.post(section_url(annual, section), {"text": "x", "expected_version": 0}).status_code
        == 403
    )
    assert "Lưu nội dung mục này" not in client.get(page_url(annual)).content.decode()
    client.force_login(reporter)
    assert client.get(page_url(annual)).status_code == 403
    client.force_login(coordinator)
    half_year = Round.objects.get(code="BDG-2025S1")
    foreign = first_section(half_year)  # an outline section of the other round's form
    table = annual.form.sections.filter(kind="table").first()
    for part in (foreign, table):
        assert (
            client.post(section_url(annual, part), {"text": "x", "expected_version": 0}).status_code
            == 404
        )
    assert not SectionText.objects.exists()


@pytest.mark.django_db
def test_word_file_carries_the_province_text_the_tables_and_the_annex(client, coordinator, annual):
    section = first_section(annual)
    client.force_login(coordinator)
    province = "Năm 2025, các sở, ngành và địa phương đã triển khai đồng bộ kế hoạch."
    client.post(section_url(annual, section), {"text": province, "expected_version": 0})
    job = make_file(client, coordinator, annual)
    assert job.state == JobState.DONE and job.done == job.total > 0
    page = client.get(page_url(annual)).content.decode()
    assert file_url(annual, job) in page
    response = downloaded(client, annual, job)
    assert response["Content-Type"] == synthesis.DOCX_MIME
    assert "B%C3%A1o%20c%C3%A1o%20t%E1%BB%95ng%20h%E1%BB%A3p" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    at = texts.index(f"1. {section.title}")
    assert texts[at + 1] == province
    annex = texts.index("PHỤ LỤC\nÝ KIẾN BÁO CÁO CỦA CÁC ĐƠN VỊ")
    assert at < annex < texts.index(f"Sở Y tế: {SYT_WORDS}")
    assert not [t for t in texts if CAT_DRAFT in t]  # a draft is not compiled by default
    stated = [t for t in texts if "Chỉ tổng hợp báo cáo đã nộp và đã được duyệt" in t]
    assert len(stated) == 2  # under the opening and atop the annex
    # Sensitive figures are released from every saved value (reports.disclosure): said so.
    assert all("Riêng số liệu nhạy cảm" in t and "kể cả báo cáo chưa nộp" in t for t in stated)
    assert all(HEADING.match(text) for _level, text in headings(document))
    # The tables count the submitted and accepted reports: Sở Y tế's values, not the draft's.
    total = sum(
        Decimal(v.value)
        for v in DataValue.objects.filter(
            submission__round=annual, data_element__code="BDG_M1_CQ", no_data=False
        ).exclude(submission__status=Status.DRAFT)
    )
    shown = {row.cells[1].text: row.cells[3].text for t in document.tables[1:-1] for row in t.rows}
    assert shown[annual.form.rows().get(data_element__code="BDG_M1_CQ").title] == f"{total:f}"
    events = Event.objects.for_object(annual).filter(action=Action.DOWNLOAD)
    assert [e.actor for e in events] == [coordinator]


@pytest.mark.django_db
def test_a_file_is_kept_until_the_data_changes(client, coordinator, annual):
    client.force_login(coordinator)
    job = make_file(client, coordinator, annual)
    again = make_file(client, coordinator, annual)
    assert again.pk == job.pk and again.finished_at == job.finished_at  # not made twice
    assert make_file(client, coordinator, annual, title="Báo cáo khác").pk != job.pk
    job = make_file(client, coordinator, annual)
    assert Job.objects.filter(user=coordinator, kind=job.kind).count() == 1  # older ones dropped

    Submission.objects.filter(round=annual, unit__code="CAT").update(status=Status.SUBMITTED)
    assert "Đã cũ" in client.get(page_url(annual)).content.decode()
    stale = client.get(file_url(annual, job))
    assert stale.status_code == 302 and stale["Location"].endswith("#files")
    assert not Event.objects.for_object(annual).filter(action=Action.DOWNLOAD).exists()
    fresh = make_file(client, coordinator, annual)
    assert fresh.pk != job.pk and not Job.objects.filter(pk=job.pk).exists()
    document = Document(io.BytesIO(downloaded(client, annual, fresh).content))
    assert f"Công an tỉnh: {CAT_DRAFT}" in text_of(document)  # submitted now: compiled


@pytest.mark.django_db
def test_leader_makes_the_excel_file_of_the_chosen_reports(client, leader, annual):
    client.force_login(leader)
    for basis, units in (("submitted", {"SYT"}), ("all", {"SYT", "CAT"})):
        job = make_file(client, leader, annual, format="xlsx", basis=basis)
        response = downloaded(client, annual, job)
        assert response["Content-Type"] == XLSX_MIME
        workbook = load_workbook(io.BytesIO(response.content))
        raw = workbook[workbook.sheetnames[-1]]
        assert {row[0] for row in raw.iter_rows(min_row=2, values_only=True)} == units
        first = workbook[workbook.sheetnames[0]]
        assert first["A3"].value.startswith(synthesis.basis_of(basis).statement)


@pytest.mark.django_db
def test_jobs_and_files_are_their_starters_alone(client, coordinator, leader, reporter, annual):
    client.force_login(coordinator)
    job = make_file(client, coordinator, annual)
    progress = f"/analytics/rounds/{annual.pk}/synthesis/jobs/{job.pk}/"
    assert client.get(progress).status_code == 200
    half_year = Round.objects.get(code="BDG-2025S1")
    assert client.get(file_url(half_year, job)).status_code == 404  # not that round's job
    client.force_login(leader)
    assert (
        client.get(progress).status_code == 404
        and client.get(file_url(annual, job)).status_code == 404
    )
    client.force_login(reporter)
    assert client.get(file_url(annual, job)).status_code == 403
    assert client.post(page_url(annual), post_data()).status_code == 403
    client.logout()
    assert client.get(file_url(annual, job)).status_code == 302
    assert client.get("/analytics/rounds/999999/synthesis/").status_code == 302
    client.force_login(coordinator)
    assert client.get("/analytics/rounds/999999/synthesis/").status_code == 404
    assert not Event.objects.filter(action=Action.DOWNLOAD).exists()


@pytest.mark.django_db
def test_invalid_draft_starts_nothing_and_says_why(client, coordinator, annual):
    client.force_login(coordinator)
    response = client.post(page_url(annual), post_data(date="05/13/2026", signer=""))
    assert response.status_code == 400
    assert "Thông tin văn bản chưa hợp lệ" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_job_whose_starter_lost_the_role_fails_with_the_reason(
    client, coordinator, annual, settings
):
    from core.jobs import run_job

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.force_login(coordinator)
    job = make_file(client, coordinator, annual)
    assert job.state == JobState.QUEUED  # no worker has run it
    assert "có thể chưa chạy" not in client.get(page_url(annual)).content.decode()
    Job.objects.filter(pk=job.pk).update(created_at=job.created_at - datetime.timedelta(minutes=3))
    assert (
        "tiến trình nền (manage.py worker) có thể chưa chạy"
        in client.get(page_url(annual)).content.decode()
    )
    type(coordinator).objects.filter(pk=coordinator.pk).update(role="reporter")
    assert run_job.call(job.pk) == JobState.FAILED
    job.refresh_from_db()
    assert job.error == "Tài khoản không còn quyền xem báo cáo tổng hợp." and job.result is None


@pytest.mark.django_db
def test_word_tables_equal_the_analytics_api(client, coordinator, annual):
    from accounts.models import ApiToken
    from indicators.models import ComputedIndicator
    from indicators.services import load_catalogue

    load_catalogue()
    client.force_login(coordinator)
    job = make_file(client, coordinator, annual, basis="all")  # the API counts every report
    document = Document(io.BytesIO(downloaded(client, annual, job).content))
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
