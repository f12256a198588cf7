from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Event
from audit.services import ConcurrentEdit
from core.access import allow
from core.roles import UNIT_READERS, Role
from core.text import fold
from core.widgets import shown

from . import services
from .forms import CloseUnitForm, EthnicGroupForm, SuccessionForm, UnitForm
from .models import EthnicGroup, Unit, UnitKind

EDITORS = {Role.COORDINATOR}
# The official list of ethnic groups is system reference data: the admins keep it.
REFERENCE_KEEPERS = {Role.ADMIN}


@allow(UNIT_READERS)
def unit_list(request):
    units = Unit.objects.for_user(request.user).annotate(
        user_count=Count("users", filter=Q(users__is_active=True))
    )
    kind, state, query = (
        request.GET.get("kind", ""),
        request.GET.get("state", ""),
        request.GET.get("q", ""),
    )
    if kind in UnitKind.values:
        units = units.filter(kind=kind)
    today = timezone.localdate()
    if state == "current":
        units = units.valid_on(today)
    elif state == "closed":
        units = units.filter(valid_to__lt=today)
    units = sorted(
        units,
        key=lambda u: (u.kind != UnitKind.PROVINCE, u.get_kind_display(), u.sort_key),
    )
    if query:
        units = [u for u in units if fold(query) in fold(f"{u.code} {u.name} {u.short_name}")]
    context = {
        "units": units,
        "kinds": UnitKind.choices,
        "filters": request.GET,
        "can_edit": request.user.role in EDITORS,
    }
    template = (
        "orgs/_unit_table.html" if request.headers.get("HX-Request") else "orgs/unit_list.html"
    )
    return render(request, template, context)


@allow(UNIT_READERS)
def unit_detail(request, pk):
    unit = get_object_or_404(Unit.objects.for_user(request.user).select_related("parent"), pk=pk)
    context = {
        "unit": unit,
        "predecessors": unit.predecessions.select_related("predecessor"),
        "successors": unit.successions.select_related("successor"),
        "children": sorted(unit.children.all(), key=lambda u: u.sort_key),
        "history": Event.objects.for_object(unit)[:50],
        "can_edit": request.user.role in EDITORS,
    }
    return render(request, "orgs/unit_detail.html", context)


def _save_unit_form(request, form, template, context):
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.save_unit(form=form, actor=request.user, request=request)
        except ConcurrentEdit as conflict:
            current = conflict.current
            form.mark_conflict(current, f"{current.code} — {current.name}")
        else:
            messages.success(request, _("Đã lưu đơn vị %(name)s.") % {"name": unit.name})
            return redirect("orgs:detail", pk=unit.pk)
    return render(request, template, {**context, "form": form})


@allow(EDITORS)
def unit_new(request):
    form = UnitForm(request.POST or None)
    return _save_unit_form(request, form, "orgs/unit_form.html", {})


@allow(EDITORS)
def unit_edit(request, pk):
    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=pk)
    form = UnitForm(request.POST or None, instance=unit)
    return _save_unit_form(request, form, "orgs/unit_form.html", {"unit": unit})


@allow(EDITORS)
def unit_close(request, pk):
    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=pk)
    form = CloseUnitForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_unit(unit=unit, actor=request.user, request=request, **form.cleaned_data)
        except ConcurrentEdit as conflict:
            current = conflict.current
            until = shown(current.valid_to) if current.valid_to else "…"
            form.mark_conflict(current, f"{current.name}, {until}")
        else:
            successors = form.cleaned_data["successors"]
            messages.success(
                request,
                _("%(name)s hết hiệu lực từ sau ngày %(day)s%(successors)s.")
                % {
                    "name": unit.name,
                    "day": shown(form.cleaned_data["valid_to"]),
                    "successors": _("; đơn vị kế thừa: %(units)s")
                    % {"units": ", ".join(u.name for u in successors)}
                    if successors
                    else "",
                },
            )
            return redirect("orgs:detail", pk=unit.pk)
    return render(request, "orgs/unit_close.html", {"unit": unit, "form": form})


@allow(EDITORS)
def unit_link(request, pk):
    unit = get_object_or_404(Unit.objects.for_user(request.user), pk=pk)
    form = SuccessionForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        services.add_succession(form=form, actor=request.user, request=request)
        link = form.instance
        messages.success(
            request,
            _("Đã thêm liên kết kế thừa: %(old)s → %(new)s, từ ngày %(day)s.")
            % {
                "old": unit.name,
                "new": link.successor.name,
                "day": shown(link.effective_on),
            },
        )
        return redirect("orgs:detail", pk=unit.pk)
    return render(request, "orgs/unit_link.html", {"unit": unit, "form": form})


@allow(REFERENCE_KEEPERS)
def ethnic_group_list(request):
    groups = EthnicGroup.objects.for_user(request.user)
    return render(request, "orgs/ethnic_group_list.html", {"groups": groups})


@allow(REFERENCE_KEEPERS)
def ethnic_group_edit(request, pk):
    group = get_object_or_404(EthnicGroup.objects.for_user(request.user), pk=pk)
    form = EthnicGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_ethnic_group(form=form, actor=request.user, request=request)
        except ConcurrentEdit as conflict:
            form.mark_conflict(conflict.current, conflict.current.name)
        else:
            messages.success(request, _("Đã lưu dân tộc %(name)s.") % {"name": group.name})
            return redirect("orgs:ethnic_groups")
    return render(request, "orgs/ethnic_group_form.html", {"group": group, "form": form})
