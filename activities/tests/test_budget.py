"""Budget lines: totals by source and by body equal the sum of the lines, on the page and in the
workbook for Sở Tài chính; a line that spent more than allocated is flagged and counted."""

import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activities.models import BudgetLine, Source
from audit.models import Event
from orgs.models import Unit
from plans.models import PlanItem

AMOUNTS = ("planned", "allocated", "spent")
MILLION = Decimal(1_000_000)


@pytest.fixture
def lines(acts):
    """Sở Y tế's line of the fixture and six more over three units, four sources, two years;
    two of them spent more than they were allocated."""
    item = PlanItem.objects.order_by("pk").first()
    syt, cat, ward = (Unit.objects.get(code=c) for c in ("SYT", "CAT", "21025"))
    rows = [
        (syt, 2025, Source.NTP_1719, "Truyền thông vùng dân tộc thiểu số", 50, 40, 45, item),
        (syt, 2024, Source.PROVINCE, "Tập huấn năm 2024", 10, 10, 9, None),
        (cat, 2025, Source.MOBILISED, "Hỗ trợ nạn nhân", 5, 5, 5, item),
        (cat, 2025, Source.PROVINCE, "Kiểm tra liên ngành", 7, 6, 5.5, None),
        (ward, 2025, Source.COMMUNE, "Tháng hành động", 3, 3, 1, None),
        (ward, 2024, Source.NTP_1719, "Loa truyền thanh", 2, 2, 3, None),
    ]
    created = [
        BudgetLine.objects.create(
            unit=unit,
            year=year,
            source=source,
            description=text,
            planned=Decimal(planned) * MILLION,
            allocated=Decimal(allocated) * MILLION,
            spent=Decimal(str(spent)) * MILLION,
            plan_item=plan_item,
        )
        for unit, year, source, text, planned, allocated, spent, plan_item in rows
    ]
    return [acts["budget"], *created]


def sums(chosen, key) -> dict:
    totals = defaultdict(lambda: dict.fromkeys(AMOUNTS, Decimal(0)))
    for line in chosen:
        for name in AMOUNTS:
            totals[key(line)][name] += getattr(line, name)
    return dict(totals)


def table(rows, key) -> dict:
    return {row[key]: {name: row[name] for name in AMOUNTS} for row in rows}


def query(params, lines):
    item = next(line.plan_item for line in lines if line.plan_item)
    values = {"SYT": Unit.objects.get(code="SYT").pk, "ITEM": item.pk}
    return {key: values.get(value, value) for key, value in params.items()}


FILTERS = [
    ({}, lambda line: True),
    ({"year": 2025}, lambda line: line.year == 2025),
    ({"unit": "SYT"}, lambda line: line.unit.code == "SYT"),
    ({"source": "province"}, lambda line: line.source == "province"),
    ({"plan_item": "ITEM"}, lambda line: line.plan_item_id is not None),
    (
        {"year": 2025, "source": "ntp_1719"},
        lambda line: (line.year, line.source) == (2025, "ntp_1719"),
    ),
]


@pytest.mark.parametrize(("params", "keep"), FILTERS)
def test_totals_by_source_and_by_body_equal_the_sum_of_the_lines(client, acts, lines, params, keep):
    client.force_login(acts["people"]["coordinator"])
    response = client.get(reverse("activities:budget"), query(params, lines))
    context = response.context
    chosen = [line for line in lines if keep(line)]
    assert sorted(line.pk for line in context["lines"]) == sorted(line.pk for line in chosen)
    assert table(context["by_source"], "source") == sums(chosen, lambda line: line.source)
    assert table(context["by_unit"], "unit") == sums(chosen, lambda line: line.unit_id)
    grand = {name: sum(getattr(line, name) for line in chosen) for name in AMOUNTS}
    assert context["grand"] == grand
    assert {name: sum(r[name] for r in context["by_unit"]) for name in AMOUNTS} == grand
    labels = [row["label"] for row in context["by_source"]]
    assert all(label in dict(Source.choices).values() for label in labels)


def test_an_overspent_line_is_flagged_and_counted(client, acts, lines):
    client.force_login(acts["people"]["leader"])
    response = client.get(reverse("activities:budget"))
    body = response.content.decode()
    assert response.context["overspent"] == 2
    count = body[body.index('id="overspent-count"') :]
    assert count.startswith('id="overspent-count" class="late"><strong>2</strong>')
    table = body[body.index('id="lines"') :]
    assert table.count('class="overspent"') == 2
    assert table.count("chi vượt</span>") == 2
    assert client.get(reverse("activities:budget"), {"year": 2025}).context["overspent"] == 1
    only = client.get(reverse("activities:budget"), {"overspent": "on"}).context["lines"]
    assert {line.description for line in only} == {
        "Truyền thông vùng dân tộc thiểu số",
        "Loa truyền thanh",
    }


def test_amounts_show_with_thousands_separators(client, acts, lines):
    client.force_login(acts["people"]["reporter"])
    body = client.get(reverse("activities:budget"), {"year": 2025}).content.decode()
    assert '<td class="nowrap">20.000.000</td>' in body
    assert "<strong>70.000.000</strong>" in body  # planned 20 + 50 million


def test_a_unit_sees_and_totals_only_its_own_lines(client, acts, lines):
    client.force_login(acts["people"]["reporter"])
    context = client.get(reverse("activities:budget")).context
    assert {line.unit.code for line in context["lines"]} == {"SYT"}
    assert [row["label"] for row in context["by_unit"]] == ["Sở Y tế"]
    assert context["grand"]["spent"] == 69 * MILLION


@pytest.mark.parametrize(("params", "keep"), FILTERS[:3])
def test_the_export_sheets_equal_the_page(client, acts, lines, params, keep):
    client.force_login(acts["people"]["coordinator"])
    page = client.get(reverse("activities:budget"), query(params, lines)).context
    response = client.get(reverse("activities:budget_export"), query(params, lines))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Các dòng kinh phí", "Theo nguồn", "Theo đơn vị"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
    rows = [list(r) for r in book["Các dòng kinh phí"].iter_rows(min_row=2, values_only=True)]
    expected = [
        [
            line.year,
            line.unit.name,
            line.plan_item.code if line.plan_item else None,
            line.get_source_display(),
            line.description,
            line.planned,
            line.allocated,
            line.spent,
            "Có" if line.overspent else None,
        ]
        for line in page["lines"]
    ]
    assert rows == expected
    grand = [page["grand"][name] for name in AMOUNTS]
    for title, key in (("Theo nguồn", "by_source"), ("Theo đơn vị", "by_unit")):
        values = [list(r) for r in book[title].iter_rows(min_row=2, values_only=True)]
        assert values == [
            *([row["label"], *(row[name] for name in AMOUNTS)] for row in page[key]),
            ["Tổng cộng", *grand],
        ]
        assert [sum(v[i] for v in values[:-1]) for i in (1, 2, 3)] == grand


def test_amounts_are_typed_as_in_excel_and_an_overspend_is_warned(client, acts):
    client.force_login(acts["people"]["approver"])
    line = acts["budget"]
    data = {
        "unit": line.unit_id,
        "year": 2025,
        "source": "province",
        "description": line.description,
        "planned": "20.000.000",
        "allocated": "18.000.000",
        "spent": "19500000",
        "expected_version": line.version,
    }
    url = reverse("activities:budget_edit", args=[line.pk])
    response = client.post(url, data, follow=True)
    line.refresh_from_db()
    assert line.spent == Decimal(19_500_000)
    assert "số đã chi vượt số được giao" in response.content.decode()
    assert Event.objects.for_object(line).get().changes == {"spent": ["15000000", "19500000"]}


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5000", "Không được nhập số âm."),
        ("năm triệu", "Nhập số tiền bằng đồng"),
        ("1500,5", "không có phần lẻ"),
    ],
)
def test_bad_amounts_change_nothing(client, acts, amount, message):
    client.force_login(acts["people"]["reporter"])
    data = {
        "year": 2025,
        "source": "commune",
        "description": "Hội nghị",
        "planned": "1.000.000",
        "allocated": "1.000.000",
        "spent": amount,
    }
    response = client.post(reverse("activities:budget_new"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert BudgetLine.objects.count() == 1
