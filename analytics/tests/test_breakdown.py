"""Level breakdowns across the 2025 reform: every value counted under exactly one row, so that
the rows of summable data add up to the parent's total (issue 13)."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings

from analytics.engine import aggregate
from indicators.models import Aggregation, CategoryOptionCombo, DataElement
from orgs.models import Unit
from reports.models import DataValue, Round, Status, Submission

from .test_engine import build, counted_into, worlds

pytestmark = pytest.mark.django_db


def depth(world, unit: int) -> int:
    level = 1
    while world["parents"][unit] is not None:
        unit, level = world["parents"][unit], level + 1
    return level


def expected_total(world, units, element: int, r: int) -> Decimal:
    total = Decimal(0)
    for u in units:
        if world["accepted_only"] and world["statuses"][(u, r)] != Status.ACCEPTED:
            continue
        for c in range(2):
            raw = world["values"][(u, r, element, c)]
            if raw not in (None, "no_data"):
                total += Decimal(raw)
    return total


def summable(world) -> dict:
    return {**world, "aggregations": [Aggregation.SUM, Aggregation.SUM]}


def _values(cells: dict) -> dict:
    """Every (unit, round, element, combo) of a 4-unit, 1-round world: None but `cells`."""
    keys = [(u, e, c) for u in range(4) for e in range(2) for c in range(2)]
    return {(u, 0, e, c): cells.get((u, e, c)) for u, e, c in keys}


# The Lý Sơn case: the province (0), the old district of Lý Sơn (1) whose values were entered
# before the reform, Đặc khu Lý Sơn (2) that succeeds it 1→1, and a commune (3).
LY_SON = {
    "parents": [None, 0, 0, 0],
    "links": [(1, 2)],
    "rounds": 1,
    "aggregations": [Aggregation.SUM, Aggregation.SUM],
    "values": _values({(1, 0, 0): "115", (3, 0, 1): "3130"}),
    "statuses": {(u, 0): Status.SUBMITTED for u in range(4)},
    "accepted_only": False,
    "numerator_combo": None,
}
# An old district (1) with an old commune of its own (3) merged n→1 into a new commune (2): the
# commune's values count once, under 2, in the level-2 breakdown and the level-3 one.
SPLIT = {
    **LY_SON,
    "parents": [None, 0, 0, 1],
    "links": [(1, 2), (3, 2)],
    "values": _values({(1, 0, 0): "7", (2, 0, 1): "11", (3, 0, 0): "13"}),
}


@pytest.mark.once
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds().map(summable))
@example(world=LY_SON)
@example(world=SPLIT)
def test_level_rows_add_up_to_the_parent_total(coordinator, world):
    """For every unit P and every level n below it, `ou:P;LEVEL-n` of a summed element: the rows
    add up to P's total less the values entered above level n (counted under no row, as in
    DHIS2), each row appears once, and no row is outside P."""
    n = len(world["parents"])
    deepest = max(depth(world, u) for u in range(n))
    with transaction.atomic():
        build(world)
        for parent in range(n):
            inside = counted_into(world, parent)
            for level in range(depth(world, parent) + 1, deepest + 1):
                for r in range(world["rounds"]):
                    result = aggregate(
                        user=coordinator,
                        elements=["HE0"],
                        rounds=[f"HR{r}"],
                        units=[f"H{parent}", f"LEVEL-{level}"],
                        accepted_only=world["accepted_only"],
                    )
                    rows = [row for row in result.rows if row.dx == "HE0"]
                    assert len({row.ou for row in rows}) == len(rows)
                    assert {int(row.ou[1:]) for row in rows} <= inside
                    got = sum((row.value for row in rows), Decimal(0))
                    counted = {u for u in inside if depth(world, u) >= level}
                    assert got == expected_total(world, counted, 0, r), (parent, level, world)
        transaction.set_rollback(True)


def test_ly_son_is_counted_once_in_the_province_breakdown(coordinator):
    """The issue's case on the loaded province: the old district of Lý Sơn (536) is counted into
    Đặc khu Lý Sơn (21548) and is no row of its own, so the level-2 rows add up to 51's total."""
    round_ = Round.objects.get(code="BDG-2025S1")
    element = DataElement.objects.get(code="BDG_M2_LD")
    combo = CategoryOptionCombo.objects.filter(combo=element.category_combo).first()
    assert element.aggregation == Aggregation.SUM
    for code, value in (("536", "115"), ("21548", "0"), ("CAT", "3130")):
        submission, _ = Submission.objects.get_or_create(
            round=round_, unit=Unit.objects.get(code=code), defaults={"due_on": round_.due_on}
        )
        DataValue.objects.bulk_create(
            [DataValue.of(submission, data_element=element, option_combo=combo, value=value)]
        )
    args = {"user": coordinator, "elements": ["BDG_M2_LD"], "rounds": ["BDG-2025S1"]}
    total = aggregate(**args, units=["51"]).rows[0].value
    breakdown = aggregate(**args, units=["51", "LEVEL-2"])
    figures = {row.ou: row.value for row in breakdown.rows}
    assert total == 3245
    assert "536" not in figures and figures["21548"] == 115
    assert sum(figures.values()) == total
    assert breakdown.includes["21548"] == ["536"]
