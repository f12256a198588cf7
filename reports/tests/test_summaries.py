"""The reporting summaries of the home pages and the leader's page (reports.selectors: a round by
kind of unit, a unit's current reports, the open rounds), checked against a world whose truth
is known (reports/tests/test_worklist.py's random stages)."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from reports import selectors
from reports.models import Round, Status, Submission
from reports.tests.factories import fill, make_form, open_round
from reports.tests.test_worklist import shape

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def form(db):
    return make_form(code="SUM")


@pytest.fixture
def round_(form):
    return open_round(form, code="R-SUM", kinds=("agency", "ward"))


@pytest.mark.parametrize("seed", [3, 2026])
def test_by_kind_sums_the_worklist_per_kind_of_unit(coordinator, round_, form, seed):
    truth = shape(round_, form, seed)
    kinds = {s.pk: s.unit.kind for s in round_.submissions.select_related("unit")}
    summary = selectors.round_summary(round_, user=coordinator, today=timezone.localdate())
    lines = {line.kind: line for line in summary["kinds"]}
    assert [line.kind for line in summary["kinds"]] == ["ward", "agency"]  # UnitKind's order
    assert lines["agency"].label == "Cơ quan, tổ chức cấp tỉnh"
    for kind, line in lines.items():
        mine = {pk: state for pk, state in truth.items() if kinds[pk] == kind}
        stages = Counter(stage for stage, _late in mine.values())
        assert line.total == len(mine)
        assert line.submitted == stages["submitted"] + stages["accepted"]
        assert line.entering == stages["draft"] + stages["returned"]
        assert line.counts["not_started"] == stages["not_started"]
        assert line.counts["late"] == sum(late for _stage, late in mine.values())
        behind = {pk for pk, (s, _l) in mine.items() if s in ("not_started", "draft", "returned")}
        assert {row.pk for row in line.behind} == behind
        late_flags = [row.is_late for row in line.behind]
        assert late_flags == sorted(late_flags, reverse=True)  # the late ones first
    assert sum(line.total for line in lines.values()) == summary["work"].total


def test_a_units_current_reports(reporter, outsider, round_, form):
    today = timezone.localdate()
    mine = Submission.objects.get(round=round_, unit__code="SYT")
    row = form.rows().first()
    fill(mine, reporter, skip=[(row, row.data_element.category_combo.option_combos.first())])
    [found] = selectors.unit_reports(reporter, today)  # the 2025 rounds are locked
    assert found.pk == mine.pk and found.stage == Status.DRAFT
    assert (found.filled, found.cells) == (5, 6) and found.days_left == 10
    assert not found.is_late and found.days_late == 0
    [theirs] = selectors.unit_reports(outsider, today)
    assert theirs.unit.code == "CAT" and theirs.stage == "not_started" and theirs.filled == 0
    # Late: its own due date passed, never submitted.
    Submission.objects.filter(pk=mine.pk).update(due_on=today - 2 * DAY)
    [late] = selectors.unit_reports(reporter, today)
    assert late.is_late and late.days_late == 2 and late.days_left == -2


def test_a_report_returned_after_the_lock_stays_current_until_its_own_due_date(reporter):
    today = timezone.localdate()
    closed = Submission.objects.get(round__code="BDG-2025", unit__code="SYT")
    assert closed.round.is_locked(today)
    assert selectors.unit_reports(reporter, today) == []
    Submission.objects.filter(pk=closed.pk).update(
        status=Status.RETURNED, due_on=today + 5 * DAY, review_comment="Sửa dòng 3."
    )
    [found] = selectors.unit_reports(reporter, today)
    assert found.pk == closed.pk and found.stage == Status.RETURNED and found.days_left == 5


def test_open_rounds_are_those_opened_and_not_locked(coordinator, reporter, round_, form):
    today = timezone.localdate()
    later = open_round(form, code="R-LATER")
    Round.objects.filter(pk=later.pk).update(opens_on=today + 3 * DAY)
    assert list(selectors.open_rounds(coordinator, today)) == [round_]
    assert list(selectors.open_rounds(reporter, today)) == [round_]
    assert list(selectors.open_rounds(coordinator, today + 40 * DAY)) == []
