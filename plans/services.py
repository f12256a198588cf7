import datetime
import json
from pathlib import Path
from typing import overload

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record_event, save_audited
from orgs.models import Unit

from .models import Evidence, ItemKind, Milestone, Plan, PlanItem, ProgressUpdate, Status, Task

DATA = Path(__file__).resolve().parent / "data"


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@overload
def _shift(day: datetime.date, years: int) -> datetime.date: ...
@overload
def _shift(day: None, years: int) -> None: ...
@overload
def _shift(day: datetime.date | None, years: int) -> datetime.date | None: ...
def _shift(day: datetime.date | None, years: int) -> datetime.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _window(item: PlanItem) -> tuple[datetime.date, datetime.date]:
    year = item.plan.year
    return item.starts_on or datetime.date(year, 1, 1), item.due_on or datetime.date(year, 12, 31)


def local_units_for(item: PlanItem):
    """The province's local governments that existed during the item's window: its old districts
    before the reform, the communes after it."""
    start, end = _window(item)
    units = Unit.objects.local_governments().valid_during(start, end)
    if item.plan.province_id is None:  # a plan without a province has no local units
        return units.none()
    return units.filter(pk__in=Unit.subtree_ids(item.plan.province_id))


def _ensure_task(item: PlanItem, unit: Unit) -> bool:
    start, end = _window(item)
    due = min(end, unit.valid_to) if unit.valid_to else end
    starts = max(start, unit.valid_from) if unit.valid_from else item.starts_on
    _, created = Task.objects.get_or_create(
        item=item, unit=unit, defaults={"due_on": due, "starts_on": starts}
    )
    return created


@transaction.atomic
def load_plan(*, path: Path | None = None) -> str:
    """Create the plan a data file describes (the 2025 plan by default); never duplicate."""
    data = json.loads((path or DATA / "plan_2025.json").read_text(encoding="utf-8"))
    plan, plan_created = Plan.objects.get_or_create(
        year=data["year"],
        defaults={
            "title": data["title"],
            "issuer": data["issuer"],
            "province": Unit.objects.get(code=data["province"]),
            "document_number": data["document_number"],
            "preamble": data["preamble"],
            "purpose": data["purpose"],
            "closing": data["closing"],
            "signer": data["signer"],
            "signer_title": data["signer_title"],
            "part_titles": data["parts"],
        },
    )
    if plan_created:
        record_event(actor=None, action=Action.CREATE, obj=plan)
    units = {unit.code: unit for unit in Unit.objects.all()}
    items_created = tasks_created = 0
    for entry in data["items"]:
        item, created = PlanItem.objects.get_or_create(
            plan=plan,
            code=entry["code"],
            defaults={
                "part": entry["part"],
                "section": entry["section"],
                "section_heading": entry["section_heading"],
                "kind": entry["kind"],
                "text": entry["text"],
                "local_government": entry.get("local_government", False),
                "lead_basis": entry.get("lead_basis", ""),
                "starts_on": _date(entry.get("starts_on")),
                "due_on": _date(entry.get("due_on") or data["default_due_on"])
                if entry["kind"] in (ItemKind.ACTIVITY, ItemKind.RESPONSIBILITY)
                else None,
            },
        )
        if created:
            item.supporting_units.set([units[code] for code in entry["support"]])
            record_event(actor=None, action=Action.CREATE, obj=item, label=item.code)
            items_created += 1
        responsible = [units[code] for code in entry["lead"]]
        if item.local_government:
            responsible += list(local_units_for(item))
        tasks_created += sum(_ensure_task(item, unit) for unit in responsible)
    for entry in data["milestones"]:
        Milestone.objects.get_or_create(
            plan=plan,
            title=entry["title"],
            defaults={
                "item": plan.items.get(code=entry["item"]),
                "due_before": datetime.date.fromisoformat(entry["due_before"]),
            },
        )
    return (
        f"Kế hoạch {plan.year}: {'tạo mới' if plan_created else 'đã có'}, "
        f"{items_created} mục mới, {tasks_created} nhiệm vụ mới"
    )


@transaction.atomic
def record_progress(
    *,
    task: Task,
    actor,
    status: str,
    percent: int,
    note: str,
    files: list,
    expected_version: int,
    request=None,
) -> ProgressUpdate:
    """Move the task to the reported state (refused when someone saved it since the user opened
    it) and append the progress update with its evidence."""
    if status == Status.DONE:
        percent = 100
    task.version = expected_version
    task.status = status
    task.percent = percent
    task.completed_on = timezone.localdate() if status == Status.DONE else None
    task = save_audited(actor=actor, obj=task, fields=Task.AUDITED, request=request)
    update = ProgressUpdate.objects.create(
        task=task, status=status, percent=percent, note=note, author=actor
    )
    for upload, kind in files:
        Evidence(update=update).store(upload, kind)
    record_event(
        actor=actor,
        action=Action.CREATE,
        obj=update,
        changes={"note": [None, note], "evidence": [None, [f.name for f, _ in files]]},
        request=request,
        label=f"{task.item.code} — {task.unit}",
    )
    return update


@transaction.atomic
def copy_plan(*, plan: Plan, year: int, actor, request=None) -> Plan:
    """Start next year's plan from this one: same items, dates moved, tasks for units valid then."""
    if Plan.objects.filter(year=year).exists():
        raise ValidationError(_("Đã có kế hoạch năm %(year)s."), params={"year": year})
    years = year - plan.year
    new = Plan.objects.create(
        year=year,
        title=plan.title.replace(str(plan.year), str(year)),
        issuer=plan.issuer,
        province=plan.province,
        preamble=plan.preamble,
        purpose=plan.purpose,
        closing=plan.closing,
        part_titles=plan.part_titles,
    )
    record_event(
        actor=actor,
        action=Action.CREATE,
        obj=new,
        request=request,
        changes={"copied_from": [None, plan.year]},
    )
    for item in plan.items.prefetch_related("supporting_units", "tasks__unit"):
        copy = PlanItem.objects.create(
            plan=new,
            code=item.code,
            part=item.part,
            section=item.section,
            section_heading=item.section_heading,
            kind=item.kind,
            text=item.text,
            local_government=item.local_government,
            lead_basis=item.lead_basis,
            starts_on=_shift(item.starts_on, years),
            due_on=_shift(item.due_on, years),
        )
        copy.supporting_units.set(item.supporting_units.all())
        record_event(
            actor=actor,
            action=Action.CREATE,
            obj=copy,
            request=request,
            label=copy.code,
            changes={"copied_from": [None, f"{plan.year} {item.code}"]},
        )
        if copy.local_government:
            responsible = list(local_units_for(copy))
        else:
            start, end = _window(copy)
            valid = set(Unit.objects.valid_during(start, end).values_list("pk", flat=True))
            responsible = [t.unit for t in item.tasks.all() if t.unit_id in valid]
        for unit in responsible:
            _ensure_task(copy, unit)
    for milestone in plan.milestones.select_related("item"):
        Milestone.objects.create(
            plan=new,
            item=new.items.filter(code=milestone.item.code).first() if milestone.item else None,
            title=milestone.title,
            due_before=_shift(milestone.due_before, years),
        )
    return new


@transaction.atomic
def update_item(*, form, actor, request=None) -> PlanItem:
    """Save the coordinator's edit of an item; open tasks follow a changed deadline."""
    item = save_audited(actor=actor, form=form, fields=PlanItem.AUDITED, request=request)
    if item.due_on is None:
        return item
    for task in item.tasks.open().select_related("unit"):
        due = min(item.due_on, task.unit.valid_to) if task.unit.valid_to else item.due_on
        if task.due_on != due:
            record_event(
                actor=actor,
                action=Action.UPDATE,
                obj=task,
                request=request,
                changes={"due_on": [str(task.due_on), str(due)]},
            )
            task.due_on = due
            task.version += 1
            task.save(update_fields=["due_on", "version", "updated_at"])
    return item


def download_evidence(*, actor, evidence: Evidence, request=None) -> FileResponse:
    """The evidence file, its download logged."""
    record_event(actor=actor, action=Action.DOWNLOAD, obj=evidence, request=request)
    return evidence.download()
