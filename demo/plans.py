"""The plans' years replayed up to today: each task's unit reports its progress through
`plans.services.record_progress`, at the dates the work went on, with a Word report or plan as
evidence on part of the completions. Most tasks finish before their deadline, some late, a few
stay open or stuck. A later year's plan is copied from the year before (`plans.services.copy_plan`)
by the coordinator on 20 January, as the province starts its year; before that day the latest
plan is last year's."""

import datetime
import random
from typing import NamedTuple

from django.db import transaction

from accounts.models import User
from orgs.models import UnitKind
from plans.models import Plan, ProgressUpdate, Status, Task
from plans.services import copy_plan, record_progress

from . import clock
from .documents import document
from .people import Staff
from .places import Place
from .texts import HANDED_OVER, LATE, OPEN_AT_DUE, STUCK, note_for

DAY = clock.DAY
# When each year's plan was issued: 2025's after the Ministry's guidance of 28/3/2025 (the data
# file has no date); a later year's when the coordinator copies it (COPIED_ON).
ISSUED = {2025: datetime.date(2025, 4, 15)}
COPIED_ON = (1, 20)


class Step(NamedTuple):
    day: datetime.date
    status: str
    percent: int
    note: str
    evidence: bool = False


def issued_on(year: int) -> datetime.date:
    return ISSUED.get(year) or clock.working_day(datetime.date(year, *COPIED_ON), forward=True)


def _start(task: Task, year: int) -> datetime.date:
    """The first day the task's unit could report on it."""
    start = issued_on(year)
    if task.starts_on:  # a dated activity (the Action Month) is prepared three weeks ahead
        start = max(start, task.starts_on - 21 * DAY)
    if task.unit.valid_from:
        start = max(start, task.unit.valid_from)
    return start


def _finish(task: Task, start: datetime.date, rng: random.Random) -> tuple[str, datetime.date]:
    """How the task ends ("done", "late", "open" or "stuck") and the day it does."""
    due = task.due_on
    span = max((due - start).days, 10)
    if task.unit.valid_to is not None and task.unit.valid_to <= due:
        return "done", due - rng.randint(0, 20) * DAY  # an old district closed its work
    if task.item.code.endswith(".a") and task.item.code.startswith("IV.13"):
        return "done", start + rng.randint(10, 55) * DAY  # the local plan comes first
    fate = rng.random()
    if fate < 0.84:
        return "done", due - rng.randint(0, min(45, span // 3)) * DAY
    if fate < 0.96:
        return "late", due + rng.randint(6, 75) * DAY
    return ("open" if fate < 0.985 else "stuck"), due - rng.randint(3, 12) * DAY


def steps(task: Task, place: Place, rng: random.Random) -> list[Step]:
    """The task's progress updates, in order (some may lie after today: not replayed)."""
    year = task.item.plan.year
    start = _start(task, year)
    fate, finish = _finish(task, start, rng)
    finish = max(finish, start + 5 * DAY)
    held, small = rng.randint(3, 30), rng.randint(2, 12)
    fill = {
        "n": held,
        "m": held * rng.randint(25, 90),
        "k": small,
        "k2": rng.randint(1, small),
        "xa": rng.randint(70, 96),
        "meet": rng.randint(2, 4),
        "guests": rng.randint(150, 400),
        "trainees": small * rng.randint(30, 50),
        "kp": rng.randint(15, 120),
        "year": year,
        "next": year + 1,
        "kind": place.kind_word,
        "lang": f" bằng tiếng Việt và tiếng {place.language}" if place.language else "",
    }
    under_way, done = note_for(task.item.code, 0), note_for(task.item.code, 1)
    span = (finish - start).days
    # Agencies report on the way; a commune reports its own plan once it is issued, and on its
    # longer tasks (the Action Month, the year's coordination) once on the way.
    middles = (2 if span > 60 else 1) if not place.is_local else (1 if span > 20 else 0)
    if task.item.code == "IV.13.a":
        middles = 0
    # The first report on the way comes within the first third or so, the second past halfway.
    share = [rng.uniform(0.08, 0.4), rng.uniform(0.55, 0.85)][-middles:] if middles else []
    found = [
        Step(
            start + DAY * round(span * part),
            Status.IN_PROGRESS,
            rng.randint(20, 45) if part < 0.5 else rng.randint(55, 85),
            under_way.format(**fill),
        )
        for part in share
    ]
    if fate in ("done", "late"):
        text = (LATE if fate == "late" else "") + done.format(**fill)
        if task.unit.kind == UnitKind.DISTRICT:
            text += HANDED_OVER
        chance = 0.35 if place.is_local else 0.7
        found.append(Step(finish, Status.DONE, 100, text, rng.random() < chance))
    elif fate == "open":
        found.append(
            Step(finish, Status.IN_PROGRESS, rng.randint(60, 90), OPEN_AT_DUE.format(**fill))
        )
    else:
        percent = found[-1].percent if found else rng.randint(10, 30)
        found.append(Step(finish, Status.STUCK, percent, rng.choice(STUCK)))
    return [step._replace(day=clock.working_day(step.day)) for step in found]


def _evidence(task: Task, place: Place, step: Step, signer: User, rng: random.Random):
    unit = task.unit
    number = f"{rng.randint(12, 380)}/{'KH' if task.item.code == 'IV.13.a' else 'BC'}-"
    number += "UBND" if place.is_local else (unit.code if unit.code != "SNV" else "SNV")
    kind = "Kế hoạch" if number.split("/")[1].startswith("KH") else "Báo cáo"
    title = f"{kind} kết quả thực hiện nhiệm vụ {task.item.code} năm {task.item.plan.year}"
    if kind == "Kế hoạch":
        title = f"Kế hoạch thực hiện công tác bình đẳng giới năm {task.item.plan.year}"
    issuer = f"Ủy ban nhân dân {unit.name}" if place.is_local else unit.name
    return document(
        filename=f"{kind} {number.replace('/', '-')} - {unit.label}.docx",
        issuer=issuer,
        number=number,
        place=unit.name.split(" ", 1)[-1] if place.is_local else "Quảng Ngãi",
        day=step.day,
        title=title,
        paragraphs=[
            "Kính gửi: Sở Nội vụ tỉnh Quảng Ngãi.",
            f"Thực hiện Kế hoạch thực hiện công tác bình đẳng giới trên địa bàn tỉnh năm "
            f"{task.item.plan.year}, {unit.label} báo cáo kết quả như sau:",
            step.note,
            "Trên đây là kết quả thực hiện, kính báo cáo Sở Nội vụ tổng hợp.",
        ],
        signer=f"{signer.position or 'Lãnh đạo đơn vị'}\n{signer.full_name}",
    )


def _replay(task: Task, who: Staff, place: Place, today: datetime.date) -> int:
    """Record the task's progress up to today: reported by `who.reporter`, the evidence signed
    by `who.approver`; the number of updates."""
    author, signer = who
    rng = random.Random(f"tiến độ/{task.item.plan.year}/{task.item.code}/{task.unit.code}")
    made = 0
    for step in steps(task, place, rng):
        if step.day >= today:
            break
        with clock.at(clock.office_time(step.day, rng)):
            files = [_evidence(task, place, step, signer, rng)] if step.evidence else []
            record_progress(
                task=task,
                actor=author,
                status=step.status,
                percent=step.percent,
                note=step.note,
                files=files,
                expected_version=task.version,
            )
        made += 1
    return made


def _copy_forward(plan: Plan, coordinator: User, today: datetime.date) -> list[Plan]:
    """The plan and each later year's copy made by today, oldest first."""
    plans = [plan]
    for year in range(plan.year + 1, today.year + 1):
        copied = Plan.objects.filter(year=year).first()
        if copied is None:
            day = issued_on(year)
            if day >= today:
                break
            with clock.at(clock.office_time(day, random.Random(f"sao chép/{year}"))):
                copied = copy_plan(plan=plans[-1], year=year, actor=coordinator)
        plans.append(copied)
    return plans


@transaction.atomic
def load_demo_plans(
    *, coordinator: User, staff: dict[str, Staff], places: dict[str, Place], today: datetime.date
) -> int:
    """Copy the plan into each year up to today and replay each plan's progress once; the
    number of progress updates recorded (0 on a rerun)."""
    first = Plan.objects.filter(year=2025).first()
    if first is None:
        return 0
    made = 0
    for plan in _copy_forward(first, coordinator, today):
        tasks = Task.objects.filter(item__plan=plan).select_related("item__plan", "unit")
        if ProgressUpdate.objects.filter(task__item__plan=plan).exists():
            continue
        for task in tasks.order_by("item_id", "unit__code"):
            place = places.get(task.unit.code)
            if place is None:
                continue
            who = staff[task.unit.code]
            if task.unit.code == "SNV":  # Sở Nội vụ's own tasks: the coordinator reports them
                who = Staff(coordinator, who.approver)
            made += _replay(task, who, place, today)
    return made
