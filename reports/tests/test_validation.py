"""Validation rules, min–max bounds and values far from a unit's history, on a unit's report:
in the grid when a cell is saved, at the submit, and for a whole round on demand; never telling
another unit's sensitive values."""

import datetime
import json
import operator
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ApiToken
from indicators.models import DataElement, ValidationRule, ValueBound
from orgs.models import Unit
from reports import validation
from reports.models import DataValue, Round, Status, Submission
from reports.services import submissions
from reports.services.submissions import create_round
from reports.tests.factories import answer_everything, fill, make_form, open_round

pytestmark = pytest.mark.django_db

OPERATORS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@pytest.fixture
def form():
    return make_form(rows=3, code="VR", with_part=False)


@pytest.fixture
def submission(form):
    open_round(form, code="R-VR")
    return Submission.objects.get(round__code="R-VR", unit__code="SYT")


def cell(form, index, combo):
    row = form.rows().get(data_element__code=f"VR_E{index:03}")
    return row, row.data_element.category_combo.option_combos.get(code=combo)


def put(submission, actor, form, values: dict):
    """values: (row index, combo code) → typed value."""
    cells = [
        submissions.CellInput(row=r, option_combo=c, raw=str(raw), machine=True)
        for (index, combo), raw in values.items()
        for r, c in [cell(form, index, combo)]
    ]
    submissions.save_values(submission=submission, cells=cells, actor=actor)


def rule(code="R1", left="VR_E000 + VR_E001[MALE]", op="<=", right="VR_E002[FEMALE] + 2", **extra):
    from indicators.validation import parse_side

    return ValidationRule.objects.create(
        code=code,
        name=f"Quy tắc {code}",
        left=parse_side(left),
        operator=op,
        right=parse_side(right),
        message=f"Thông báo của {code}",
        **extra,
    )


@pytest.mark.parametrize("op", list(OPERATORS))
@pytest.mark.parametrize("difference", [-7, -1, 0, 1, 7])
def test_each_rule_kind_over_sums_of_cells(reporter, approver, form, submission, op, difference):
    """Σ(VR_E000, both columns) + VR_E001[MALE]  op  VR_E002[FEMALE] + 2, with the left side
    `difference` above the right: a blocking rule stops the submit exactly when the comparison
    is false, and names both sums."""
    rule(op=op, on_submit="block")
    left = 3 + 4 + 5
    put(submission, reporter, form, {(i, c): 1 for i in range(3) for c in ("MALE", "FEMALE")})
    female = left - 2 - difference
    put(submission, reporter, form, {(0, "MALE"): 3, (0, "FEMALE"): 4, (1, "MALE"): 5})
    put(submission, reporter, form, {(2, "FEMALE"): female})
    answer_everything(submission, reporter)
    broken = not OPERATORS[op](left, female + 2)
    errors = [str(e) for e in submissions.submission_problems(submission, viewer=approver).errors]
    found = [e for e in errors if e.startswith("Thông báo của R1")]
    assert bool(found) == broken
    if broken:
        symbol = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥"}.get(op, op)
        assert f": {left} {symbol} {female + 2} là sai" in found[0]
        with pytest.raises(submissions.ValidationError):
            submissions.submit(submission=submission, actor=approver)
        assert Submission.objects.get(pk=submission.pk).status == Status.DRAFT
    else:
        submissions.submit(submission=submission, actor=approver)
        assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED


@pytest.mark.parametrize(
    "strategy,given,checked",
    [
        ("skip_if_any", {(0, "MALE"): 50}, False),  # one cell empty: not judged yet
        ("skip_if_all", {(0, "MALE"): 50}, True),  # empty cells count 0
        ("skip_if_all", {}, False),
        ("never", {}, True),  # 0 + 0 > 0 + 0 - … is judged even on an empty report
    ],
)
def test_missing_value_strategies(reporter, approver, form, submission, strategy, given, checked):
    rule(left="VR_E000", op="<", right="VR_E001", missing=strategy)  # 0 < 0 is false
    if given:
        put(submission, reporter, form, given)
    texts = [str(w) for w in submissions.submission_problems(submission, viewer=approver).warnings]
    assert any(t.startswith("Thông báo của R1") for t in texts) == checked


def test_a_warning_shows_in_the_grid_on_save_and_needs_an_explanation_at_submit(
    client, reporter, approver, form, submission
):
    rule(left="VR_E001[FEMALE]", op="<=", right="VR_E000[FEMALE]")  # explain, not block
    fill(submission, reporter)
    answer_everything(submission, reporter)
    row, female = cell(form, 1, "FEMALE")
    client.force_login(reporter)
    response = client.post(
        reverse("reports:save_cell", args=[submission.pk]),
        {"row": row.pk, "combo": female.pk, "value": "9", "version": 1},
    )
    body = response.content.decode()
    assert "⚠ Thông báo của R1" in body and "warned" in body  # saved, and questioned
    assert DataValue.objects.get(data_element=row.data_element, option_combo=female).value == "9"
    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert f'href="#c-{row.pk}-{female.pk}"' in page and "⚠ Thông báo của R1" in page
    with pytest.raises(submissions.ValidationError, match="giải trình"):
        submissions.submit(submission=submission, actor=approver)
    # Back within the rule, the grid says nothing any more.
    response = client.post(
        reverse("reports:save_cell", args=[submission.pk]),
        {"row": row.pk, "combo": female.pk, "value": "1", "version": 2},
    )
    assert "⚠" not in response.content.decode()
    client.post(
        reverse("reports:save_cell", args=[submission.pk]),
        {"row": row.pk, "combo": female.pk, "value": "9", "version": 3},
    )
    submissions.submit(submission=submission, actor=approver, warning_comment="Đúng như vậy.")
    assert submission.snapshots.get().answers["_warning_comment"] == "Đúng như vậy."


def test_a_cell_save_costs_the_same_queries_whatever_the_number_of_rules(
    client, reporter, form, submission
):
    row, male = cell(form, 0, "MALE")
    client.force_login(reporter)

    def save(version, raw):
        with CaptureQueriesContext(connection) as queries:
            client.post(
                reverse("reports:save_cell", args=[submission.pk]),
                {"row": row.pk, "combo": male.pk, "value": raw, "version": version},
            )
        return len(queries)

    rule(code="R0")
    one = save(0, "1")
    for n in range(1, 30):
        rule(code=f"R{n}", left=f"VR_E000 + {n}", op=">=", right="VR_E001 + VR_E002")
    many = save(1, "2")
    assert many == one


def test_values_outside_their_bounds_are_flagged(client, reporter, approver, form, submission):
    total, _male = cell(form, 0, "MALE")
    ValueBound.objects.create(data_element=total.data_element, maximum=Decimal(100))
    _row, female = cell(form, 0, "FEMALE")
    ValueBound.objects.create(
        data_element=total.data_element, option_combo=female, minimum=Decimal(5)
    )
    fill(submission, reporter, value="50")
    put(submission, reporter, form, {(0, "MALE"): 150, (0, "FEMALE"): 2, (1, "MALE"): 2})
    warnings = [
        str(w) for w in submissions.submission_problems(submission, viewer=approver).warnings
    ]
    bounds = [w for w in warnings if "ngoài giới hạn" in w]
    # The column's own bound wins over the element's; Chỉ tiêu 2 has none.
    assert sorted(bounds) == [
        "“Chỉ tiêu 1” (Nam) = 150 nằm ngoài giới hạn ≤ 100.",
        "“Chỉ tiêu 1” (Nữ) = 2 nằm ngoài giới hạn ≥ 5.",
    ]
    client.force_login(reporter)
    response = client.post(
        reverse("reports:save_cell", args=[submission.pk]),
        {"row": total.pk, "combo": female.pk, "value": "3", "version": 2},
    )
    assert "nằm ngoài giới hạn ≥ 5" in response.content.decode()


def past_round(form, year, period=None, status=Status.SUBMITTED):
    start = datetime.date(year, 1, 1)
    round_ = create_round(
        actor=None,
        code=f"R-VR-{period or year}",
        name=f"Năm {year}",
        form=form,
        kind="periodic",
        period=period or str(year),
        window_start=start,
        window_end=datetime.date(year, 12, 31),
        opens_on=start,
        due_on=datetime.date(year, 12, 31),
        lock_on=datetime.date(year, 12, 31),
        unit_kinds=["agency"],
        scope=Unit.objects.get(code="51"),
    )
    Submission.objects.filter(round=round_).update(status=status)
    return round_


def history(form, unit, figures: dict, **kwargs):
    """One earlier round per figure (year → the value of VR_E000 (Nam))."""
    row, male = cell(form, 0, "MALE")
    for year, figure in figures.items():
        round_ = past_round(form, year, **kwargs)
        sub = round_.submissions.get(unit__code=unit)
        DataValue.objects.create(
            submission=sub, data_element=row.data_element, option_combo=male, value=str(figure)
        )


def outliers(submission, **kwargs):
    found = validation.check(submission, masked=False, **kwargs)
    return [f for f in found if f.kind == validation.OUTLIER]


@pytest.mark.parametrize(
    "now,flagged", [(400, True), (102, False), (100, False), (60, True), (97, False)]
)
def test_a_value_far_from_the_units_own_history_is_flagged(
    reporter, approver, form, submission, now, flagged
):
    history(form, "SYT", {2019: 100, 2020: 104, 2021: 98, 2022: 101, 2023: 103, 2024: 99})
    # Another unit's history, a six-month round and a draft are not Sở Y tế's annual history.
    history(form, "CAT", {2017: 5000, 2018: 5000, 2016: 5001})
    history(form, "SYT", {2025: 5}, period="2025S1")
    history(form, "SYT", {2015: 1, 2014: 2}, status=Status.DRAFT)
    put(submission, reporter, form, {(0, "MALE"): now})
    found = outliers(submission)
    assert bool(found) == flagged
    if flagged:
        assert found[0].text.startswith(f"“Chỉ tiêu 1” (Nam) = {now} khác xa 6 kỳ trước")
        assert "trung vị 100,5" in found[0].text
        warnings = submissions.submission_problems(submission, viewer=approver).warnings
        assert found[0].text in [str(w) for w in warnings]


def test_too_short_or_flat_a_history_says_nothing(reporter, form, submission):
    history(form, "SYT", {2022: 100, 2023: 100})
    put(submission, reporter, form, {(0, "MALE"): 100000})
    assert outliers(submission) == []
    history(form, "SYT", {2021: 100})  # three values, but no spread at all
    assert outliers(submission) == []


def test_z_score_or_modified_z_score(reporter, form, submission):
    """A history with one wild year: the mean and standard deviation absorb it, the median and
    the median absolute deviation do not."""
    history(form, "SYT", {2019: 100, 2020: 102, 2021: 98, 2022: 101, 2023: 99, 2024: 1000})
    put(submission, reporter, form, {(0, "MALE"): 180})
    assert outliers(submission, method=validation.MODIFIED_Z)
    assert not outliers(submission, method=validation.Z_SCORE)


@pytest.fixture
def sensitive(form):
    DataElement.objects.filter(code="VR_E001").update(sensitive=True)
    rule(code="GBV", left="VR_E001[FEMALE]", op="<=", right="3", on_submit="block")
    return cell(form, 1, "FEMALE")


def test_sensitive_findings_stay_with_their_unit(
    client, reporter, approver, coordinator, leader, form, submission, sensitive
):
    fill(submission, reporter)
    answer_everything(submission, reporter)
    put(submission, reporter, form, {(1, "FEMALE"): 4})
    ValueBound.objects.create(data_element=sensitive[0].data_element, maximum=Decimal(2))
    # The unit reads it beside its cell, but it neither blocks nor asks for an explanation: the
    # worklist and the report's history would tell others that it fired.
    own = submissions.submission_problems(submission, viewer=approver)
    assert not [p for p in own.errors + own.warnings if "GBV" in str(p)]
    notes = [text for texts in own.notes.values() for text in texts]
    assert any(t.startswith("Thông báo của GBV") and ": 4 ≤ 3 là sai" in t for t in notes)
    for user in (coordinator, leader):
        client.force_login(user)
        for url in (
            reverse("reports:submission", args=[submission.pk]),
            reverse("reports:round_check") + f"?round={submission.round_id}",
        ):
            body = client.get(url).content.decode()
            assert "Thông báo của GBV" not in body and "giới hạn ≤ 2" not in body, url
    problems = submissions.submission_problems(submission, viewer=coordinator)
    assert not [p for p in problems.errors + problems.warnings if "GBV" in str(p)]
    submissions.submit(submission=submission, actor=approver)  # no explanation asked
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED


def test_a_rule_over_a_sensitive_element_cannot_be_made_blocking(client, coordinator, form):
    DataElement.objects.filter(code="VR_E001").update(sensitive=True)
    client.force_login(coordinator)
    response = client.post(
        reverse("indicators:rule_new"),
        {
            "code": "GBV_BLOCK",
            "name": "Chặn",
            "left_text": "VR_E001[FEMALE]",
            "operator": "<=",
            "right_text": "0",
            "message": "Có vụ việc",
            "importance": "high",
            "on_submit": "block",
            "missing": "skip_if_any",
            "active": "on",
        },
    )
    assert "không chặn nộp được" in response.content.decode()
    assert not ValidationRule.objects.filter(code="GBV_BLOCK").exists()


def test_the_whole_round_check(client, reporter, outsider, coordinator, leader, form, submission):
    rule(left="VR_E000[MALE]", op="<=", right="VR_E000[FEMALE]", on_submit="block")
    put(submission, reporter, form, {(0, "MALE"): 9, (0, "FEMALE"): 1})
    cat = Submission.objects.get(round=submission.round, unit__code="CAT")
    put(cat, outsider, form, {(0, "MALE"): 1, (0, "FEMALE"): 1})
    url = reverse("reports:round_check")
    client.force_login(coordinator)
    response = client.get(url, {"round": submission.round_id})
    units = {u.submission.unit.code: u.findings for u in response.context["units"]}
    assert set(units) == {"SYT"} and units["SYT"][0].blocking
    row, male = cell(form, 0, "MALE")
    assert (
        f'/reports/submissions/{submission.pk}/#c-{row.pk}-{male.pk}"' in response.content.decode()
    )
    assert client.get(url, {"round": submission.round_id, "method": "z"}).status_code == 200
    assert client.get(url, {"round": "999999"}).context.get("units") is None  # not a round
    assert client.get(url, {"threshold": "abc"}).status_code == 200
    client.force_login(leader)
    assert client.get(url, {"round": submission.round_id}).status_code == 200
    client.force_login(reporter)
    assert client.get(url).status_code == 403


def test_values_from_the_api_meet_the_same_gate(client, reporter, approver, form, submission):
    """Whatever the path a value came in by (grid, Excel, API), the submit checks the rules."""
    rule(left="VR_E000[MALE]", op="<=", right="VR_E000[FEMALE]", on_submit="block")
    fill(submission, reporter)
    answer_everything(submission, reporter)
    Round.objects.filter(code__startswith="R-VR-").delete()
    _key, token = ApiToken.issue(reporter)
    payload = {
        "dataValues": [
            {
                "dataElement": "VR_E000",
                "categoryOptionCombo": combo,
                "orgUnit": "SYT",
                "period": "R-VR",
                "value": raw,
            }
            for combo, raw in (("MALE", "8"), ("FEMALE", "2"))
        ]
    }
    response = client.post(
        "/api/v1/dataValueSets",
        json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    with pytest.raises(submissions.ValidationError, match="Thông báo của R1"):
        submissions.submit(submission=submission, actor=approver)
    assert re.search(
        r"8 ≤ 2 là sai",
        " ".join(
            str(e) for e in submissions.submission_problems(submission, viewer=approver).errors
        ),
    )


def test_a_writer_who_may_not_read_a_gbv_count_is_never_told_it(reporter, coordinator):
    """The coordinator may correct a unit's draft, but neither write its sensitive cells (the API
    and a workbook as little as the grid) nor learn a stored count from a refusal."""
    form = make_form(rows=2, code="VP", with_part=True)  # row 1 is a part of row 0
    open_round(form, code="R-VP")
    submission = Submission.objects.get(round__code="R-VP", unit__code="SYT")
    DataElement.objects.filter(code="VP_E001").update(sensitive=True)
    total, part = (form.rows().get(data_element__code=f"VP_E00{i}") for i in (0, 1))
    male = total.data_element.category_combo.option_combos.get(code="MALE")

    def save(actor, row, raw):
        cell = submissions.CellInput(row=row, option_combo=male, raw=raw, machine=True)
        submissions.save_values(submission=submission, cells=[cell], actor=actor)

    save(reporter, total, "7")
    save(reporter, part, "3")
    with pytest.raises(submissions.CellErrors) as refused:
        save(coordinator, part, "999")
    assert "nhạy cảm" in str(refused.value.cells) and "999" not in str(refused.value.cells)
    # A total below the stored sensitive part: refused without the part's count.
    with pytest.raises(submissions.CellErrors) as refused:
        save(coordinator, total, "2")
    message = " ".join(refused.value.cells.values())
    assert "nhỏ hơn dòng thành phần" in message and "3" not in message.replace("2", "")
    # The unit's own staff still get the figures.
    with pytest.raises(submissions.CellErrors) as refused:
        save(reporter, total, "2")
    assert "= 3" in " ".join(refused.value.cells.values())
    assert DataValue.objects.get(submission=submission, data_element=part.data_element).value == "3"
