"""The pivot (issue 14, "a real pivot"): the cross-table equals /api/v1/analytics for the same
layout, its totals are the engine's, its chart has one bar per cell shown, its address restores
it, its CSV and XLSX are the table shown, and a commune reporter sees only their commune."""

import csv
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analytics import engine, pivot
from analytics.tests.test_api import auth, put
from conftest import built_once, make_personas
from core.spreadsheet import csv_unescape
from indicators.models import vi_number
from indicators.services import load_catalogue
from orgs.models import Unit
from reports.tests.test_api import ANNUAL, fill, move_round

pytestmark = pytest.mark.django_db
HALF = "BDG-2025S1"
URL = reverse("analytics:pivot")
UNITS = ["SYT", "CAT", "21025", "21034"]
ELEMENTS = ["BDG_M2_LD", "BDG_M2_LD_LUONG", "BDG_HD_TT"]  # by sex, by sex, no breakdown
GBV = "BDG_M3_NN"  # sensitive, by sex


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module (conftest.built_once; each test's writes are rolled back)."""
    yield from built_once(django_db_blocker, _world)


def _world() -> dict:
    """Four units' annual reports (figures differing by unit), small GBV counts at Sở Y tế."""
    people = make_personas(
        "coordinator", "leader", "reporter", "approver", "commune_reporter", "case_worker"
    )
    load_catalogue()
    move_round()
    for offset, code in enumerate(UNITS):
        fill(code, people["coordinator"], offset=11 * offset)
    put("SYT", GBV, {"MALE": "1", "FEMALE": "2"})
    put("21025", GBV, {"MALE": "10", "FEMALE": "12"})
    put("21034", GBV, {"MALE": "6", "FEMALE": "9"})
    return people


@pytest.fixture
def personas(world):
    return world


@pytest.fixture
def coordinator(world):
    return world["coordinator"]


@pytest.fixture
def commune_reporter(world):
    return world["commune_reporter"]


def shown(text: str) -> str:
    """An API figure as the pivot prints it (Vietnamese digits; markers and blanks as they are)."""
    return vi_number(Decimal(text)) if re.fullmatch(r"-?\d+(\.\d+)?", text) else text


def api(client, user, dimensions, filters=()) -> dict[tuple, str]:
    response = client.get(
        "/api/v1/analytics", {"dimension": list(dimensions), "filter": list(filters)}, **auth(user)
    )
    assert response.status_code == 200, response.content
    return {tuple(row[:-1]): row[-1] for row in response.json()["rows"]}


def table(client, **params) -> pivot.Table:
    response = client.get(URL, params)
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.errors, form.errors
    return response.context["table"]


def cells(found: pivot.Table) -> dict[tuple, str]:
    """(row keys…, column keys…) → text, every cell of the table."""
    return {
        (*pivot._keys(row), *pivot._keys(column)): found.cell(row, column).text
        for row in found.row_keys
        for column in found.column_keys
    }


def test_cross_table_of_indicators_by_unit_equals_the_api(client, coordinator, world):
    dx = [*ELEMENTS, GBV, "M2-CT1", "M3-CT2a"]
    client.force_login(coordinator)
    found = table(
        client, row="dx", col="ou", dx=dx, pe=ANNUAL, level="unit", unit=UNITS, show_empty="on"
    )
    assert [item.key for item in found.column_keys[-1]] == [pivot.TOTAL]
    expected = api(client, coordinator, [f"dx:{';'.join(dx)}", "ou:51;LEVEL-2"], [f"pe:{ANNUAL}"])
    got = cells(found)
    for code in dx:
        for unit in UNITS:
            assert got[(code, unit)] == shown(expected.get((code, unit), "")), (code, unit)
    assert got[(GBV, "SYT")] == "<5"  # the API's suppression, not the exact 3
    # Without empty lines and columns: the same figures, fewer lines.
    assert cells(table(client, row="dx", col="ou", dx=dx, pe=ANNUAL, level="unit", unit=UNITS)) == {
        key: text
        for key, text in got.items()
        if any(got[(key[0], unit)] for unit in [*UNITS, pivot.TOTAL])
    }


def test_totals_over_units_are_the_engines_not_additions_of_shown_text(client, coordinator, world):
    client.force_login(coordinator)
    dx = [*ELEMENTS, "M2-CT1", GBV]
    found = cells(table(client, row="ou", col="dx", dx=dx, pe=ANNUAL, level="unit", unit=UNITS))
    by_unit = api(client, coordinator, [f"dx:{';'.join(dx)}", "ou:51;LEVEL-2"], [f"pe:{ANNUAL}"])
    for code in ELEMENTS:
        added = sum(Decimal(by_unit.get((code, u), "0")) for u in UNITS)
        assert found[(pivot.TOTAL, code)] == vi_number(added)
    # A ratio's total is the ratio of the summed terms, never a sum of ratios.
    combos = api(
        client, coordinator, ["dx:BDG_M2_LD_LUONG", "ou:51;LEVEL-2", "co"], [f"pe:{ANNUAL}"]
    )
    female = sum(Decimal(combos[("BDG_M2_LD_LUONG", u, "FEMALE")]) for u in UNITS)
    both = sum(
        Decimal(combos[("BDG_M2_LD_LUONG", u, c)]) for u in UNITS for c in ("MALE", "FEMALE")
    )
    ratio = engine.display(100 * female / both, False)
    assert found[(pivot.TOTAL, "M2-CT1")] == shown(ratio)
    # A GBV total over units one of which shows "<5": these are all the units with GBV figures,
    # so the total is the province's, which the release publishes (never 3 + the others).
    province = api(client, coordinator, [f"dx:{GBV}", "ou:51"], [f"pe:{ANNUAL}"])
    assert found[("SYT", GBV)] == "<5" and found[(pivot.TOTAL, GBV)] == province[(GBV, "51")]
    # Two units whose set the release does not publish: the sum of their figures as shown, or
    # hidden when one of them is.
    pair = cells(
        table(client, row="ou", col="dx", dx=GBV, pe=ANNUAL, level="unit", unit=["SYT", "21025"])
    )
    assert pair[("SYT", GBV)] == "<5" and pair[(pivot.TOTAL, GBV)] == "x"
    # Every unit under the province: the total is the province's own figure, GBV's included
    # (the release publishes it, though a unit under it shows "<5").
    dx = [*ELEMENTS, "M2-CT1", GBV, "M3-CT2a"]
    everything = cells(table(client, row="ou", col="dx", dx=dx, pe=ANNUAL, level="unit"))
    province = api(client, coordinator, [f"dx:{';'.join(dx)}", "ou:51"], [f"pe:{ANNUAL}"])
    for code in dx:
        assert everything[(pivot.TOTAL, code)] == shown(province.get((code, "51"), "")), code
    assert everything[(pivot.TOTAL, GBV)] == "40"  # 3 + 22 + 15, though Sở Y tế's reads "<5"


def test_sex_on_an_axis_equals_the_apis_option_combos(client, coordinator, world):
    client.force_login(coordinator)
    found = cells(
        table(client, row="pe", col="sex", dx="BDG_M2_LD", pe=[HALF, ANNUAL], show_empty="on")
    )
    filters = ["dx:BDG_M2_LD", "ou:51"]
    by_sex = api(client, coordinator, [f"pe:{HALF};{ANNUAL}", "co"], filters)
    totals = api(client, coordinator, [f"pe:{HALF};{ANNUAL}"], filters)
    for period in (HALF, ANNUAL):
        for sex in ("MALE", "FEMALE"):
            assert found[(period, sex)] == shown(by_sex.get((period, sex), ""))
        assert found[(period, pivot.TOTAL)] == shown(totals.get((period,), ""))
    assert found[(ANNUAL, pivot.TOTAL)]
    # Sex as a filter: the API's co filter.
    female = cells(table(client, row="dx", col="ou", dx=ELEMENTS, pe=ANNUAL, sex="FEMALE"))
    api_female = api(
        client, coordinator, [f"dx:{';'.join(ELEMENTS)}", "ou:51"], [f"pe:{ANNUAL}", "co:FEMALE"]
    )
    assert female == {(dx, "51"): shown(text) for (dx, _ou), text in api_female.items()}
    assert ("BDG_HD_TT", "51") not in female  # no breakdown by sex: nothing for "Nữ"


def test_kinds_of_unit_add_up_the_units_of_each_kind(client, coordinator, world):
    client.force_login(coordinator)
    found = cells(table(client, row="ou", col="dx", dx=ELEMENTS, pe=ANNUAL, level="kind"))
    by_unit = api(
        client, coordinator, [f"dx:{';'.join(ELEMENTS)}", "ou:51;LEVEL-2"], [f"pe:{ANNUAL}"]
    )
    kinds = dict(Unit.objects.values_list("code", "kind"))
    for code in ELEMENTS:
        for kind in {kinds[u] for u in UNITS}:
            added = sum(
                Decimal(text)
                for (dx, unit), text in by_unit.items()
                if dx == code and kinds[unit] == kind
            )
            assert found[(f"kind:{kind}", code)] == vi_number(added)
    assert {key[0] for key in found} == {f"kind:{kinds[u]}" for u in UNITS} | {pivot.TOTAL}


def test_groups_of_units_through_the_engine(coordinator, world):
    """engine.aggregate_groups: the units' rows are aggregate()'s, a group's are its rows' sums."""
    codes = dict(elements=["BDG_M2_LD", GBV], indicators=["M2-CT1"], rounds=[ANNUAL])
    plain = engine.aggregate(user=coordinator, units=["51", "LEVEL-2"], **codes)
    rows, groups = engine.aggregate_groups(
        user=coordinator,
        units=["51", "LEVEL-2"],
        group_of=lambda unit: ["pair"] if unit.code in ("21025", "21034") else [],
        **codes,
    )
    assert engine.displayed(rows) == engine.displayed(plain)
    texts = {(row.dx, row.ou): text for row, text in engine.displayed(groups)}
    single = {(row.dx, row.ou): text for row, text in engine.displayed(plain)}
    assert Decimal(texts[("BDG_M2_LD", "pair")]) == Decimal(
        single[("BDG_M2_LD", "21025")]
    ) + Decimal(single[("BDG_M2_LD", "21034")])
    # The pair's GBV figure is the sum of the two communes' as published, or hidden.
    parts = [single[(GBV, "21025")], single[(GBV, "21034")]]
    assert texts[(GBV, "pair")] == (
        str(sum(int(p) for p in parts)) if all(p.isdigit() for p in parts) else "x"
    )


def test_a_filter_takes_one_item(client, coordinator, world):
    client.force_login(coordinator)
    response = client.get(URL, {"row": "dx", "dx": ELEMENTS, "pe": [HALF, ANNUAL]})
    assert "“Đợt báo cáo” đang là bộ lọc nên cần chọn đúng một mục" in response.content.decode()
    response = client.get(
        URL, {"row": "dx", "dx": ELEMENTS, "pe": ANNUAL, "sex": ["MALE", "FEMALE"]}
    )
    assert "“Giới tính” đang là bộ lọc" in response.content.decode()
    response = client.get(URL, {"row": "dx", "col": "dx", "dx": ELEMENTS, "pe": ANNUAL})
    assert "vừa ở dòng vừa ở cột" in response.content.decode()
    assert "table" not in response.context


# --- the chart, the address, the downloads ------------------------------------------------------


class Grid(HTMLParser):
    """The pivot table of a page as lines of text, spans written out in full."""

    def __init__(self):
        super().__init__()
        self.lines: list[list[str]] = []
        self.inside = False
        self.cell: list[str] | None = None
        self.spans: dict[tuple[int, int], str] = {}  # (line, column) → text of a rowspan

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "pivot" in (attrs.get("class") or ""):
            self.inside = True
        elif self.inside and tag == "tr":
            self.lines.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell, self.attrs = [], attrs

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            line, text = self.lines[-1], "".join(self.cell).strip()
            while (len(self.lines) - 1, len(line)) in self.spans:
                line.append(self.spans[(len(self.lines) - 1, len(line))])
            for down in range(1, int(self.attrs.get("rowspan") or 1)):
                self.spans[(len(self.lines) - 1 + down, len(line))] = text
            line.extend([text] * int(self.attrs.get("colspan") or 1))
            self.cell = None
            while (len(self.lines) - 1, len(line)) in self.spans:
                line.append(self.spans[(len(self.lines) - 1, len(line))])


def page_grid(body: str) -> list[list[str]]:
    parser = Grid()
    parser.feed(body)
    return parser.lines


LAYOUT = {
    "row": ["ou", "dx"],
    "col": "sex",
    "dx": [ELEMENTS[0], GBV, "M2-CT1"],
    "pe": ANNUAL,
    "level": "unit",
    "unit": UNITS,
}


def test_the_chart_has_one_bar_per_cell_shown(client, coordinator, world):
    client.force_login(coordinator)
    response = client.get(URL, LAYOUT)
    body = response.content.decode()
    found = response.context["table"]
    body_cells = len(found.row_keys) * len(found.column_keys)
    assert body_cells == sum(len(line) - 2 for line in page_grid(body)[1:]) > 10
    assert body.count('<g class="bar">') == body_cells
    assert '<title id="chart-title">' in body and 'aria-labelledby="chart-title chart-desc"' in body
    # Each bar is labelled with its figure, hidden ones named and not drawn.
    bars = re.findall(r'<g class="bar">.*?</g>', body)
    first = found.cell(found.row_keys[0], found.column_keys[0])
    assert f">{first.text or '—'}</text>" in bars[0]
    assert all('width="0.0%"' in bar for bar in bars if ">x</text>" in bar or "&lt;5</text>" in bar)
    lines = client.get(URL, {**LAYOUT, "chart": "line"}).content.decode()
    assert lines.count('<g class="point">') == body_cells and '<g class="bar">' not in lines
    assert '<svg class="chart' not in client.get(URL, {**LAYOUT, "chart": "none"}).content.decode()


def test_the_address_keeps_the_layout(client, coordinator, world):
    client.force_login(coordinator)
    response = client.get(URL, LAYOUT)
    link = re.search(r'<a href="\?([^"]+)">Liên kết đến bảng này</a>', response.content.decode())
    again = client.get(f"{URL}?{link.group(1).replace('&amp;', '&')}")
    assert page_grid(again.content.decode()) == page_grid(response.content.decode())
    assert again.context["form"].axis("row") == ["ou", "dx"]
    assert again.context["form"].axis("col") == ["sex", ""]
    # The first page's layout gets an address too.
    first = client.get(URL)
    assert first.context["table"].layout.rows == ["dx"]
    link = re.search(r'<a href="\?([^"]+)">Liên kết đến bảng này</a>', first.content.decode())
    assert "row=dx" in link.group(1) and "col=pe" in link.group(1)


def test_csv_and_xlsx_are_the_table_shown(client, coordinator, world):
    client.force_login(coordinator)
    response = client.get(URL, LAYOUT)
    shown_grid = page_grid(response.content.decode())
    title = response.context["table"].title()

    text = client.get(URL, {**LAYOUT, "format": "csv"}).content.decode("utf-8-sig")
    lines = [[csv_unescape(c) for c in line] for line in csv.reader(io.StringIO(text))]
    assert lines[0] == [title] and "Đợt báo cáo: Báo cáo năm 2025" in title
    assert lines[1:] == shown_grid

    sheet = load_workbook(io.BytesIO(client.get(URL, {**LAYOUT, "format": "xlsx"}).content)).active
    assert sheet.cell(row=1, column=1).value == title
    for merged in list(sheet.merged_cells.ranges):  # spans written out, as on the page
        value = sheet.cell(row=merged.min_row, column=merged.min_col).value
        sheet.unmerge_cells(str(merged))
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                sheet.cell(row=row, column=column).value = value
    book = [
        ["" if v is None else v for v in line]
        for line in sheet.iter_rows(min_row=3, values_only=True)
    ]
    as_text = [
        [vi_number(Decimal(str(v))) if isinstance(v, int | float) else v for v in line]
        for line in book
    ]
    assert as_text == shown_grid
    assert any(isinstance(v, int) for line in book for v in line)  # figures are numbers
    assert "<5" in [v for line in book for v in line]


# --- who sees what -----------------------------------------------------------------------------


def test_a_commune_reporter_sees_only_their_commune(client, commune_reporter, coordinator, world):
    client.force_login(commune_reporter)
    response = client.get(URL)
    assert response.status_code == 200
    own = api(
        client,
        commune_reporter,
        ["dx:" + ";".join(ELEMENTS + [GBV]), "ou:USER_ORGUNIT"],
        [f"pe:{ANNUAL}"],
    )
    # Asking for the province, other units, kinds: their own unit is all there is.
    for extra in ({}, {"level": "unit", "unit": ["SYT", "21034"]}, {"level": "kind"}):
        params = {"row": "ou", "col": "dx", "dx": [*ELEMENTS, GBV], "pe": ANNUAL, **extra}
        response = client.get(URL, params)
        found = response.context["table"]
        assert [row[0].key for row in found.row_keys] == ["21025"]
        assert {key: text for key, text in cells(found).items()} == {
            ("21025", dx): shown(own[(dx, "21025")]) for dx in [*ELEMENTS, GBV]
        }
        body = response.content.decode()
        for other in Unit.objects.exclude(code="21025").filter(parent__code="51"):
            assert other.name not in body
    # Their own GBV count is exact for them (22), as the API gives it.
    assert own[(GBV, "21025")] == "22"
    # Another unit's figures never appear: Sở Y tế's labour figure is nowhere in the table.
    client.force_login(coordinator)
    theirs = cells(
        table(client, row="ou", col="dx", dx=ELEMENTS, pe=ANNUAL, level="unit", unit=["SYT"])
    )
    client.force_login(commune_reporter)
    text = client.get(
        URL, {"row": "ou", "col": "dx", "dx": ELEMENTS, "pe": ANNUAL, "format": "csv"}
    )
    assert all(
        value not in text.content.decode("utf-8-sig") for value in theirs.values() if len(value) > 3
    )


def test_who_may_use_the_pivot(client, personas):
    for name, status in {
        "coordinator": 200,
        "leader": 200,
        "reporter": 200,
        "approver": 200,
        "case_worker": 403,
    }.items():
        client.force_login(personas[name])
        assert client.get(URL).status_code == status, name
    client.logout()
    assert client.get(URL).status_code == 302
