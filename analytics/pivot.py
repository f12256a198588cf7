"""The pivot: a cross-table of indicators (data elements and computed indicators), units (the
province, kinds of unit, each unit), reporting rounds and sex — any of them on the rows or the
columns, each of the others a filter of one item — with totals, through analytics.engine (the
analytics API's code path: the same figures, the same scope, the same small-count suppression);
and the very table as CSV and XLSX (every text through core.spreadsheet's rule, docs/security.md).

Totals are the engine's, never additions made here: "Tổng" over units is the group of the units
shown (`engine.aggregate_groups`: a computed indicator over the summed terms, a sensitive figure
as the reader may see it), "Tổng số" over sex is the element's total. Indicators and rounds have
no total: adding a ratio to a count, or an annual report to the half-year it repeats, means
nothing. A computed indicator has no breakdown by sex: it shows under "Tổng số" only."""

import csv
import datetime
import io
import itertools
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from accounts.models import User
from core.spreadsheet import csv_escape, put_text
from core.text import vi_sort_key
from indicators.models import ComputedIndicator, vi_number
from orgs.models import Unit, UnitKind
from orgs.tree import UnitTree
from reports.models import Round

from . import charts, engine

DIMENSIONS = {
    "dx": gettext_lazy("Chỉ tiêu"),
    "ou": gettext_lazy("Đơn vị"),
    "pe": gettext_lazy("Đợt báo cáo"),
    "sex": gettext_lazy("Giới tính"),
}
LEVELS = {
    "province": gettext_lazy("Toàn tỉnh"),
    "kind": gettext_lazy("Theo loại đơn vị"),
    "unit": gettext_lazy("Từng đơn vị"),
}
TOTAL = "total"  # the key of a total item (units, sex)
SEX = {"MALE": gettext_lazy("Nam"), "FEMALE": gettext_lazy("Nữ"), TOTAL: gettext_lazy("Tổng số")}
KINDS: list[str] = [
    UnitKind.AGENCY,
    UnitKind.COMMUNE,
    UnitKind.WARD,
    UnitKind.SPECIAL_ZONE,
    UnitKind.DISTRICT,
    UnitKind.PROVINCE,
]
MAX_CELLS = 10_000  # a larger table is refused: narrow the choice (the page says how)
SINGLE_COMBO = "default"  # the option combo of elements without breakdown: their total


class PivotError(Exception):
    """A layout the pivot cannot show; the message says what to change."""


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    total: bool = False  # a total over the dimension's other items
    short: str = ""  # a shorter label, where a chart has little room

    @property
    def brief(self) -> str:
        return self.short or self.label


@dataclass
class Layout:
    """What the page's URL says: the axes, each dimension's items, the options."""

    rows: list[str]
    columns: list[str]
    dx: list[str]
    pe: list[str]
    level: str = "province"
    kinds: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    sex: list[str] = field(default_factory=list)
    accepted_only: bool = False
    show_empty: bool = False

    @property
    def filters(self) -> list[str]:
        return [d for d in DIMENSIONS if d not in self.rows and d not in self.columns]


@dataclass(frozen=True)
class Cell:
    text: str  # as shown: "1.234", "45,33", "<5", "x", or "" (no value)
    value: Decimal | None  # the figure shown; None when hidden or empty
    dx: str  # the indicator it is a figure of (each has its own scale in the chart)
    total: bool = False

    @property
    def hidden(self) -> bool:
        return self.value is None and self.text != ""


@dataclass(frozen=True)
class Header:
    label: str
    span: int
    total: bool = False


@dataclass
class Table:
    layout: Layout
    row_keys: list[tuple[Item, ...]]
    column_keys: list[tuple[Item, ...]]
    cells: dict[tuple[tuple[str, ...], tuple[str, ...]], Cell]
    filters: list[tuple[str, str]]  # (dimension, item) of each filter
    as_of: datetime.datetime
    left_out: int = 0  # lines and columns without any figure, not shown
    unit_total: bool = False  # a line or column "Tổng" of the units shown

    @property
    def axes(self) -> set[str]:
        return {*self.layout.rows, *self.layout.columns}

    def cell(self, row: tuple[Item, ...], column: tuple[Item, ...]) -> Cell:
        return self.cells[(_keys(row), _keys(column))]

    @property
    def size(self) -> int:
        return len(self.row_keys) * len(self.column_keys)

    def row_names(self) -> list[str]:
        return [str(DIMENSIONS[d]) for d in self.layout.rows] or [""]

    def column_headers(self) -> list[list[Header]]:
        """The column headers, one line per column dimension, labels spanning their columns."""
        if not self.layout.columns:
            return [[Header(_("Giá trị"), 1)]]
        return [
            _spans([key[: depth + 1] for key in self.column_keys])
            for depth in range(len(self.layout.columns))
        ]

    def body(self) -> list[tuple[list[tuple[Header, int]], list[Cell]]]:
        """Each line: its row headers that start there (header, depth; a header spans the lines
        of its group) and its cells."""
        starts: list[list[tuple[Header, int]]] = [[] for _key in self.row_keys]
        for depth in range(len(self.layout.rows)):
            line = 0
            for header in _spans([key[: depth + 1] for key in self.row_keys]):
                starts[line].append((header, depth))
                line += header.span
        if not self.layout.rows:
            starts = [[(Header(_("Giá trị"), 1), 0)]]
        return [
            (start, [self.cell(row, column) for column in self.column_keys])
            for start, row in zip(starts, self.row_keys, strict=True)
        ]

    def column_labels(self, column: tuple[Item, ...]) -> str:
        return " · ".join(item.label for item in column) or _("Giá trị")

    def row_labels(self, row: tuple[Item, ...]) -> str:
        return " · ".join(item.label for item in row)

    def grid(self) -> list[list[str]]:
        """The table as lines of text, every header written out in full on every line and
        column: what the CSV holds below its title."""
        width = len(self.row_names())
        lines = []
        for depth in range(max(len(self.layout.columns), 1)):
            last = depth == max(len(self.layout.columns), 1) - 1
            lead = self.row_names() if last else [""] * width
            labels = [
                column[depth].label if self.layout.columns else _("Giá trị")
                for column in self.column_keys
            ]
            lines.append([*lead, *labels])
        for row in self.row_keys:
            labels = [item.label for item in row] or [_("Giá trị")]
            lines.append([*labels, *(self.cell(row, c).text for c in self.column_keys)])
        return lines

    def title(self) -> str:
        parts = [f"{name}: {item}" for name, item in self.filters]
        when = timezone.localtime(self.as_of).strftime("%H:%M %d/%m/%Y")
        parts.append(_("số liệu tới %(when)s") % {"when": when})
        if self.layout.accepted_only:
            parts.append(_("chỉ báo cáo đã duyệt"))
        return _("Bảng tổng hợp") + " — " + "; ".join(parts)


def _keys(items: tuple[Item, ...]) -> tuple[str, ...]:
    return tuple(item.key for item in items)


def _spans(prefixes: list[tuple[Item, ...]]) -> list[Header]:
    """Consecutive equal prefixes as one header spanning them (labelled by the prefix's last)."""
    headers = []
    for prefix, group in itertools.groupby(prefixes):
        headers.append(Header(prefix[-1].label, len(list(group)), prefix[-1].total))
    return headers


# --- what each dimension offers a user -------------------------------------------------------


def roots(user: User) -> list[Unit]:
    """The units a user's "whole" is: the province for province-wide readers (the API's
    USER_ORGUNIT), else the user's own unit."""
    if user.sees_whole_province:
        return list(
            Unit.objects.filter(parent__isnull=True, valid_to__isnull=True).order_by("code")
        )
    return list(Unit.objects.for_user(user).filter(pk=user.unit_id))


def unit_rows(user: User) -> list[Unit]:
    """The units a province-wide reader may pick one by one: the rows of the level-2 breakdown
    of their roots (`ou=<roots>;LEVEL-2`: the old districts, those of a merged province
    included, unless they count into one new unit), by kind then name."""
    tree = UnitTree()
    within = frozenset().union(*(tree.closure(u.pk) for u in roots(user)))
    units = Unit.objects.for_user(user).filter(pk__in=tree.breakdown(within, 2))
    return sorted(units, key=lambda u: (_kind_rank(u.kind), u.sort_key))


def _kind_rank(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def kind_label(kind: str) -> str:
    return str(UnitKind(kind).label) if kind in UnitKind.values else kind


KIND_SHORT: dict[str, object] = {
    UnitKind.AGENCY: gettext_lazy("Cơ quan cấp tỉnh"),
    UnitKind.DISTRICT: gettext_lazy("Huyện cũ"),
}


def _round_short(round_: Round) -> str:
    """ "Năm 2025", "6 tháng đầu 2025" (ISO years and half-years), else the round's name."""
    period = round_.period or ""
    if period.isdigit():
        return _("Năm %(year)s") % {"year": period}
    if period[4:] == "S1" and period[:4].isdigit():
        return _("6 tháng đầu %(year)s") % {"year": period[:4]}
    if period[4:] == "S2" and period[:4].isdigit():
        return _("6 tháng cuối %(year)s") % {"year": period[:4]}
    return round_.name


def round_choices(user: User) -> list[Round]:
    """The rounds the user sees, oldest first (a line over time reads left to right)."""
    return list(Round.objects.for_user(user).order_by("due_on", "code"))


# --- the table -------------------------------------------------------------------------------


def build(*, user: User, layout: Layout) -> Table:
    """The cross-table of `layout` as `user` may see it (PivotError, engine.AnalyticsError)."""
    for name in layout.filters:
        if name != "sex" and len(_chosen(layout, name)) != 1:
            raise PivotError(
                _(
                    "“%(name)s” đang là bộ lọc nên cần chọn đúng một mục; muốn xem nhiều mục, hãy "
                    "đặt “%(name)s” vào dòng hoặc cột."
                )
                % {"name": DIMENSIONS[name]}
            )
    if "sex" in layout.filters and len(layout.sex) > 1:
        raise PivotError(
            _(
                "“Giới tính” đang là bộ lọc nên chỉ chọn một mục (Nam, Nữ hoặc Tổng số); muốn xem "
                "cả Nam và Nữ, hãy đặt “Giới tính” vào dòng hoặc cột."
            )
        )
    if not layout.dx:
        raise PivotError(_("Hãy chọn ít nhất một chỉ tiêu."))
    if not layout.pe:
        raise PivotError(_("Hãy chọn ít nhất một đợt báo cáo."))
    figures = _figures(user, layout)
    items = {
        "dx": figures.dx_items,
        "pe": figures.pe_items,
        "ou": figures.ou_items,
        "sex": _sex_items(layout),
    }
    row_keys = list(itertools.product(*(items[d] for d in layout.rows)))
    column_keys = list(itertools.product(*(items[d] for d in layout.columns)))
    if len(row_keys) * len(column_keys) > MAX_CELLS:
        raise PivotError(
            _(
                "Bảng có %(n)s ô, quá lớn để xem trên trang (tối đa %(max)s): hãy bớt chỉ tiêu, "
                "đơn vị hoặc đợt báo cáo, hoặc đưa một chiều thành bộ lọc."
            )
            % {
                "n": vi_number(Decimal(len(row_keys) * len(column_keys))),
                "max": vi_number(Decimal(MAX_CELLS)),
            }
        )
    if any(not items[d] for d in layout.filters):
        raise PivotError(_("Không có đơn vị nào thuộc lựa chọn ở bộ lọc “Đơn vị”."))
    fixed = {d: items[d][0] for d in layout.filters}
    cells = {}
    for row in row_keys:
        for column in column_keys:
            chosen = {**fixed, **dict(zip(layout.rows, row, strict=True))}
            chosen.update(zip(layout.columns, column, strict=True))
            found = figures.cell(chosen["dx"], chosen["pe"], chosen["ou"], chosen["sex"])
            total = any(item.total for item in (*row, *column))  # a filter's is not a total
            cells[(_keys(row), _keys(column))] = replace(found, total=total)
    table = Table(
        layout=layout,
        row_keys=row_keys,
        column_keys=column_keys,
        cells=cells,
        filters=[(str(DIMENSIONS[d]), fixed[d].label) for d in layout.filters],
        as_of=figures.as_of,
        unit_total="ou" not in layout.filters and any(i.total for i in figures.ou_items),
    )
    return table if layout.show_empty else _without_empty(table)


def _chosen(layout: Layout, name: str) -> list[str]:
    if name == "ou":
        return {"kind": layout.kinds, "unit": layout.units}.get(layout.level, ["*"]) or ["*", "*"]
    return getattr(layout, name)


def _sex_items(layout: Layout) -> list[Item]:
    chosen = layout.sex or ([TOTAL] if "sex" in layout.filters else list(SEX))
    return [Item(key, str(label), key == TOTAL) for key, label in SEX.items() if key in chosen]


def _without_empty(table: Table) -> Table:
    """The table less its lines and columns without any figure (a hidden one counts)."""

    def filled(row, column) -> bool:
        return table.cell(row, column).text != ""

    rows = [r for r in table.row_keys if any(filled(r, c) for c in table.column_keys)]
    columns = [c for c in table.column_keys if any(filled(r, c) for r in rows)]
    table.left_out = len(table.row_keys) - len(rows) + len(table.column_keys) - len(columns)
    table.row_keys, table.column_keys = rows, columns
    return table


@dataclass
class Figures:
    """The engine's figures of a layout: (dx, round, unit or group, sex) → the cell."""

    dx_items: list[Item]
    pe_items: list[Item]
    ou_items: list[Item]
    as_of: datetime.datetime
    found: dict[tuple[str, str, str, str], Cell] = field(default_factory=dict)

    def cell(self, dx: Item, pe: Item, ou: Item, sex: Item) -> Cell:
        return self.found.get((dx.key, pe.key, ou.key, sex.key)) or Cell("", None, dx.key)

    def add(self, result: engine.Result, sex_filter: str | None, indicators: set[str]) -> None:
        for row, text in engine.displayed(result):
            if sex_filter is not None:
                sex = sex_filter
            elif row.co in (engine.TOTAL, SINGLE_COMBO):
                sex = TOTAL
            elif row.co in SEX:
                sex = row.co
            else:
                continue  # a breakdown other than by sex: only its total is shown
            if row.dx in indicators and sex != TOTAL:
                continue
            # The figure as shown (integers, or two decimals): the chart and the XLSX use it.
            value = None if result.marker(row) or text == "" else Decimal(text)
            shown = text if value is None else vi_number(value)
            self.found[(row.dx, row.pe, row.ou, sex)] = Cell(shown, value, row.dx)


def _figures(user: User, layout: Layout) -> Figures:
    dx = list(dict.fromkeys(layout.dx))
    indicators = set(ComputedIndicator.objects.filter(code__in=dx).values_list("code", flat=True))
    rounds = {r.code: r for r in round_choices(user) if r.code in layout.pe}
    pe = [code for code in rounds]  # oldest first
    if len(rounds) < len(set(layout.pe)):
        raise PivotError(_("Có đợt báo cáo không tồn tại hoặc ngoài phạm vi của bạn."))
    sex_filter = None
    combos = None
    if "sex" in layout.filters:
        sex_filter = layout.sex[0] if layout.sex else TOTAL
        combos = None if sex_filter == TOTAL else [sex_filter]
    query: dict[str, Any] = {
        "user": user,
        "elements": [c for c in dx if c not in indicators],
        "indicators": [c for c in dx if c in indicators],
        "rounds": pe,
        "combos": combos,
        "accepted_only": layout.accepted_only,
        "by_combo": sex_filter is None,
    }
    tops = roots(user)
    if not tops:
        raise PivotError(_("Tài khoản chưa gắn với đơn vị nào."))
    level = layout.level if user.sees_whole_province else "province"
    groups = None
    if level == "province":
        result = engine.aggregate(units=[u.code for u in tops], **query)
        ou_items = [Item(code, result.units[code].name) for code in result.requested_units]
    else:
        result, groups = engine.aggregate_groups(
            units=[*(u.code for u in tops), "LEVEL-2"], group_of=_grouping(layout), **query
        )
        ou_items = _unit_items(layout, result, groups)
    figures = Figures(
        dx_items=[Item(code, result.dx[code].name) for code in dx],
        pe_items=[Item(code, rounds[code].name, short=_round_short(rounds[code])) for code in pe],
        ou_items=ou_items,
        as_of=groups.as_of if groups else result.as_of,
    )
    kept = {item.key for item in ou_items}
    figures.add(_only(result, kept), sex_filter, indicators)
    if groups is not None:
        figures.add(_only(groups, kept), sex_filter, indicators)
    return figures


def _only(result: engine.Result, units: set[str]) -> engine.Result:
    """The result's rows of those units (not the old units the engine shows beside them)."""
    result.rows = [row for row in result.rows if row.ou in units]
    return result


def _grouping(layout: Layout):
    if layout.level == "kind":
        kinds = set(layout.kinds) or set(KINDS)
        return lambda unit: [f"kind:{unit.kind}", TOTAL] if unit.kind in kinds else []
    units = set(layout.units)
    return lambda unit: [TOTAL] if not units or unit.code in units else []


def _unit_items(layout: Layout, result: engine.Result, groups: engine.Result) -> list[Item]:
    if layout.level == "kind":
        present = set(groups.requested_units)
        items = [
            Item(f"kind:{k}", kind_label(k), short=str(KIND_SHORT.get(k, "")))
            for k in KINDS
            if f"kind:{k}" in present
        ]
    else:
        chosen = set(layout.units)
        units = [result.units[c] for c in result.requested_units if not chosen or c in chosen]
        units.sort(key=lambda u: (_kind_rank(u.kind), vi_sort_key(u.name)))
        items = [Item(u.code, u.name) for u in units]
    if len(items) > 1:
        items.append(Item(TOTAL, _("Tổng"), total=True))
    return items


# --- downloads -------------------------------------------------------------------------------


def to_csv(table: Table) -> bytes:
    """The table as shown, under a title line naming its filters (UTF-8 with BOM, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_escape(table.title())])
    writer.writerows([[csv_escape(text) for text in line] for line in table.grid()])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    """The table as shown: the title, the headers merged as they span on the page, figures as
    numbers (Vietnamese display is Excel's), "<5" and "x" as text."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Bảng tổng hợp")
    put_text(sheet.cell(row=1, column=1), table.title())
    sheet.cell(row=1, column=1).font = Font(bold=True)
    width = len(table.row_names())
    heads = table.column_headers()
    top = 3
    for depth, headers in enumerate(heads):
        column = width + 1
        for header in headers:
            _head(sheet, top + depth, column, header.label, span=(1, header.span))
            column += header.span
    for position, name in enumerate(table.row_names(), start=1):
        _head(sheet, top + len(heads) - 1, position, name)
    first = top + len(heads)
    for line, (starts, cells) in enumerate(table.body()):
        for header, depth in starts:
            _head(sheet, first + line, depth + 1, header.label, span=(header.span, 1))
        for position, cell in enumerate(cells, start=width + 1):
            target = sheet.cell(row=first + line, column=position)
            if cell.value is not None:
                target.value = (
                    int(cell.value)
                    if cell.value == cell.value.to_integral_value()
                    else float(cell.value)
                )
                target.number_format = "#,##0" if isinstance(target.value, int) else "#,##0.00"
            elif cell.text:
                put_text(target, cell.text)
            if cell.total:
                target.font = Font(bold=True)
    for position in range(1, width + 1):
        sheet.column_dimensions[sheet.cell(row=1, column=position).column_letter].width = 36
    sheet.freeze_panes = sheet.cell(row=first, column=width + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _head(sheet, row: int, column: int, label: str, span: tuple[int, int] = (1, 1)) -> None:
    cell = sheet.cell(row=row, column=column)
    put_text(cell, label)
    cell.font = Font(bold=True)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if span != (1, 1):
        sheet.merge_cells(
            start_row=row,
            start_column=column,
            end_row=row + span[0] - 1,
            end_column=column + span[1] - 1,
        )


# --- the chart -------------------------------------------------------------------------------

MAX_MARKS = 600  # a larger table is not drawn (the page says so)


def chart(table: Table, kind: str) -> SafeString | None:
    """The table drawn as bars or lines (analytics.charts): one mark per cell shown, a group per
    line of the table, its columns in order; None when the table is too large to draw."""
    if kind not in ("bar", "line") or not table.size or table.size > MAX_MARKS:
        return None
    several = len(table.column_keys) > 1
    groups = [
        charts.Group(
            table.row_labels(row),
            [
                charts.Mark(
                    " · ".join(item.brief for item in column) if several else "",
                    cell.text,
                    cell.value,
                    cell.dx,
                    position,
                )
                for position, column in enumerate(table.column_keys)
                for cell in [table.cell(row, column)]
            ],
        )
        for row in table.row_keys
    ]
    rows = " × ".join(str(DIMENSIONS[d]) for d in table.layout.rows) or _("giá trị")
    columns = " × ".join(str(DIMENSIONS[d]) for d in table.layout.columns)
    title = (
        _("Biểu đồ %(kind)s: %(rows)s theo %(columns)s")
        if columns
        else _("Biểu đồ %(kind)s: %(rows)s")
    ) % {"kind": _("cột") if kind == "bar" else _("đường"), "rows": rows, "columns": columns}
    desc = _(
        "Cùng số liệu với bảng ở trên, mỗi ô của bảng một %(mark)s. Mỗi chỉ tiêu có thang đo "
        "riêng bắt đầu từ 0; ô được bảo vệ (“<5”, “x”) hay không có số liệu chỉ ghi chữ, không vẽ."
    ) % {"mark": _("thanh") if kind == "bar" else _("điểm")}
    if table.filters:
        desc += " " + "; ".join(f"{name}: {item}" for name, item in table.filters) + "."
    draw = charts.bar_chart if kind == "bar" else charts.line_chart
    return draw(groups, title=title, desc=desc)
