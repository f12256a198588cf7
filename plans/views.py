from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Event
from audit.services import ConcurrentEdit
from core.access import allow
from core.roles import PLAN_READERS, UNIT_STAFF, Role
from core.widgets import shown
from orgs.models import Unit

from . import services
from .forms import CopyPlanForm, LateTaskFilterForm, PlanItemForm, ProgressForm, TaskUrgeForm
from .models import (
    Evidence,
    Plan,
    PlanItem,
    Progress,
    ProgressUpdate,
    Status,
    Task,
    TaskReminder,
    TaskReminderKind,
    UnitUrge,
)

COORDINATOR = {Role.COORDINATOR}


def _visible_tasks(user):
    return Task.objects.for_user(user).select_related("unit", "item")


@allow(PLAN_READERS)
def current_plan(request):
    plan = Plan.objects.for_user(request.user).first()
    if plan is None:
        raise Http404(_("Chưa có kế hoạch nào."))
    return redirect("plans:detail", pk=plan.pk)


def _filtered_items(request, plan):
    """Items of the plan the user may see, each with the tasks the filters keep."""
    tasks = _visible_tasks(request.user)
    unit, status, section = (request.GET.get(k, "") for k in ("unit", "status", "section"))
    if unit.isdigit():
        tasks = tasks.filter(unit_id=unit)
    if status == "overdue":
        tasks = tasks.overdue()
    elif status in Status.values:
        tasks = tasks.filter(status=status)
    items = PlanItem.objects.for_user(request.user).filter(plan=plan)
    if section:
        part, __, number = section.partition(".")
        items = items.filter(part=part, **({"section": number} if number else {}))
    # Who carries an item out is no secret; how far another unit got is shown only to those
    # who may see that unit's task.
    items = items.prefetch_related(
        Prefetch("tasks", queryset=tasks, to_attr="shown_tasks"),
        Prefetch("tasks", queryset=Task.objects.select_related("unit"), to_attr="all_tasks"),
        "supporting_units",
    )
    filtering = bool(unit or status)
    return [i for i in items if i.shown_tasks or not filtering]


@allow(PLAN_READERS)
def plan_detail(request, pk):
    plan = get_object_or_404(Plan.objects.for_user(request.user), pk=pk)
    items = _filtered_items(request, plan)
    today = timezone.localdate()
    for item in items:
        item.progress = Progress.of(item.shown_tasks, today)
        item.responsible = item.responsible_labels(item.all_tasks)
    context = {
        "plan": plan,
        "items": items,
        "outline": plan.outline(items, today),
        "overall": Progress.of([t for i in items for t in i.shown_tasks], today),
        "units": sorted(
            Unit.objects.for_user(request.user).filter(tasks__item__plan=plan).distinct(),
            key=lambda unit: (unit.kind, unit.sort_key),
        ),
        "sections": plan.sections(),
        "statuses": Status.choices,
        "filters": request.GET,
        "milestones": plan.milestones.all(),
        "history": Event.objects.for_object(plan)[:50],
        "can_copy": request.user.role in COORDINATOR,
    }
    template = (
        "plans/_plan_items.html" if request.headers.get("HX-Request") else "plans/plan_detail.html"
    )
    return render(request, template, context)


@require_POST
@allow(COORDINATOR)
def plan_copy(request, pk):
    plan = get_object_or_404(Plan.objects.for_user(request.user), pk=pk)
    form = CopyPlanForm(request.POST)
    if form.is_valid():
        try:
            new = services.copy_plan(
                plan=plan, year=form.cleaned_data["year"], actor=request.user, request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Đã tạo kế hoạch năm %(year)s từ “%(plan)s”.")
                % {"year": new.year, "plan": plan.title},
            )
            return redirect("plans:detail", pk=new.pk)
    else:
        messages.error(request, _("Năm không hợp lệ."))
    return redirect("plans:detail", pk=plan.pk)


@allow(UNIT_STAFF)
def my_tasks(request):
    tasks = (
        _visible_tasks(request.user)
        .select_related("item__plan")
        .order_by("-item__plan__year", "due_on", "item_id")
    )
    status = request.GET.get("status", "")
    if status == "overdue":
        tasks = tasks.overdue()
    elif status == "open":
        tasks = tasks.open()
    elif status in Status.values:
        tasks = tasks.filter(status=status)
    context = {
        "tasks": tasks,
        "statuses": Status.choices,
        "filters": request.GET,
        "today": timezone.localdate(),
    }
    return render(request, "plans/my_tasks.html", context)


@allow(PLAN_READERS)
def item_detail(request, pk):
    item = get_object_or_404(PlanItem.objects.for_user(request.user).select_related("plan"), pk=pk)
    tasks = sorted(_visible_tasks(request.user).filter(item=item), key=Task.display_order)
    context = {
        "item": item,
        "tasks": tasks,
        "responsible": item.responsible_labels(tasks),
        "updates": ProgressUpdate.objects.for_user(request.user)
        .filter(task__item=item)
        .select_related("task__unit", "author")
        .prefetch_related("evidence")[:30],
        "progress": Progress.of(tasks),
        "history": Event.objects.for_object(item)[:50],
        "can_edit": request.user.role in COORDINATOR,
    }
    return render(request, "plans/item_detail.html", context)


@allow(COORDINATOR)
def item_edit(request, pk):
    item = get_object_or_404(PlanItem.objects.for_user(request.user), pk=pk)
    form = PlanItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item(form=form, actor=request.user, request=request)
        except ConcurrentEdit as conflict:
            form.mark_conflict(
                conflict.current,
                _("hạn %(due)s") % {"due": shown(conflict.current.due_on)}
                if conflict.current.due_on
                else _("chưa có hạn"),
            )
        else:
            messages.success(
                request,
                _("Đã lưu mục %(code)s của “%(plan)s”.")
                % {"code": item.code, "plan": item.plan.title},
            )
            return redirect("plans:item", pk=item.pk)
    return render(request, "plans/item_form.html", {"item": item, "form": form})


@allow(PLAN_READERS)
def task_detail(request, pk):
    tasks = Task.objects.for_user(request.user).select_related("item__plan", "unit")
    task = get_object_or_404(tasks, pk=pk)
    can_report = task.can_report(request.user)
    if request.method == "POST" and not can_report:
        raise PermissionDenied
    initial = {"status": task.status, "percent": task.percent}
    form = ProgressForm(
        request.POST or None, request.FILES or None, initial=initial, version=task.version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_progress(
                task=task, actor=request.user, request=request, **form.cleaned_data
            )
        except ConcurrentEdit as conflict:
            form.mark_conflict(conflict.current, conflict.current.summary())
        else:
            messages.success(
                request,
                _(
                    "Đã ghi nhận tiến độ nhiệm vụ mục %(code)s của %(unit)s: %(status)s, "
                    "%(percent)s%%."
                )
                % {
                    "code": task.item.code,
                    "unit": task.unit.name,
                    "status": Status(form.cleaned_data["status"]).label,
                    "percent": form.cleaned_data["percent"],
                },
            )
            return redirect("plans:task", pk=task.pk)
    context = {
        "task": task,
        "form": form if can_report else None,
        "updates": task.updates.select_related("author").prefetch_related("evidence"),
        "history": Event.objects.for_object(task)[:50],
        "can_urge": request.user.role in COORDINATOR and task.is_overdue(),
    }
    return render(request, "plans/task_detail.html", context)


@allow(PLAN_READERS)
def evidence_download(request, pk):
    evidence = get_object_or_404(Evidence.objects.for_user(request.user), pk=pk)
    return services.download_evidence(actor=request.user, evidence=evidence, request=request)


def _late_tasks(request, plan):
    """The plan's late tasks the coordinator sees, each with its last urge and whether its unit
    was urged today (once a day per unit: UnitUrge), in one query."""
    today = timezone.localdate()
    urges = TaskReminder.objects.filter(task=OuterRef("pk"), kind=TaskReminderKind.URGE)
    unit_urged = UnitUrge.objects.filter(unit=OuterRef("unit_id"), plan=plan, sent_on=today)
    return (
        _visible_tasks(request.user)
        .filter(item__plan=plan)
        .overdue(today)
        .annotate(
            last_urge=Subquery(urges.order_by("-sent_at").values("sent_at")[:1]),
            urged_today=Exists(unit_urged),
        )
    )


@allow(COORDINATOR)
def late_tasks(request, pk):
    """Late tasks of the plan, by body or by task, to choose and urge; a POST previews."""
    plan = get_object_or_404(Plan.objects.for_user(request.user), pk=pk)
    late = _late_tasks(request, plan)
    if request.method == "POST":
        return _urge_preview(request, plan, late)
    units = sorted(
        Unit.objects.filter(pk__in=late.values("unit_id")), key=lambda u: (u.kind, u.sort_key)
    )
    items = PlanItem.objects.filter(pk__in=late.values("item_id"))
    filters = LateTaskFilterForm(request.GET, units=units, items=items)
    shown = late
    if filters.is_valid():
        if filters.cleaned_data["unit"]:
            shown = shown.filter(unit_id=filters.cleaned_data["unit"])
        if filters.cleaned_data["item"]:
            shown = shown.filter(item_id=filters.cleaned_data["item"])
    tasks = sorted(shown, key=lambda t: (t.unit.sort_key, t.item_id))
    context = {
        "plan": plan,
        "tasks": tasks,
        "total": late.count(),
        "filters": filters,
        "today": timezone.localdate(),
        "history": services.task_urge_history(
            _visible_tasks(request.user).filter(item__plan=plan).values("pk")
        )[:100],
    }
    return render(request, "plans/late_tasks.html", context)


def _urge_preview(request, plan, late):
    form = TaskUrgeForm(
        request.POST, tasks=Task.objects.for_user(request.user).filter(item__plan=plan)
    )
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("plans:late_tasks", pk=plan.pk)
    urge_plan = services.plan_task_urge(
        tasks=form.cleaned_data["task"], note=form.cleaned_data["note"].strip()
    )
    context = {"plan": plan, "urge": urge_plan, "form": form}
    return render(request, "plans/urge_preview.html", context)


@require_POST
@allow(COORDINATOR)
def urge_tasks(request, pk):
    """Đôn đốc: send the previewed urge to the units of the chosen late tasks."""
    plan = get_object_or_404(Plan.objects.for_user(request.user), pk=pk)
    form = TaskUrgeForm(
        request.POST, tasks=Task.objects.for_user(request.user).filter(item__plan=plan)
    )
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("plans:late_tasks", pk=plan.pk)
    try:
        done = services.urge_tasks(
            tasks=form.cleaned_data["task"],
            note=form.cleaned_data["note"],
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:late_tasks", pk=plan.pk)
    if done.failed:
        messages.error(
            request,
            _("Máy chủ thư báo lỗi, chưa đôn đốc được (hãy thử lại): %(units)s.")
            % {"units": ", ".join(unit.name for unit in done.failed)},
        )
    messages.success(
        request,
        _(
            "Đã đôn đốc %(tasks)s nhiệm vụ của %(units)s đơn vị (%(plan)s): %(people)s người "
            "nhận thông báo trong hệ thống, %(emails)s địa chỉ thư điện tử."
        )
        % {
            "plan": plan.title,
            "tasks": done.tasks,
            "units": len(done.send),
            "people": done.people,
            "emails": done.emails,
        },
    )
    if done.without_recipients:
        messages.warning(
            request,
            _("Đơn vị chưa có tài khoản nào nhận thông báo: %(units)s.")
            % {"units": ", ".join(unit.name for unit in done.without_recipients)},
        )
    if done.already:
        messages.warning(
            request,
            _(
                "Không gửi lại: đơn vị đã được đôn đốc hôm nay (mỗi đơn vị một lần một ngày): "
                "%(codes)s."
            )
            % {"codes": ", ".join(f"{t.item.code} — {t.unit.label}" for t in done.already)},
        )
    return redirect("plans:late_tasks", pk=plan.pk)
