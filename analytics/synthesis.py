"""The province's synthesis report for a round: a .docx in the Decree 30/2020/NĐ-CP format and a
.xlsx workbook. Pure functions: they take the figures and texts as plain data and return bytes,
so the aggregation engine and the coordinator (or a test) decide what they are.

The Word report is the province's: for each outline section the coordinator's own text (written
beside the units' answers, analytics.models.SectionText), then the tables of figures, the
signature, and the units' own words in an annex; every heading numbered (I., 1., 1.1.) in
Word's heading styles, and which reports it draws on stated under the introduction and in the
annex (`Basis`)."""

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from core.spreadsheet import put_text

FONT = "Times New Roman"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Decree 30/2020, Appendix I: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
CONTENT_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
HEADER_LEFT_MM, HEADER_RIGHT_MM = 62, CONTENT_MM - 62
TABLE_HEADINGS = ("TT", "Chỉ tiêu", "Đơn vị tính", "Kết quả", "Chỉ tiêu năm 2025", "Đánh giá")
TABLE_WIDTHS_MM = (10, 66, 20, 22, 27, 20)

DEFAULT_RECIPIENTS = [
    "Bộ Nội vụ (b/c);",
    "Thường trực Tỉnh ủy (b/c);",
    "CT, PCT UBND tỉnh;",
    "Vụ Bình đẳng giới, Bộ Nội vụ;",
    "Ban Tuyên giáo và Dân vận Tỉnh ủy;",
    "Ủy ban MTTQ Việt Nam tỉnh;",
    "Các sở, ban, ngành tỉnh;",
    "Công an tỉnh;",
    "Hội Liên hiệp phụ nữ tỉnh;",
    "UBND các xã, phường, đặc khu;",
    "VPUB: CVP, PCVP, KGVX;",
    "Lưu: VT, KGVX.",
]


@dataclass(frozen=True)
class Basis:
    """Which units' reports a synthesis draws on, as the coordinator chooses it: `statuses` are
    the submissions' states counted; `statement` is what the documents say."""

    code: str
    label: str
    statuses: tuple[str, ...] | None  # None: every saved report, drafts included
    statement: str


BASES = (
    Basis(
        "submitted",
        "Báo cáo đã nộp và đã duyệt (mặc định)",
        ("submitted", "accepted"),
        "Chỉ tổng hợp báo cáo đã nộp và đã được duyệt",
    ),
    Basis(
        "accepted",
        "Chỉ báo cáo đã được Sở Nội vụ duyệt",
        ("accepted",),
        "Chỉ tổng hợp báo cáo đã được Sở Nội vụ duyệt",
    ),
    Basis(
        "all",
        "Mọi báo cáo đã lưu, kể cả đang nhập, bị trả lại",
        None,
        "Tổng hợp mọi báo cáo đã lưu, kể cả báo cáo đang nhập, chưa nộp hoặc bị trả lại",
    ),
)
DEFAULT_BASIS = BASES[0]


def basis_of(code: str) -> Basis:
    return next((b for b in BASES if b.code == code), DEFAULT_BASIS)


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
Step = Callable[[str], None]  # called after each part is laid out, with what was done


def _no_step(step: str) -> None:
    return None


@dataclass
class Draft:
    """What the coordinator edits before generating."""

    title: str
    date: datetime.date
    number: str = "…/BC-UBND"
    parent_body: str = ""  # above the issuer, not bold (none for a provincial People's Committee)
    issuer: str = "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI"
    place: str = "Quảng Ngãi"
    doc_type: str = "BÁO CÁO"
    introduction: str = ""
    closing: str = ""
    recipients: list[str] = field(default_factory=lambda: list(DEFAULT_RECIPIENTS))
    signer_title: str = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
    signer: str = ""
    # Which reports it draws on ("Chỉ tổng hợp báo cáo đã nộp và đã được duyệt: 57/110 đơn
    # vị."), under the introduction and atop the annex; `annex_scope` names the units whose own
    # words the annex carries when not every kind is chosen.
    basis: str = ""
    annex_scope: str = ""


@dataclass
class Answer:
    unit: str
    text: str


@dataclass
class Question:
    text: str  # shown only when the section asks more than one question
    answers: list[Answer]


@dataclass
class NarrativeSection:
    number: str
    title: str
    questions: list[Question]
    text: str = ""  # the province's own section, written by the coordinator

    @property
    def answer_count(self) -> int:
        return sum(len(q.answers) for q in self.questions)


@dataclass
class TableRow:
    code: str
    name: str
    unit: str  # unit of measure
    value: str  # already formatted as it must read ("1.234", "45,2", "<5")
    target: str = ""  # the 2025 target as written ("≥ 50")
    direction: str = ""  # "Đạt ít nhất", "Không vượt quá"…
    status: str = ""  # "Đạt", "Chưa đạt", "Chưa có số liệu"…


@dataclass
class Table:
    number: str
    title: str
    rows: list[TableRow]


def date_line(place: str, day: datetime.date) -> str:
    """Decree 30: a leading zero for days below 10 and for months 1 and 2."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def target_text(row: TableRow) -> str:
    return " ".join(part for part in (row.direction, row.target) if part)


# --- Word ----------------------------------------------------------------------------------------


def _fonts(rpr_parent, size: float | None = None):
    """Times New Roman for every script (Latin, East Asian, complex), theme fonts removed: a theme
    attribute wins over the plain one, and Vietnamese must not fall back to another face."""
    if hasattr(rpr_parent, "get_or_add_rPr"):
        rpr = rpr_parent.get_or_add_rPr()
    else:  # docDefaults' rPrDefault is a plain element
        rpr = rpr_parent.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            rpr_parent.append(rpr)
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):  # asciiTheme… and cstheme
            del fonts.attrib[attr]
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), FONT)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            element = rpr.find(qn(tag))
            if element is None:
                element = OxmlElement(tag)
                rpr.append(element)
            element.set(qn("w:val"), str(int(size * 2)))


def _setup(document):
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True  # no page number on page 1

    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            _fonts(rpr_default)
    for style in document.styles:
        if style.type in (1, 2, 3):  # paragraph, character, table
            _fonts(style.element)
            style.font.color.rgb = None
    for fonts in document.styles.element.iter(qn("w:rFonts")):  # table styles' parts too
        for attr in list(fonts.attrib):
            if attr.lower().endswith("theme"):
                del fonts.attrib[attr]
    normal = document.styles["Normal"]
    normal.font.size = Pt(14)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for level in (1, 2, 3):  # numbered headings: black Times New Roman 14, bold (3: italic)
        style = document.styles[f"Heading {level}"]
        style.font.size, style.font.bold, style.font.italic = Pt(14), True, level == 3
        style.font.color.rgb = None
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(6), Pt(6), True
        fmt.line_spacing = 1.15

    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE", size=13)


def _field(paragraph, instruction: str, size: float):
    for kind, text in (("begin", None), (None, f" {instruction} "), ("separate", None)):
        run = paragraph.add_run()
        _fonts(run._r, size)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    run = paragraph.add_run("2")
    _fonts(run._r, size)
    end = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)


def _para(
    container,
    text="",
    *,
    size=14,
    bold=False,
    italic=False,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent=True,
    before=0,
    after=6,
    heading=False,
):
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.keep_with_next = heading
    fmt.first_line_indent = Mm(10) if indent else Mm(0)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if text:
        _run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _run(paragraph, text, *, size=14, bold=False, italic=False):
    lines = text.split("\n")
    run = None
    for position, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.bold, run.italic = bold, italic
        _fonts(run._r, size)
        if position < len(lines) - 1:
            run.add_break(WD_BREAK.LINE)
    return run


def _rule(container, width_mm: float, cell_mm: float):
    """A solid line, `width_mm` long and centred, right under the previous paragraph (what Decree
    30 draws under the motto, the issuer and the title): the top border of a near-empty
    paragraph narrowed by equal indents, so the text above keeps its full width."""
    paragraph = container.add_paragraph()
    side = max((cell_mm - width_mm) / 2 - 2, 0)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(side)
    fmt.first_line_indent = Mm(0)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        top.set(qn(f"w:{key}"), value)
    borders.append(top)
    # pBdr must precede spacing/ind/jc in CT_PPr's sequence.
    anchor = next(
        (ppr.find(qn(t)) for t in ("w:spacing", "w:ind", "w:jc") if ppr.find(qn(t)) is not None),
        None,
    )
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)
    _fonts(paragraph.add_run()._r, 2)
    return paragraph


def _no_borders(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _widths(table, widths_mm):
    """Fixed column widths, written where Word (cells) and LibreOffice (the grid) read them."""
    table.autofit = False
    tbl = table._tbl
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl.tblPr.append(layout)
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _cell_para(cell, text="", **kwargs):
    """The cell's first (empty) paragraph, then new ones."""
    kwargs.setdefault("align", WD_ALIGN_PARAGRAPH.CENTER)
    kwargs.setdefault("indent", False)
    kwargs.setdefault("after", 0)
    first = cell.paragraphs[0]
    if not first.runs and not getattr(cell, "_used", False):
        cell._used = True
        first.alignment = kwargs["align"]
        fmt = first.paragraph_format
        fmt.first_line_indent = Mm(0)
        fmt.space_before, fmt.space_after = Pt(kwargs.get("before", 0)), Pt(kwargs["after"])
        if text:
            _run(first, text, **{k: kwargs[k] for k in ("size", "bold", "italic") if k in kwargs})
        return first
    return _para(cell, text, **kwargs)


def _header(document, draft: Draft):
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, (HEADER_LEFT_MM, HEADER_RIGHT_MM))
    left, right = table.cell(0, 0), table.cell(0, 1)
    if draft.parent_body:
        _cell_para(left, draft.parent_body.upper(), size=13)
    _cell_para(left, draft.issuer.upper(), size=13, bold=True)
    _rule(left, HEADER_LEFT_MM * 0.4, HEADER_LEFT_MM)
    _cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    _cell_para(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
    _rule(right, 64, HEADER_RIGHT_MM)
    _cell_para(table.cell(1, 0), f"Số: {draft.number}", size=13, before=6)
    _cell_para(table.cell(1, 1), date_line(draft.place, draft.date), size=14, italic=True, before=6)


def _signature(document, draft: Draft):
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (CONTENT_MM / 2, CONTENT_MM / 2))
    left, right = table.cell(0, 0), table.cell(0, 1)
    left_align = WD_ALIGN_PARAGRAPH.LEFT
    _cell_para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=left_align)
    for line in draft.recipients:
        _cell_para(left, f"- {line.lstrip('- ').strip()}", size=11, align=left_align)
    _cell_para(right, draft.signer_title.upper(), size=14, bold=True)
    for _blank in range(4):  # room for the signature and the seal
        _cell_para(right, "", size=14)
    _cell_para(right, draft.signer, size=14, bold=True)


def _heading(container, text: str, level: int, *, align=WD_ALIGN_PARAGRAPH.LEFT):
    """A numbered heading in Word's heading style of its level (the navigation pane and a table
    of contents list it): parts "I.", sections "1.", questions "1.1."."""
    paragraph = container.add_paragraph(style=f"Heading {level}")
    paragraph.alignment = align
    paragraph.paragraph_format.first_line_indent = Mm(10) if level > 1 else Mm(0)
    _run(paragraph, text, size=14, bold=True, italic=level == 3)
    return paragraph


def _paragraphs(document, text: str) -> int:
    """Each non-blank line of `text` a justified paragraph; how many."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        _para(document, line)
    return len(lines)


def _province_section(document, position: int, section: NarrativeSection):
    _heading(document, f"{position}. {section.title}", 2)
    if not _paragraphs(document, section.text):
        _para(document, "(Chưa có nội dung tổng hợp cho mục này.)", italic=True)


def _answers(document, question: Question):
    if not question.answers:
        _para(document, "(Không có đơn vị nào báo cáo nội dung này.)", italic=True)
    for answer in question.answers:
        lines = [line.strip() for line in answer.text.splitlines() if line.strip()] or [""]
        first = _para(document)
        _run(first, f"{answer.unit}: ", bold=True, italic=True)
        _run(first, lines[0])
        for line in lines[1:]:
            _para(document, line)


def _annex(document, draft: Draft, sections: list[NarrativeSection], step: Step):
    """The units' own words, section by section, after the signature (Decree 30: an annex
    "kèm theo" the report)."""
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _heading(document, "PHỤ LỤC\nÝ KIẾN BÁO CÁO CỦA CÁC ĐƠN VỊ", 1, align=center)
    when = f"{draft.date:%d/%m/%Y}"
    _para(
        document,
        f"(Kèm theo Báo cáo số {draft.number} ngày {when})",
        italic=True,
        align=center,
        indent=False,
    )
    note = " ".join(part for part in (draft.basis, draft.annex_scope) if part)
    if note:
        _para(document, note, italic=True)
    for position, section in enumerate(sections, start=1):
        _heading(document, f"{position}. {section.title}", 2)
        several = len(section.questions) > 1
        for number, question in enumerate(section.questions, start=1):
            if several:
                _heading(document, f"{position}.{number}. {question.text}", 3)
            _answers(document, question)
        step(f"Phụ lục: {position}. {section.title}")


def _table(document, table: Table, position: int):
    _heading(document, f"{position}. {table.title}", 2)
    grid = document.add_table(rows=1, cols=len(TABLE_HEADINGS))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, heading in zip(grid.rows[0].cells, TABLE_HEADINGS, strict=True):
        _cell_para(cell, heading, size=12, bold=True)
    header_row = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header_row.append(repeat)
    for position, row in enumerate(table.rows, start=1):
        line = grid.add_row()
        line._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cells = line.cells
        texts = (str(position), row.name, row.unit, row.value, target_text(row), row.status)
        for column, (cell, text) in enumerate(zip(cells, texts, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if column == 1 else WD_ALIGN_PARAGRAPH.CENTER
            _cell_para(cell, text, size=12, align=align)
    _widths(grid, TABLE_WIDTHS_MM)
    _para(document, "", after=0)


def docx_steps(sections: list[NarrativeSection], tables: list[Table]) -> int:
    """How many times build_docx calls `step`."""
    annex = len(sections) if any(s.answer_count for s in sections) else 0
    return len(sections) + len(tables) + annex + 1


def build_docx(
    draft: Draft,
    sections: list[NarrativeSection],
    tables: list[Table],
    step: Step = _no_step,
) -> bytes:
    """The report: the province's text of each section (part I), the tables (part II), the
    closing and signature, then the annex of the units' answers when there are any."""
    document = Document()
    _setup(document)
    _header(document, draft)
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(
        document, draft.doc_type.upper(), bold=True, align=center, indent=False, before=18, after=0
    )
    _para(document, draft.title, bold=True, align=center, indent=False, after=2)
    _rule(document, 40, CONTENT_MM)
    _para(document, "", after=6)
    _paragraphs(document, draft.introduction)
    if draft.basis:
        _para(document, f"({draft.basis})", italic=True)
    parts = iter(ROMAN)
    if sections:
        _heading(document, f"{next(parts)}. KẾT QUẢ THỰC HIỆN", 1)
        for position, section in enumerate(sections, start=1):
            _province_section(document, position, section)
            step(f"{position}. {section.title}")
    if tables:
        _heading(document, f"{next(parts)}. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", 1)
        for position, table in enumerate(tables, start=1):
            _table(document, table, position)
            step(f"Bảng {position}. {table.title}")
    _paragraphs(document, draft.closing)
    _signature(document, draft)
    if any(section.answer_count for section in sections):
        _annex(document, draft, sections, step)
    out = io.BytesIO()
    document.save(out)
    step("Lưu tệp Word")
    return out.getvalue()


# --- Excel ---------------------------------------------------------------------------------------

RAW_HEADINGS = (
    "Mã đơn vị",
    "Đơn vị",
    "Trạng thái báo cáo",
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Phân tổ",
    "Giá trị",
    "Ghi chú",
)
RAW_KEYS = ("unit_code", "unit", "status", "code", "name", "combo", "value", "comment")
AGGREGATE_HEADINGS = ("TT", "Mã", "Chỉ tiêu", "Đơn vị tính", "Kết quả", "Chỉ tiêu 2025", "Đánh giá")
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _put(ws, row, col, value, *, bold=False, wrap=False):
    """Text stays text: never a formula, and a leading = + - @ gets Excel's quote prefix."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        put_text(cell, value, limit=32000)
    else:
        cell.value = value
    cell.font = Font(name=FONT, bold=bold)
    cell.border = BOX
    cell.alignment = Alignment(wrap_text=wrap, vertical="top")
    return cell


def sheet_name(text: str, taken: set) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", text).strip("' ")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


RAW_STEP = 2000  # raw rows written between two progress steps


def xlsx_steps(tables: list[Table], raw_values: list[dict]) -> int:
    """How many times build_xlsx calls `step`."""
    return len(tables) + -(-len(raw_values) // RAW_STEP) + 1


def build_xlsx(
    round_, tables: list[Table], raw_values: list[dict], *, basis: str = "", step: Step = _no_step
) -> bytes:
    """One sheet per table of aggregates (`basis`, which reports they count, under the title),
    then every unit's raw values. `round_` needs `name` (and `code`); raw values are dicts with
    RAW_KEYS."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set = set()
    for table in tables:
        ws = workbook.create_sheet(sheet_name(f"{table.number} {table.title}", taken))
        heading = ws.cell(row=1, column=1)
        put_text(heading, str(round_.name))
        heading.font = Font(name=FONT, bold=True)
        _put(ws, 2, 1, f"{table.number}. {table.title}", bold=True).border = Border()
        if basis:
            _put(ws, 3, 1, basis).border = Border()
        for col, heading in enumerate(AGGREGATE_HEADINGS, start=1):
            _put(ws, 4, col, heading, bold=True)
        for position, row in enumerate(table.rows, start=1):
            texts = (row.code, row.name, row.unit, row.value, target_text(row), row.status)
            _put(ws, 4 + position, 1, position)
            for col, text in enumerate(texts, start=2):
                _put(ws, 4 + position, col, text, wrap=col == 3)
        for letter, width in zip("ABCDEFG", (5, 18, 60, 12, 14, 18, 14), strict=True):
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = "A5"
        step(f"Bảng {table.number}. {table.title}")
    ws = workbook.create_sheet(sheet_name("Số liệu từng đơn vị", taken))
    for col, heading in enumerate(RAW_HEADINGS, start=1):
        _put(ws, 1, col, heading, bold=True)
    for line, raw in enumerate(raw_values, start=2):
        for col, key in enumerate(RAW_KEYS, start=1):
            _put(ws, line, col, str(raw.get(key, "")))
        if (line - 1) % RAW_STEP == 0 or line - 1 == len(raw_values):
            step(f"Số liệu từng đơn vị: {line - 1}/{len(raw_values)} dòng")
    for letter, width in zip("ABCDEFGH", (10, 30, 14, 18, 50, 14, 12, 30), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:H{max(len(raw_values) + 1, 1)}"
    out = io.BytesIO()
    workbook.save(out)
    step("Lưu tệp Excel")
    return out.getvalue()
