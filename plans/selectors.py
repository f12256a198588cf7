"""Reads that sum up the plans for the home pages and the leader's page: how far each body
carrying out the plan has got, which bodies have late tasks, a unit's own tasks. Always over the
tasks the reader may see (`Task.objects.for_user`)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from accounts.models import User
from orgs.models import LOCAL_GOVERNMENT_KINDS, Unit, UnitKind

from .models import Plan, Progress, Task


@dataclass
class BodyProgress:
    """One bar of "progress by body": a provincial agency, or the local governments of one kind
    taken together (96 communes are not 96 bars)."""

    label: str
    kind: str
    units: int  # how many units the bar stands for
    progress: Progress
    late_units: int  # of those, how many have a late task
    unit: Unit | None = None  # the agency, for a bar of one

    @property
    def tone(self) -> str:
        if self.progress.overdue:
            return "late"
        return "ok" if self.progress.done == self.progress.total else ""


def progress_by_body(tasks, today: datetime.date) -> list[BodyProgress]:
    """The tasks' progress per provincial agency, and per kind of local government (communes,
    wards… together), the furthest behind first: late tasks, then the lowest progress."""
    agencies: dict[Unit, list[Task]] = defaultdict(list)
    local: dict[str, dict[int, list[Task]]] = defaultdict(lambda: defaultdict(list))
    for task in tasks:
        if task.unit.kind in LOCAL_GOVERNMENT_KINDS:
            local[task.unit.kind][task.unit_id].append(task)
        else:
            agencies[task.unit].append(task)
    bars = [
        BodyProgress(
            label=unit.label,
            kind=unit.kind,
            units=1,
            progress=Progress.of(found, today),
            late_units=int(any(t.is_overdue(today) for t in found)),
            unit=unit,
        )
        for unit, found in agencies.items()
    ]
    labels = dict(UnitKind.choices)
    for kind, by_unit in local.items():
        found = [task for unit_tasks in by_unit.values() for task in unit_tasks]
        bars.append(
            BodyProgress(
                label=str(labels[kind]),
                kind=kind,
                units=len(by_unit),
                progress=Progress.of(found, today),
                late_units=sum(
                    any(t.is_overdue(today) for t in unit_tasks) for unit_tasks in by_unit.values()
                ),
            )
        )
    return sorted(
        bars, key=lambda b: (-b.progress.overdue, b.progress.percent or 0, b.label.casefold())
    )


def plan_tasks(user: User, plan: Plan | None) -> QuerySet:
    """The plan's tasks the user may see, with their unit."""
    if plan is None:
        return Task.objects.none()
    return Task.objects.for_user(user).filter(item__plan=plan).select_related("unit")


@dataclass
class LateBody:
    plan: Plan
    unit: Unit
    late: int


def late_by_body(user: User, today: datetime.date) -> list[LateBody]:
    """The bodies with late tasks the user may see, in every plan (a task of last year's plan
    still open is as late as this year's): the newest plan first, then the most late tasks."""
    rows = (
        Task.objects.for_user(user)
        .overdue(today)
        .values("item__plan_id", "unit_id")
        .annotate(late=Count("id"))
        .order_by()
    )
    counts = [(r["item__plan_id"], r["unit_id"], r["late"]) for r in rows]
    plans = Plan.objects.in_bulk({plan for plan, _unit, _n in counts})
    units = Unit.objects.in_bulk({unit for _plan, unit, _n in counts})
    found = [LateBody(plans[plan], units[unit], late) for plan, unit, late in counts]
    return sorted(found, key=lambda b: (-b.plan.year, -b.late, b.unit.sort_key))


def unit_tasks(user: User, today: datetime.date) -> dict:
    """A unit's own tasks: the late ones of every plan, and the open ones of the newest plan
    (the soonest due first)."""
    tasks = Task.objects.for_user(user).select_related("item__plan", "unit")
    late = list(tasks.overdue(today).order_by("due_on", "item_id"))
    plan = Plan.objects.for_user(user).first()
    open_ = tasks.open().filter(item__plan=plan, due_on__gte=today).order_by("due_on", "item_id")
    return {"late_tasks": late, "open_tasks": list(open_[:10]), "open_count": open_.count()}
