import datetime
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import overload

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import staff_by_unit
from audit.models import Action
from audit.services import record_event, save_audited
from core.notifications import email_addresses, notify, recipient_list, site_link
from core.roles import Role
from orgs.models import Unit

from .models import (
    Evidence,
    ItemKind,
    Milestone,
    Plan,
    PlanItem,
    ProgressUpdate,
    Status,
    Task,
    TaskReminder,
    TaskReminderKind,
    UnitUrge,
)

logger = logging.getLogger(__name__)

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


def _ensure_task(item: PlanItem, unit: Unit) -> Task | None:
    """The unit's task of the item, made unless it exists: the new task, or None."""
    start, end = _window(item)
    due = min(end, unit.valid_to) if unit.valid_to else end
    starts = max(start, unit.valid_from) if unit.valid_from else item.starts_on
    task, created = Task.objects.get_or_create(
        item=item, unit=unit, defaults={"due_on": due, "starts_on": starts}
    )
    return task if created else None


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
    items_created = 0
    new_tasks: list[Task | None] = []
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
        new_tasks += [_ensure_task(item, unit) for unit in responsible]
    for entry in data["milestones"]:
        Milestone.objects.get_or_create(
            plan=plan,
            title=entry["title"],
            defaults={
                "item": plan.items.get(code=entry["item"]),
                "due_before": datetime.date.fromisoformat(entry["due_before"]),
            },
        )
    tell_assigned(new_tasks)
    tasks_created = sum(task is not None for task in new_tasks)
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
    new_tasks: list[Task | None] = []
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
        new_tasks += [_ensure_task(copy, unit) for unit in responsible]
    for milestone in plan.milestones.select_related("item"):
        Milestone.objects.create(
            plan=new,
            item=new.items.filter(code=milestone.item.code).first() if milestone.item else None,
            title=milestone.title,
            due_before=_shift(milestone.due_before, years),
        )
    tell_assigned(new_tasks)
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


# --- notices to the units that carry tasks out ---------------------------------------------------
#
# Tasks are told to a unit's staff (its active reporters and approvers, accounts.staff_by_unit)
# grouped by unit: one notification per person and one mail per unit, listing the tasks.


def _task_lines(tasks, today: datetime.date) -> list[str]:
    lines = []
    for task in tasks:
        late = (today - task.due_on).days
        when = (
            _("quá hạn %(n)s ngày") % {"n": late}
            if late > 0
            else _("hạn %(day)s") % {"day": f"{task.due_on:%d/%m/%Y}"}
        )
        lines.append(
            f"- {task.item.code} ({when}; {task.get_status_display().lower()}, {task.percent}%): "
            f"{task.item.text[:160]}"
        )
        lines.append(f"  {site_link(reverse('plans:task', kwargs={'pk': task.pk}))}")
    return lines


def _tasks_url(tasks, overdue: bool = False) -> str:
    if len(tasks) == 1:
        return reverse("plans:task", kwargs={"pk": tasks[0].pk})
    return reverse("plans:my_tasks") + ("?status=overdue" if overdue else "?status=open")


def _tell_unit(unit, tasks, staff, *, headline, sentence, today, note="", overdue=False, conn=None):
    """Notify `staff` of `unit` about `tasks` (one plan), and mail those who take e-mail."""
    plan = tasks[0].item.plan
    codes = ", ".join(t.item.code for t in tasks[:6]) + ("…" if len(tasks) > 6 else "")
    text = _("%(headline)s: %(codes)s (%(plan)s).") % {
        "headline": headline,
        "codes": codes,
        "plan": plan.title,
    }
    if note:  # the in-app notice is complete too: not everyone takes e-mail
        text += " " + _("Lời nhắn của Sở Nội vụ: %(note)s") % {"note": note}
    url = _tasks_url(tasks, overdue)
    lines = [_("Kính gửi: %(unit)s,") % {"unit": unit.name}, "", sentence, ""]
    lines += _task_lines(tasks, today)
    if note:
        lines += ["", _("Lời nhắn của Sở Nội vụ: %(note)s") % {"note": note}]
    lines += [
        "",
        _("Cập nhật tiến độ và minh chứng tại: %(link)s") % {"link": site_link(url)},
        "",
        _("Thư này do hệ thống quản lý công tác bình đẳng giới gửi tự động, xin không trả lời."),
    ]
    subject = _("[Bình đẳng giới] %(headline)s: %(plan)s — %(unit)s") % {
        "headline": headline,
        "plan": plan.title,
        "unit": unit.name,
    }
    notify(staff, text=text, url=url, subject=subject, body="\n".join(lines), connection=conn)
    return subject, "\n".join(lines), text


def _by_unit(tasks) -> dict:
    grouped: dict = {}
    for task in tasks:
        grouped.setdefault(task.unit, []).append(task)
    return grouped


def tell_assigned(tasks) -> int:
    """Tell each unit's staff the tasks newly given to it (grouped by unit and plan); how many
    people were told. Mail goes out once the caller's transaction commits."""
    tasks = [t for t in tasks if t is not None]
    if not tasks:
        return 0
    today = timezone.localdate()
    staff = staff_by_unit(t.unit_id for t in tasks)
    told = 0
    with translation.override(settings.LANGUAGE_CODE):
        for unit, unit_tasks in _by_unit(tasks).items():
            people = staff.get(unit.pk, [])
            if not people:
                continue
            count = {"n": len(unit_tasks), "year": unit_tasks[0].item.plan.year}
            _tell_unit(
                unit,
                unit_tasks,
                people,
                headline=_("Đơn vị được giao %(n)s nhiệm vụ kế hoạch năm %(year)s") % count,
                sentence=_(
                    "Đơn vị được giao %(n)s nhiệm vụ trong kế hoạch năm %(year)s; đơn vị cập nhật "
                    "tiến độ từng nhiệm vụ trên hệ thống:"
                )
                % count,
                today=today,
            )
            told += len(people)
    return told


def _record(task, kind, *, today, days=0, staff=(), sent_by=None) -> bool:
    """Insert the task's reminder of the day; False when it exists (the once-a-day key)."""
    try:
        with transaction.atomic():
            TaskReminder.objects.create(
                task=task,
                kind=kind,
                days=days,
                sent_on=today,
                sent_by=sent_by,
                recipients=recipient_list(staff),
            )
    except IntegrityError:
        return False
    return True


def _first_urge_today(unit, plan, today: datetime.date) -> bool:
    """Record the unit's urge of the day for the plan; False when it was urged already."""
    try:
        with transaction.atomic():
            UnitUrge.objects.create(unit=unit, plan=plan, sent_on=today)
    except IntegrityError:
        return False
    return True


def send_task_reminders(today: datetime.date | None = None) -> int:
    """The scheduled notice of tasks coming due: REMINDER_DAYS_BEFORE days before a task's due
    date and on the day, to the unit's staff, grouped by unit and day; each task at most once a
    day (TaskReminder's key). Returns how many units were told."""
    today = today or timezone.localdate()
    offsets = sorted({abs(d) for d in settings.REMINDER_DAYS_BEFORE if d} | {0})
    due = list(
        Task.objects.open()
        .filter(due_on__in=[today + datetime.timedelta(days=d) for d in offsets])
        .select_related("item__plan", "unit")
        .order_by("due_on", "item_id")
    )
    staff = staff_by_unit(t.unit_id for t in due)
    told = 0
    with translation.override(settings.LANGUAGE_CODE), mail.get_connection() as conn:
        for unit, tasks in _by_unit(due).items():
            people = staff.get(unit.pk, [])
            try:
                with transaction.atomic():
                    fresh = [
                        t
                        for t in tasks
                        if _record(
                            t,
                            TaskReminderKind.DUE,
                            today=today,
                            days=(t.due_on - today).days,
                            staff=people,
                        )
                    ]
                    if fresh and people:
                        _tell_due(unit, fresh, people, today, conn)
            except OSError:  # smtplib.SMTPException included: recorded nothing, next run retries
                logger.exception("task reminders to %s failed", unit)
                continue
            told += bool(fresh and people)
    return told


def _tell_due(unit, tasks, people, today, conn) -> None:
    for day in sorted({t.due_on for t in tasks}):
        on_day = [t for t in tasks if t.due_on == day]
        days = (day - today).days
        names = {"n": len(on_day), "day": f"{day:%d/%m/%Y}", "days": days}
        headline = (
            _("%(n)s nhiệm vụ kế hoạch đến hạn hôm nay") % names
            if days == 0
            else _("%(n)s nhiệm vụ kế hoạch còn %(days)s ngày đến hạn") % names
        )
        sentence = (
            _(
                "Các nhiệm vụ sau của đơn vị chưa hoàn thành, hạn %(day)s; đề nghị đơn vị "
                "hoàn thành và cập nhật tiến độ, minh chứng:"
            )
            % names
        )
        _tell_unit(
            unit, on_day, people, headline=headline, sentence=sentence, today=today, conn=conn
        )


# The coordinator's urge of late tasks ("đôn đốc"), by task or by the body that carries them out.


@dataclass
class TaskUrgeTarget:
    unit: Unit
    tasks: list  # late, not urged today: urged now
    staff: list
    emails: list[str]


@dataclass
class TaskUrgePlan:
    """What an urge of late tasks would do, unit by unit: shown before sending."""

    today: datetime.date
    send: list[TaskUrgeTarget] = field(default_factory=list)
    already: list = field(default_factory=list)  # tasks urged today already
    not_late: list = field(default_factory=list)  # done or not yet due: nothing to urge
    failed: list = field(default_factory=list)  # units the mail server refused: nothing recorded
    sample: tuple[str, str, str] | None = None  # (subject, body, notification) of the first

    @property
    def tasks(self) -> int:
        return sum(len(t.tasks) for t in self.send)

    @property
    def people(self) -> int:
        return sum(len(t.staff) for t in self.send)

    @property
    def emails(self) -> int:
        return sum(len(t.emails) for t in self.send)

    @property
    def without_recipients(self) -> list:
        """Units with nobody to tell in the system (as reminders.UrgePlan says it)."""
        return [t.unit for t in self.send if not t.staff]


def _urge_words(count: int) -> tuple[str, str]:
    names = {"n": count}
    return (
        _("Đôn đốc %(n)s nhiệm vụ quá hạn") % names,
        _(
            "Sở Nội vụ đôn đốc đơn vị hoàn thành và cập nhật tiến độ %(n)s nhiệm vụ đã quá hạn của "
            "kế hoạch:"
        )
        % names,
    )


def plan_task_urge(*, tasks, note: str = "", today: datetime.date | None = None) -> TaskUrgePlan:
    """Who an urge of `tasks` would reach today, with what message, without sending."""
    today = today or timezone.localdate()
    chosen = list(
        Task.objects.filter(pk__in=[t.pk for t in tasks])
        .select_related("item__plan", "unit")
        .order_by("item_id")
    )
    urged = set(
        UnitUrge.objects.filter(unit__in={t.unit_id for t in chosen}, sent_on=today).values_list(
            "unit_id", "plan_id"
        )
    )
    plan = TaskUrgePlan(today=today)
    late = []
    for task in chosen:
        if not task.is_overdue(today):
            plan.not_late.append(task)
        elif (task.unit_id, task.item.plan_id) in urged:
            plan.already.append(task)
        else:
            late.append(task)
    staff = staff_by_unit(t.unit_id for t in late)
    for unit, unit_tasks in sorted(_by_unit(late).items(), key=lambda kv: kv[0].sort_key):
        people = staff.get(unit.pk, [])
        plan.send.append(TaskUrgeTarget(unit, unit_tasks, people, email_addresses(people)))
    if plan.send:
        first = plan.send[0]
        headline, sentence = _urge_words(len(first.tasks))
        with translation.override(settings.LANGUAGE_CODE):
            plan.sample = _preview(first, headline, sentence, today, note)
    return plan


def _preview(target: TaskUrgeTarget, headline, sentence, today, note) -> tuple[str, str, str]:
    """The message `_tell_unit` would send (to nobody: nothing is written or mailed)."""
    return _tell_unit(
        target.unit,
        target.tasks,
        [],
        headline=headline,
        sentence=sentence,
        today=today,
        note=note,
        overdue=True,
    )


def _nothing_to_urge(plan: TaskUrgePlan) -> str:
    if plan.failed:
        return _("Máy chủ thư báo lỗi khi gửi cho %(units)s: chưa gửi gì, hãy thử lại sau.") % {
            "units": ", ".join(unit.name for unit in plan.failed)
        }
    if plan.already:
        return _(
            "Không gửi: đơn vị của các nhiệm vụ đã chọn đều đã được đôn đốc hôm nay (%(codes)s). "
            "Mỗi đơn vị chỉ được đôn đốc một lần một ngày; có thể đôn đốc lại từ ngày mai."
        ) % {"codes": ", ".join(f"{t.item.code} — {t.unit.label}" for t in plan.already)}
    if plan.not_late:
        return _("Không gửi: các nhiệm vụ đã chọn đã hoàn thành hoặc chưa đến hạn.")
    return _("Hãy chọn ít nhất một nhiệm vụ quá hạn.")


def urge_tasks(*, tasks, actor, note: str = "", request=None) -> TaskUrgePlan:
    """Urge (đôn đốc) the units carrying out the chosen late tasks: one message per unit listing
    its tasks, to its staff in the system and by e-mail, each unit at most once a day for a plan
    (UnitUrge's key; a unit urged today is not urged again, whichever tasks are chosen). Returns
    what was done; ValidationError when nothing can be sent.

    Each unit is recorded and told in a short transaction of its own, committed once its mail
    is out: a unit the mail server refuses is recorded as not urged (`failed`) and the others
    stay urged, so trying again never mails a unit twice in a day."""
    if actor.role != Role.COORDINATOR:
        raise PermissionDenied
    today = timezone.localdate()
    note = note.strip()
    plan = plan_task_urge(tasks=tasks, note=note, today=today)
    sent = []
    with translation.override(settings.LANGUAGE_CODE), mail.get_connection() as conn:
        for target in plan.send:
            try:
                with transaction.atomic():
                    if not _first_urge_today(target.unit, target.tasks[0].item.plan, today):
                        plan.already += target.tasks  # another coordinator urged it a moment ago
                        continue
                    fresh = [
                        t
                        for t in target.tasks
                        if _record(
                            t, TaskReminderKind.URGE, today=today, staff=target.staff, sent_by=actor
                        )
                    ]
                    plan.already += [t for t in target.tasks if t not in fresh]
                    if fresh:
                        headline, sentence = _urge_words(len(fresh))
                        _tell_unit(
                            target.unit,
                            fresh,
                            target.staff,
                            headline=headline,
                            sentence=sentence,
                            today=today,
                            note=note,
                            overdue=True,
                            conn=conn,
                        )
            except OSError:  # the mail server refused: nothing recorded for this unit
                logger.exception("urging the tasks of %s failed", target.unit)
                plan.failed.append(target.unit)
                continue
            if fresh:
                target.tasks = fresh
                sent.append(target)
    plan.send = sent
    if not sent:
        raise ValidationError(_nothing_to_urge(plan))
    for target in sent:
        for task in target.tasks:
            record_event(
                actor=actor,
                action=Action.CREATE,
                obj=task,
                request=request,
                label=_("Đôn đốc nhiệm vụ quá hạn: %(task)s") % {"task": task},
                changes={"urged": [None, [u.username for u in target.staff]]}
                | ({"note": [None, note]} if note else {}),
            )
    return plan


def task_urge_history(tasks):
    return (
        TaskReminder.objects.filter(task__in=tasks)
        .select_related("task__item", "task__unit", "sent_by")
        .order_by("-sent_at", "-pk")
    )
