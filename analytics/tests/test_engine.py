"""analytics.engine: a property test against an independent sum, and the rules one by one."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.engine import AnalyticsError, aggregate, display, displayed
from indicators.models import (
    Aggregation,
    CategoryCombo,
    CategoryOptionCombo,
    ComputedIndicator,
    DataElement,
    ValueType,
)
from orgs.models import Succession, Unit, UnitKind
from reports.disclosure import HIDDEN, LESS
from reports.models import DataValue, Form, Round, Status, Submission

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 5)
STATUSES = [Status.DRAFT, Status.SUBMITTED, Status.ACCEPTED]


# --- the property test --------------------------------------------------------------------------


@st.composite
def worlds(draw):
    """A random forest of units, a random succession DAG (old → newer), values and statuses."""
    n = draw(st.integers(2, 8))
    parents = [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n)]
    pairs = st.integers(0, n - 2).flatmap(
        lambda a: st.tuples(st.just(a), st.integers(a + 1, n - 1))
    )
    links = sorted(set(draw(st.lists(pairs, max_size=6))))
    rounds = draw(st.integers(1, 2))
    aggregations = draw(
        st.lists(st.sampled_from([Aggregation.SUM, Aggregation.AVERAGE]), min_size=2, max_size=2)
    )
    number = st.one_of(
        st.integers(0, 500).map(str),
        st.decimals(0, 100, places=1, allow_nan=False).map(lambda d: format(d, "f")),
    )
    cell = st.one_of(st.none(), number, st.just("no_data"))
    values = {
        (unit, r, e, c): draw(cell)
        for unit in range(n)
        for r in range(rounds)
        for e in range(2)
        for c in range(2)
    }
    statuses = {(u, r): draw(st.sampled_from(STATUSES)) for u in range(n) for r in range(rounds)}
    return {
        "parents": parents,
        "links": links,
        "rounds": rounds,
        "aggregations": aggregations,
        "values": values,
        "statuses": statuses,
        "accepted_only": draw(st.booleans()),
        "numerator_combo": draw(st.sampled_from([None, "MALE", "FEMALE"])),
    }


def build(world):
    sex = CategoryCombo.objects.get(code="SEX")
    combos = list(CategoryOptionCombo.objects.filter(combo=sex).order_by("sort_order"))
    units = []
    for i, parent in enumerate(world["parents"]):
        units.append(
            Unit.objects.create(
                code=f"H{i}",
                name=f"Đơn vị {i}",
                kind=UnitKind.DISTRICT,
                parent=units[parent] if parent is not None else None,
            )
        )
    Succession.objects.bulk_create(
        Succession(predecessor=units[a], successor=units[b], effective_on=DAY)
        for a, b in world["links"]
    )
    elements = [
        DataElement.objects.create(
            code=f"HE{e}",
            name=f"Chỉ tiêu {e}",
            value_type=ValueType.NUMBER,
            category_combo=sex,
            aggregation=world["aggregations"][e],
        )
        for e in range(2)
    ]
    ComputedIndicator.objects.create(
        code="HI",
        name="Tỷ lệ",
        numerator=[{"element": "HE0", "combo": world["numerator_combo"]}],
        denominator=[{"element": "HE1", "combo": None}],
        factor=100,
    )
    form = Form.objects.create(code="HF", name="Biểu")
    rounds = [
        Round.objects.create(
            code=f"HR{r}",
            name=f"Đợt {r}",
            form=form,
            kind="periodic",
            period=f"20{30 + r}",
            window_start=DAY,
            window_end=DAY,
            opens_on=DAY,
            due_on=DAY,
            lock_on=DAY,
            scope=units[0],
        )
        for r in range(world["rounds"])
    ]
    submissions = {
        (u, r): Submission(round=rounds[r], unit=units[u], due_on=DAY, status=status)
        for (u, r), status in world["statuses"].items()
    }
    Submission.objects.bulk_create(submissions.values())
    DataValue.objects.bulk_create(
        DataValue.of(
            submissions[(u, r)],
            data_element=elements[e],
            option_combo=combos[c],
            value="" if raw == "no_data" else raw,
            no_data=raw == "no_data",
        )
        for (u, r, e, c), raw in world["values"].items()
        if raw is not None
    )


def counted_into(world, target) -> set[int]:
    """Independently of the engine: X counts into T if X is T, or X's parent counts, or X has
    successors and every one of them counts (least fixed point by plain iteration)."""
    n = len(world["parents"])
    successors = {i: {b for a, b in world["links"] if a == i} for i in range(n)}
    counts = {target}
    while True:
        more = {
            x
            for x in range(n)
            if x not in counts
            and (world["parents"][x] in counts or (successors[x] and successors[x] <= counts))
        }
        if not more:
            return counts
        counts |= more


def expected_rows(world) -> dict:
    n = len(world["parents"])
    combos = ["MALE", "FEMALE"]

    def cell_values(units, r, e, c):
        found = []
        for u in units:
            raw = world["values"][(u, r, e, c)]
            if raw is None or raw == "no_data":
                continue
            if world["accepted_only"] and world["statuses"][(u, r)] != Status.ACCEPTED:
                continue
            found.append(Decimal(raw))
        return found

    def figures(u):
        units, result = counted_into(world, u), {}
        for r in range(world["rounds"]):
            for e in range(2):
                found = [v for c in range(2) for v in cell_values(units, r, e, c)]
                if found:
                    average = world["aggregations"][e] == Aggregation.AVERAGE
                    result[(f"HE{e}", f"HR{r}")] = (
                        sum(found) / len(found) if average else sum(found)
                    )
            picked = [c for c in range(2) if world["numerator_combo"] in (None, combos[c])]
            numerator = [v for c in picked for v in cell_values(units, r, 0, c)]
            denominator = [v for c in range(2) for v in cell_values(units, r, 1, c)]
            if numerator and denominator and sum(denominator) != 0:
                result[("HI", f"HR{r}")] = 100 * sum(numerator) / sum(denominator)
        return result

    expected = {}
    for target in range(n):
        rows = {(dx, pe, f"H{target}"): v for (dx, pe), v in figures(target).items()}
        inside = counted_into(world, target)
        for old in range(n):
            if old not in inside and any(a == old and b in inside for a, b in world["links"]):
                rows.update({(dx, pe, f"H{old}"): v for (dx, pe), v in figures(old).items()})
        expected[target] = rows
    return expected


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
@given(world=worlds())
def test_every_aggregate_equals_an_independent_sum(coordinator, world):
    with transaction.atomic():
        build(world)
        expected = expected_rows(world)
        rounds = [f"HR{r}" for r in range(world["rounds"])]
        for target, rows in expected.items():
            result = aggregate(
                user=coordinator,
                elements=["HE0", "HE1"],
                indicators=["HI"],
                rounds=rounds,
                units=[f"H{target}"],
                accepted_only=world["accepted_only"],
            )
            got = {(row.dx, row.pe, row.ou): row.value for row in result.rows}
            assert got == rows, (target, world)
        transaction.set_rollback(True)


# --- the rules one by one, on the province's real units -----------------------------------------


def element(code, *, aggregation=Aggregation.SUM, sensitive=False, combo="SEX"):
    return DataElement.objects.create(
        code=code,
        name=code,
        value_type=ValueType.INTEGER,
        category_combo=CategoryCombo.objects.get(code=combo),
        aggregation=aggregation,
        sensitive=sensitive,
    )


def put(unit_code, element_code, values, *, round_code="BDG-2025", status=Status.DRAFT):
    """Store {combo code: text} for a unit in a round (creating its submission if needed)."""
    round_ = Round.objects.get(code=round_code)
    submission, _ = Submission.objects.get_or_create(
        round=round_, unit=Unit.objects.get(code=unit_code), defaults={"due_on": round_.due_on}
    )
    Submission.objects.filter(pk=submission.pk).update(status=status)
    for combo, text in values.items():
        DataValue.objects.update_or_create(
            submission=submission,
            data_element=DataElement.objects.get(code=element_code),
            option_combo=CategoryOptionCombo.objects.get(code=combo),
            defaults={"value": text, "no_data": False},
        )


def figures(result):
    return {(r.dx, r.pe, r.ou, r.co): r.value for r in result.rows}


def test_accepted_only_counts_accepted_reports(coordinator):
    element("T_SUM")
    put("SYT", "T_SUM", {"MALE": "3", "FEMALE": "4"}, status=Status.ACCEPTED)
    put("CAT", "T_SUM", {"MALE": "10"}, status=Status.SUBMITTED)
    every = aggregate(user=coordinator, elements=["T_SUM"], rounds=["BDG-2025"], units=["51"])
    accepted = aggregate(
        user=coordinator, elements=["T_SUM"], rounds=["BDG-2025"], units=["51"], accepted_only=True
    )
    assert figures(every) == {("T_SUM", "BDG-2025", "51", None): 17}
    assert figures(accepted) == {("T_SUM", "BDG-2025", "51", None): 7}
    assert accepted.accepted_only and not every.accepted_only
    assert every.as_of == DataValue.objects.latest("updated_at").updated_at


def test_average_and_none_aggregation(coordinator):
    element("T_AVG", aggregation=Aggregation.AVERAGE, combo="default")
    element("T_OWN", aggregation=Aggregation.NONE, combo="default")
    for unit, number in (("SYT", "10"), ("CAT", "20"), ("21025", "60")):
        put(unit, "T_AVG", {"default": number})
        put(unit, "T_OWN", {"default": number})
    put("51", "T_OWN", {"default": "7"})
    result = aggregate(
        user=coordinator, elements=["T_AVG", "T_OWN"], rounds=["BDG-2025"], units=["51"]
    )
    assert figures(result) == {
        ("T_AVG", "BDG-2025", "51", None): 30,
        ("T_OWN", "BDG-2025", "51", None): 7,
    }


def test_by_combo_rows_and_total_and_combo_filter(coordinator):
    element("T_SUM")
    put("SYT", "T_SUM", {"MALE": "3", "FEMALE": "4"})
    args = {"user": coordinator, "elements": ["T_SUM"], "rounds": ["BDG-2025"], "units": ["SYT"]}
    assert figures(aggregate(**args, by_combo=True)) == {
        ("T_SUM", "BDG-2025", "SYT", "MALE"): 3,
        ("T_SUM", "BDG-2025", "SYT", "FEMALE"): 4,
        ("T_SUM", "BDG-2025", "SYT", None): 7,
    }
    assert figures(aggregate(**args, combos=["FEMALE"])) == {("T_SUM", "BDG-2025", "SYT", None): 4}


def test_old_districts_count_once_into_the_province_and_stand_beside_communes(coordinator):
    """Huyện Bình Sơn (524) became several communes: counted once into 51, shown beside one of
    them under its own code; a 6-month value of a Kon Tum district counts into 51 via Kon Tum."""
    element("T_SUM", combo="default")
    binh_son = Unit.objects.get(code="524")
    new_communes = list(binh_son.successions.values_list("successor__code", flat=True))
    assert len(new_communes) > 1
    kon_tum_district = Unit.objects.filter(parent__code="62").first()
    put("524", "T_SUM", {"default": "100"}, round_code="BDG-2025S1")
    put(kon_tum_district.code, "T_SUM", {"default": "50"}, round_code="BDG-2025S1")
    put(new_communes[0], "T_SUM", {"default": "9"}, round_code="BDG-2025S1")
    province = aggregate(user=coordinator, elements=["T_SUM"], rounds=["2025S1"], units=["51"])
    assert figures(province) == {("T_SUM", "BDG-2025S1", "51", None): 159}
    assert "62" in province.includes["51"]
    commune = aggregate(
        user=coordinator, elements=["T_SUM"], rounds=["BDG-2025S1"], units=[new_communes[0]]
    )
    assert figures(commune) == {
        ("T_SUM", "BDG-2025S1", new_communes[0], None): 9,
        ("T_SUM", "BDG-2025S1", "524", None): 100,
    }
    assert new_communes[0] in commune.history["524"]


def test_level_2_means_the_children(coordinator):
    element("T_SUM", combo="default")
    put("SYT", "T_SUM", {"default": "1"})
    put("21025", "T_SUM", {"default": "2"})
    result = aggregate(
        user=coordinator, elements=["T_SUM"], rounds=["BDG-2025"], units=["51", "LEVEL-2"]
    )
    assert figures(result) == {
        ("T_SUM", "BDG-2025", "SYT", None): 1,
        ("T_SUM", "BDG-2025", "21025", None): 2,
    }
    assert "51" not in result.requested_units and "SYT" in result.requested_units


def test_computed_indicator_is_the_ratio_of_sums_and_needs_a_denominator(coordinator):
    element("T_NUM", combo="default")
    element("T_DEN", combo="default")
    ComputedIndicator.objects.create(
        code="T_RATE",
        name="Tỷ lệ",
        numerator=[{"element": "T_NUM", "combo": None}],
        denominator=[{"element": "T_DEN", "combo": None}],
    )
    put("SYT", "T_NUM", {"default": "1"})
    put("SYT", "T_DEN", {"default": "4"})
    put("CAT", "T_NUM", {"default": "3"})
    put("CAT", "T_DEN", {"default": "4"})
    put("STP", "T_NUM", {"default": "5"})
    put("STP", "T_DEN", {"default": "0"})
    result = aggregate(
        user=coordinator, indicators=["T_RATE"], rounds=["BDG-2025"], units=["51", "SYT", "STP"]
    )
    # (1 + 3 + 5) / (4 + 4 + 0), not the mean of 25 % and 75 %.
    assert figures(result) == {
        ("T_RATE", "BDG-2025", "51", None): Decimal("112.5"),
        ("T_RATE", "BDG-2025", "SYT", None): 25,
    }


def test_small_sensitive_cells_are_suppressed_with_their_total(coordinator):
    assert display(Decimal(0), True) == "0"
    assert display(Decimal(5), True) == "5"
    assert display(Decimal(3), False) == "3"
    assert display(Decimal("2.345"), False) == "2.35"
    element("T_GBV", sensitive=True)
    put("CAT", "T_GBV", {"MALE": "2", "FEMALE": "40"})
    result = aggregate(
        user=coordinator, elements=["T_GBV"], rounds=["BDG-2025"], units=["CAT"], by_combo=True
    )
    shown = {row.co: text for row, text in displayed(result)}
    # CAT alone reports: its breakdown is the province's, published with its protection.
    assert shown == {"MALE": LESS, "FEMALE": HIDDEN, None: "42"}
    put("SYT", "T_GBV", {"MALE": "7", "FEMALE": "8"})
    result = aggregate(
        user=coordinator, elements=["T_GBV"], rounds=["BDG-2025"], units=["CAT"], by_combo=True
    )
    shown = {row.co: text for row, text in displayed(result)}
    assert shown == {"MALE": HIDDEN, "FEMALE": HIDDEN, None: "42"}
    assert all(row.value is None for row, text in displayed(result) if text == HIDDEN)


def test_a_reporter_sees_its_own_unit_only(reporter, outsider):
    element("T_SUM")
    put("SYT", "T_SUM", {"MALE": "3"})
    put("CAT", "T_SUM", {"MALE": "8"})
    mine = aggregate(user=reporter, elements=["T_SUM"], rounds=["BDG-2025"], units=["SYT"])
    assert figures(mine) == {("T_SUM", "BDG-2025", "SYT", None): 3}
    for units in (["CAT"], ["51"]):
        with pytest.raises(AnalyticsError) as error:
            aggregate(user=reporter, elements=["T_SUM"], rounds=["BDG-2025"], units=units)
        assert error.value.status == 404
    theirs = aggregate(user=outsider, elements=["T_SUM"], rounds=["BDG-2025"], units=["LEVEL-2"])
    assert figures(theirs) == {("T_SUM", "BDG-2025", "CAT", None): 8}
