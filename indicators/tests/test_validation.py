"""Validation over plain values (indicators.validation) and the coordinator's pages for rules,
min–max bounds and plausible ranges."""

import operator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.models import Event
from indicators.models import ComputedIndicator, DataElement, ValidationRule, ValueBound
from indicators.validation import (
    MIN_HISTORY,
    MODIFIED_Z,
    Z_SCORE,
    deviation,
    evaluate,
    format_side,
    parse_side,
)

OPERATORS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
ELEMENTS = {"A": ["MALE", "FEMALE"], "B": ["default"], "C": ["MALE", "FEMALE"]}
CELLS = [(e, c) for e, combos in ELEMENTS.items() for c in combos]

terms = st.lists(
    st.one_of(
        st.builds(lambda e: {"element": e, "combo": None}, st.sampled_from(sorted(ELEMENTS))),
        st.sampled_from(CELLS).map(lambda k: {"element": k[0], "combo": k[1]}),
        st.integers(0, 500).map(lambda n: {"constant": str(n)}),
    ),
    min_size=1,
    max_size=4,
)
values = st.dictionaries(
    st.sampled_from(CELLS), st.integers(0, 1000).map(Decimal), min_size=0, max_size=len(CELLS)
)


def cells_read(side):
    return [
        (t["element"], c)
        for t in side
        if "element" in t
        for c in ([t["combo"]] if t["combo"] else ELEMENTS[t["element"]])
    ]


def total(side, known):
    constants = sum(Decimal(t["constant"]) for t in side if "constant" in t)
    return constants + sum(known.get(cell, Decimal(0)) for cell in cells_read(side))


@settings(max_examples=300, deadline=None)
@given(
    terms,
    st.sampled_from(sorted(OPERATORS)),
    terms,
    values,
    st.sampled_from(["skip_if_any", "skip_if_all", "never"]),
)
@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_a_rule_compares_the_sums_of_its_sides(left, op, right, known, missing):
    """Σ left op Σ right over the cells each term reads (every column of an element without
    one); an empty cell counts 0 and decides, with the strategy, whether the rule is judged."""
    outcome = evaluate(
        left=left, operator=op, right=right, missing=missing, values=known, columns=ELEMENTS
    )
    read = cells_read(left) + cells_read(right)
    empty = [c for c in read if c not in known]
    skipped = (missing == "skip_if_any" and empty) or (
        missing == "skip_if_all" and read and len(empty) == len(read)
    )
    if skipped:
        assert outcome.holds is None and not outcome.violated
    else:
        assert outcome.holds == OPERATORS[op](total(left, known), total(right, known))
    assert outcome.left.total == total(left, known) and outcome.right.total == total(right, known)


@given(terms)
def test_a_side_reads_back_as_typed(side):
    assert parse_side(format_side(side)) == side


@pytest.mark.parametrize(
    "typed,problem",
    [
        ("", "Cần ít nhất"),
        ("A + ", "“+”"),
        ("A[MALE", "không đúng dạng"),
        ("A * 2", "không đúng dạng"),
    ],
)
def test_a_malformed_side_is_refused_in_vietnamese(typed, problem):
    with pytest.raises(ValidationError) as error:
        parse_side(typed)
    assert problem in " ".join(error.value.messages)


histories = st.lists(st.integers(0, 10_000).map(Decimal), min_size=MIN_HISTORY, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    histories,
    st.integers(0, 10_000).map(Decimal),
    st.integers(1, 50).map(Decimal),
    st.integers(-500, 500).map(Decimal),
    st.sampled_from([MODIFIED_Z, Z_SCORE]),
)
def test_the_flag_does_not_depend_on_the_unit_of_measure(history, value, scale, shift, method):
    """Counting in hundreds or from another origin changes no flag: the scores are affine
    invariant."""
    plain = deviation(value, history, method)
    moved = deviation(value * scale + shift, [h * scale + shift for h in history], method)
    assert (plain is None) == (moved is None)
    if plain is not None and moved is not None:
        assert abs(plain.score - moved.score) < Decimal("1e-6")
        limit = {MODIFIED_Z: Decimal("3.5"), Z_SCORE: Decimal(3)}[method]
        if abs(abs(plain.score) - limit) > Decimal("1e-6"):  # not on the threshold itself
            assert plain.flagged == moved.flagged


@settings(max_examples=200, deadline=None)
@given(histories, st.integers(0, 10_000).map(Decimal), st.integers(1, 10_000).map(Decimal))
def test_farther_from_the_centre_is_never_less_flagged(history, value, step):
    found = deviation(value, history)
    if found is None:
        return
    away = value + step if value >= found.centre else value - step
    farther = deviation(away, history)
    assert farther is not None and abs(farther.score) >= abs(found.score)
    assert farther.flagged or not found.flagged


def test_a_short_history_says_nothing():
    short = [Decimal(1)] * (MIN_HISTORY - 2) + [Decimal(2)]
    assert deviation(Decimal(10**6), short) is None
    assert deviation(Decimal(10**6), [*short, Decimal(3)]).flagged


# --- the coordinator's pages -----------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def url(name, *args):
    return reverse(f"indicators:{name}", args=args)


RULE = {
    "code": "M2_LUONG_LE_LD",
    "name": "Lao động hưởng lương không vượt số lao động có việc làm",
    "left_text": "BDG_M2_LD_LUONG[FEMALE]",
    "operator": "<=",
    "right_text": "BDG_M2_LD[FEMALE]",
    "message": "Số lao động hưởng lương lớn hơn số lao động có việc làm.",
    "importance": "high",
    "on_submit": "block",
    "missing": "skip_if_any",
    "active": "on",
}


@pytestmark_db
def test_the_coordinator_writes_a_rule_as_people_type_it(client, coordinator):
    client.force_login(coordinator)
    response = client.post(url("rule_new"), {**RULE, "right_text": "BDG_M2_LD[FEMAL] + NOPE"})
    body = response.content.decode()
    assert (
        "không có phương án phân tổ FEMAL" in body and "Không có chỉ tiêu dữ liệu mã NOPE" in body
    )
    assert not ValidationRule.objects.exists()
    assert (
        client.post(url("rule_new"), {**RULE, "left_text": "1", "right_text": "2"}).status_code
        == 200
    )
    assert not ValidationRule.objects.exists()  # a rule names at least one element
    client.post(url("rule_new"), RULE)
    rule = ValidationRule.objects.get()
    assert rule.left == [{"element": "BDG_M2_LD_LUONG", "combo": "FEMALE"}] and rule.blocking
    page = client.get(url("rules")).content.decode()
    assert "BDG_M2_LD_LUONG[FEMALE] ≤ BDG_M2_LD[FEMALE]" in page
    client.post(url("rule_edit", rule.pk), {**RULE, "right_text": "BDG_M2_LD", "active": ""})
    rule.refresh_from_db()
    assert not rule.active and rule.right == [{"element": "BDG_M2_LD", "combo": None}]
    changes = Event.objects.for_object(rule).latest("id").changes
    assert changes["active"] == [True, False] and "right" in changes


@pytestmark_db
def test_bounds_are_checked_kept_once_and_removed_audited(client, coordinator):
    client.force_login(coordinator)
    births = DataElement.objects.get(code="BDG_M4_SINH")
    female = births.category_combo.option_combos.get(code="FEMALE")
    other = DataElement.objects.get(code="BDG_M1_CQ").category_combo.option_combos.get()
    data = {"data_element": births.pk, "option_combo": "", "minimum": "", "maximum": ""}
    assert "Cần ít nhất" in client.post(url("bound_new"), data).content.decode()
    body = client.post(url("bound_new"), {**data, "minimum": "10", "maximum": "5"}).content
    assert "không nhỏ hơn giá trị tối thiểu" in body.decode()
    body = client.post(url("bound_new"), {**data, "option_combo": other.pk, "maximum": "5"}).content
    assert "không có cột này" in body.decode()
    assert not ValueBound.objects.exists()
    client.post(url("bound_new"), {**data, "maximum": "20000"})
    client.post(url("bound_new"), {**data, "option_combo": female.pk, "minimum": "1"})
    again = client.post(url("bound_new"), {**data, "maximum": "30000"}).content.decode()
    assert "Đã có giới hạn" in again and ValueBound.objects.count() == 2
    bound = ValueBound.objects.get(option_combo=None)
    client.post(url("bound_delete", bound.pk))
    assert ValueBound.objects.count() == 1
    event = Event.objects.filter(object_id=str(bound.pk), object_type="indicators.valuebound")
    assert event.latest("id").changes["maximum"] == ["20000.0000", None]


@pytestmark_db
@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("coordinator", 200, 200),
        ("leader", 200, 403),
        ("reporter", 200, 403),
        ("approver", 200, 403),
        ("case_worker", 403, 403),
    ],
)
def test_who_may_read_and_change_the_checks(client, personas, persona, read, write):
    bound = ValueBound.objects.create(
        data_element=DataElement.objects.get(code="BDG_M4_SINH"), maximum=Decimal(5)
    )
    rule = ValidationRule.objects.create(
        code="X", name="X", left=[{"constant": "1"}], operator="<", right=[{"constant": "2"}]
    )
    client.force_login(personas[persona])
    assert client.get(url("rules")).status_code == read
    for target in (url("rule_new"), url("rule_edit", rule.pk), url("bound_new")):
        assert client.get(target).status_code == write, target
    client.post(url("bound_delete", bound.pk))
    assert ValueBound.objects.filter(pk=bound.pk).exists() == (write != 200)


@pytestmark_db
def test_a_plausible_range_is_edited_like_the_rest_of_the_indicator(client, coordinator):
    from indicators.services import load_catalogue

    load_catalogue()
    indicator = ComputedIndicator.objects.get(code="M4-CT2")
    assert (indicator.plausible_min, indicator.plausible_max) == (0, 1000)  # the seed
    assert indicator.implausible(Decimal("43356.82")) and not indicator.implausible(Decimal(46))
    client.force_login(coordinator)
    data = {
        "code": indicator.code,
        "name": indicator.name,
        "numerator_text": "BDG_M4_TUVONG_ME",
        "denominator_text": "BDG_M4_SINH",
        "factor": "100000",
        "unit_of_measure": indicator.unit_of_measure,
        "objective": "4",
        "plausible_min": "0",
        "plausible_max": "500",
    }
    bad = client.post(url("indicator_edit", indicator.pk), {**data, "plausible_min": "600"})
    assert "không nhỏ hơn giá trị tối thiểu" in bad.content.decode()
    client.post(url("indicator_edit", indicator.pk), data)
    indicator.refresh_from_db()
    assert indicator.plausible_max == 500
    assert "0–500" in client.get(url("indicators")).content.decode()
    load_catalogue()  # the loader keeps what the coordinator set
    indicator.refresh_from_db()
    assert indicator.plausible_max == 500
    ComputedIndicator.objects.filter(pk=indicator.pk).update(plausible_max=None, plausible_min=None)
    load_catalogue()  # an indicator loaded before ranges existed gets the reference one
    indicator.refresh_from_db()
    assert (indicator.plausible_min, indicator.plausible_max) == (0, 1000)


@pytestmark_db
def test_two_coordinators_editing_one_rule_or_bound_never_overwrite_each_other(client, coordinator):
    client.force_login(coordinator)
    client.post(url("rule_new"), RULE)
    rule = ValidationRule.objects.get()
    births = DataElement.objects.get(code="BDG_M4_SINH")
    bound = ValueBound.objects.create(data_element=births, maximum=Decimal(20000))
    for name, record, first, second, field in [
        (
            "rule_edit",
            rule,
            {**RULE, "name": "Của người thứ nhất"},
            {**RULE, "name": "Thứ hai"},
            "name",
        ),
        (
            "bound_edit",
            bound,
            {"data_element": births.pk, "option_combo": "", "minimum": "", "maximum": "25000"},
            {"data_element": births.pk, "option_combo": "", "minimum": "", "maximum": "30000"},
            "maximum",
        ),
    ]:
        # Both opened the form at version 1; the first saves, then the second.
        client.post(url(name, record.pk), {**first, "expected_version": 1})
        record.refresh_from_db()
        kept = getattr(record, field)
        body = client.post(url(name, record.pk), {**second, "expected_version": 1}).content.decode()
        assert "người khác đã lưu thay đổi" in body, name
        record.refresh_from_db()
        assert getattr(record, field) == kept and record.version == 2, name
