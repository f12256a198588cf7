"""The plan's summaries of the home pages and the leader's page (plans.selectors), over the 2025
plan the session loads (every task open, so all of them late once their dates have passed)."""

import datetime
from collections import Counter

import pytest

from orgs.models import LOCAL_GOVERNMENT_KINDS, UnitKind
from plans import selectors
from plans.models import Plan, Status, Task

pytestmark = pytest.mark.django_db

# Every task of the 2025 plan is due by the end of 2025.
AFTER = datetime.date(2026, 1, 15)
BEFORE = datetime.date(2025, 2, 1)


@pytest.fixture
def plan():
    return Plan.objects.get(year=2025)


def test_progress_by_body_shows_agencies_alone_and_local_governments_by_kind(plan, coordinator):
    tasks = list(selectors.plan_tasks(coordinator, plan))
    bars = selectors.progress_by_body(tasks, AFTER)
    assert sum(bar.progress.total for bar in bars) == len(tasks)
    local = {bar.kind: bar for bar in bars if bar.kind in LOCAL_GOVERNMENT_KINDS}
    units_of = Counter(kind for kind, _unit in {(t.unit.kind, t.unit_id) for t in tasks})
    assert {kind: bar.units for kind, bar in local.items()} == {
        kind: n for kind, n in units_of.items() if kind in LOCAL_GOVERNMENT_KINDS
    }
    assert local[UnitKind.COMMUNE].label == "Xã" and local[UnitKind.COMMUNE].unit is None
    agencies = [bar for bar in bars if bar.kind not in LOCAL_GOVERNMENT_KINDS]
    assert all(bar.units == 1 and bar.unit is not None for bar in agencies)
    assert "Sở Y tế" in {bar.label for bar in agencies}
    # All late: each bar is as late as its tasks, the most late tasks first.
    assert all(bar.tone == "late" and bar.late_units == bar.units for bar in bars)
    overdue = [bar.progress.overdue for bar in bars]
    assert overdue == sorted(overdue, reverse=True)


def test_progress_by_body_puts_the_furthest_behind_first(plan, coordinator):
    tasks = list(selectors.plan_tasks(coordinator, plan))
    health = [t for t in tasks if t.unit.code == "SYT"]
    for task in health:
        task.status, task.percent = Status.DONE, 100
    bars = selectors.progress_by_body(tasks, BEFORE)  # nothing late yet
    assert all(bar.progress.overdue == 0 for bar in bars)
    percents = [bar.progress.percent for bar in bars]
    assert percents == sorted(percents)
    assert bars[-1].label == "Sở Y tế" and bars[-1].tone == "ok"


def test_late_by_body_is_scoped_to_the_reader(plan, coordinator, reporter):
    every = selectors.late_by_body(coordinator, AFTER)
    assert sum(body.late for body in every) == Task.objects.overdue(AFTER).count()
    assert len({body.unit.pk for body in every}) > 100
    assert [b.late for b in every] == sorted((b.late for b in every), reverse=True)
    own = selectors.late_by_body(reporter, AFTER)
    assert {body.unit.code for body in own} == {"SYT"}
    assert own[0].late == Task.objects.filter(unit__code="SYT").count()
    assert selectors.late_by_body(reporter, BEFORE) == []


def test_unit_tasks_are_the_units_own(plan, reporter):
    found = selectors.unit_tasks(reporter, AFTER)
    assert found["late_tasks"] and {t.unit.code for t in found["late_tasks"]} == {"SYT"}
    assert found["open_tasks"] == [] and found["open_count"] == 0  # all past due
    early = selectors.unit_tasks(reporter, BEFORE)
    assert early["late_tasks"] == []
    assert early["open_count"] == Task.objects.filter(unit__code="SYT", item__plan=plan).count()
    dues = [t.due_on for t in early["open_tasks"]]
    assert dues == sorted(dues)
