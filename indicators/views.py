"""The catalogue: data elements, disaggregation categories and their combos, computed
indicators, the strategy targets, and the catalogue's exchange as CSV/XLSX.

The coordinator maintains it; leaders, admins and the units' reporters and approvers read it
(case workers do not). Every write is audited.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Event
from audit.services import ConcurrentEdit
from core.access import allow
from core.roles import PLAN_READERS, Role

from . import usage
from .exchange import COLUMNS, KINDS, TITLES, export_csv, export_xlsx, import_catalogue, read_upload
from .forms import (
    CatalogueImportForm,
    CategoryForm,
    ComboForm,
    ComputedIndicatorForm,
    DataElementForm,
    ElementFilterForm,
    TargetForm,
    ValidationRuleForm,
    ValueBoundForm,
)
from .models import (
    Category,
    CategoryCombo,
    ComputedIndicator,
    DataElement,
    Target,
    ValidationRule,
    ValueBound,
)
from .services import (
    create_category,
    create_combo,
    delete_bound,
    save_bound,
    save_catalogue_form,
    save_element,
    save_rule,
)
from .targets import group_targets

COORDINATOR = {Role.COORDINATOR}
READERS = PLAN_READERS  # the catalogue is reference data for every role that reports


def _elements(request, filters: ElementFilterForm):
    elements = DataElement.objects.for_user(request.user).select_related("category_combo")
    if filters.is_valid():
        text, value_type = filters.cleaned_data["q"], filters.cleaned_data["value_type"]
        if text:
            elements = elements.filter(Q(code__icontains=text) | Q(name__icontains=text))
        if value_type:
            elements = elements.filter(value_type=value_type)
    return elements


@allow(READERS)
def element_list(request):
    filters = ElementFilterForm(request.GET)
    params = request.GET.copy()
    params.pop("page", None)
    page = Paginator(_elements(request, filters), 100).get_page(request.GET.get("page"))
    used_in = usage.places([element.pk for element in page], request.user)
    for element in page:
        element.places = used_in.get(element.pk, [])
    context = {
        "page": page,
        "filters": filters,
        "query": params.urlencode(),
        "is_coordinator": request.user.role == Role.COORDINATOR,
    }
    return render(request, "indicators/element_list.html", context)


@allow(COORDINATOR)
def element_new(request):
    form = DataElementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        element = save_element(form=form, actor=request.user, request=request)
        messages.success(request, _("Đã tạo chỉ tiêu %(code)s “%(name)s”.") % vars(element))
        return redirect("indicators:elements")
    return render(request, "indicators/element_form.html", {"form": form})


@allow(COORDINATOR)
def element_edit(request, pk):
    element = get_object_or_404(DataElement.objects.for_user(request.user), pk=pk)
    form = DataElementForm(request.POST or None, instance=element)
    if request.method == "POST" and form.is_valid():
        save_element(form=form, actor=request.user, request=request)
        messages.success(request, _("Đã lưu chỉ tiêu %(code)s “%(name)s”.") % vars(element))
        return redirect("indicators:elements")
    context = {
        "form": form,
        "element": element,
        "history": Event.objects.for_object(element)[:30],
    }
    return render(request, "indicators/element_form.html", context)


@allow(READERS)
def category_list(request):
    categories = Category.objects.for_user(request.user).prefetch_related("options", "combos")
    context = {"categories": categories, "is_coordinator": request.user.role == Role.COORDINATOR}
    return render(request, "indicators/category_list.html", context)


@allow(COORDINATOR)
def category_new(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        category = create_category(form=form, actor=request.user, request=request)
        messages.success(request, _("Đã tạo nhóm phân tổ %(code)s.") % {"code": category.code})
        return redirect("indicators:categories")
    return render(request, "indicators/category_form.html", {"form": form})


@allow(READERS)
def combo_list(request):
    combos = (
        CategoryCombo.objects.for_user(request.user)
        .prefetch_related("categories", "option_combos")
        .annotate(element_count=Count("elements"))
    )
    context = {"combos": combos, "is_coordinator": request.user.role == Role.COORDINATOR}
    return render(request, "indicators/combo_list.html", context)


@allow(COORDINATOR)
def combo_new(request):
    form = ComboForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        combo = create_combo(form=form, actor=request.user, request=request)
        messages.success(
            request,
            _("Đã tạo tổ hợp %(code)s với %(n)s phương án.")
            % {"code": combo.code, "n": combo.option_combos.count()},
        )
        return redirect("indicators:combos")
    return render(request, "indicators/combo_form.html", {"form": form})


@allow(READERS)
def target_list(request):
    targets = Target.objects.for_user(request.user).select_related("indicator")
    years, objectives = group_targets(targets)
    context = {
        "years": years,
        "objectives": objectives,
        "is_coordinator": request.user.role == Role.COORDINATOR,
    }
    return render(request, "indicators/target_list.html", context)


@allow(COORDINATOR)
def target_edit(request, pk):
    target = get_object_or_404(Target.objects.for_user(request.user), pk=pk)
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        save_catalogue_form(form=form, actor=request.user, request=request)
        messages.success(request, _("Đã lưu mục tiêu %(code)s năm %(year)s.") % vars(target))
        return redirect("indicators:targets")
    context = {"form": form, "target": target, "history": Event.objects.for_object(target)[:30]}
    return render(request, "indicators/target_form.html", context)


@allow(READERS)
def indicator_list(request):
    indicators = ComputedIndicator.objects.for_user(request.user).prefetch_related("targets")
    context = {"indicators": indicators, "is_coordinator": request.user.role == Role.COORDINATOR}
    return render(request, "indicators/indicator_list.html", context)


@allow(COORDINATOR)
def indicator_new(request):
    form = ComputedIndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        indicator = save_catalogue_form(form=form, actor=request.user, request=request)
        messages.success(request, _("Đã tạo chỉ tiêu tính toán %(code)s.") % vars(indicator))
        return redirect("indicators:indicators")
    return render(request, "indicators/indicator_form.html", {"form": form})


@allow(COORDINATOR)
def indicator_edit(request, pk):
    indicator = get_object_or_404(ComputedIndicator.objects.for_user(request.user), pk=pk)
    form = ComputedIndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        save_catalogue_form(form=form, actor=request.user, request=request)
        messages.success(request, _("Đã lưu chỉ tiêu tính toán %(code)s.") % vars(indicator))
        return redirect("indicators:indicators")
    context = {
        "form": form,
        "indicator": indicator,
        "history": Event.objects.for_object(indicator)[:30],
    }
    return render(request, "indicators/indicator_form.html", context)


@allow(READERS)
def exchange(request):
    context = {
        "tables": [(kind, TITLES[kind], COLUMNS[kind]) for kind in KINDS],
        "is_coordinator": request.user.role == Role.COORDINATOR,
    }
    return render(request, "indicators/exchange.html", context)


@allow(READERS)
def export(request, kind, extension):
    if extension == "xlsx" and kind == "catalogue":
        content, mime = export_xlsx(), XLSX
    elif extension == "csv" and kind in KINDS:
        content, mime = export_csv(kind), "text/csv; charset=utf-8"
    else:
        raise Http404
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="danh-muc-{kind}.{extension}"'
    return response


@allow(COORDINATOR)
def import_view(request):
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        tables, report = read_upload(upload.name, upload.read())
        apply = request.POST.get("action") == "apply"
        report = import_catalogue(
            tables=tables, actor=request.user, apply=apply, request=request, report=report
        )
        if report.applied:
            done = _("Đã nhập danh mục từ tệp %(name)s.") % {"name": upload.name}
            messages.success(request, done)
            return redirect("indicators:exchange")
    return render(request, "indicators/import.html", {"form": form, "report": report})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Validation of reported values: rules over sums of cells and min–max bounds (DHIS2's model).
# The coordinator keeps them; everyone who reports reads them (a unit sees why it is warned).


@allow(READERS)
def rule_list(request):
    context = {
        "rules": ValidationRule.objects.for_user(request.user),
        "bounds": ValueBound.objects.for_user(request.user).select_related(
            "data_element", "option_combo"
        ),
        "is_coordinator": request.user.role == Role.COORDINATOR,
    }
    return render(request, "indicators/rule_list.html", context)


@allow(COORDINATOR)
def rule_new(request):
    form = ValidationRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = save_rule(form=form, actor=request.user, request=request)
        messages.success(request, _("Đã tạo quy tắc kiểm tra %(code)s.") % {"code": rule.code})
        return redirect("indicators:rules")
    return render(request, "indicators/rule_form.html", {"form": form})


@allow(COORDINATOR)
def rule_edit(request, pk):
    rule = get_object_or_404(ValidationRule.objects.for_user(request.user), pk=pk)
    form = ValidationRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            save_rule(form=form, actor=request.user, request=request)
        except ConcurrentEdit as conflict:
            form.mark_conflict(conflict.current, str(conflict.current))
        else:
            messages.success(request, _("Đã lưu quy tắc kiểm tra %(code)s.") % {"code": rule.code})
            return redirect("indicators:rules")
    context = {"form": form, "rule": rule, "history": Event.objects.for_object(rule)[:30]}
    return render(request, "indicators/rule_form.html", context)


@allow(COORDINATOR)
def bound_new(request):
    form = ValueBoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        bound = save_bound(form=form, actor=request.user, request=request)
        messages.success(request, _("Đã lưu giới hạn %(bound)s.") % {"bound": bound})
        return redirect("indicators:rules")
    return render(request, "indicators/bound_form.html", {"form": form})


@allow(COORDINATOR)
def bound_edit(request, pk):
    bound = get_object_or_404(ValueBound.objects.for_user(request.user), pk=pk)
    form = ValueBoundForm(request.POST or None, instance=bound)
    if request.method == "POST" and form.is_valid():
        try:
            save_bound(form=form, actor=request.user, request=request)
        except ConcurrentEdit as conflict:
            form.mark_conflict(conflict.current, str(conflict.current))
        else:
            messages.success(request, _("Đã lưu giới hạn %(bound)s.") % {"bound": bound})
            return redirect("indicators:rules")
    context = {"form": form, "bound": bound, "history": Event.objects.for_object(bound)[:30]}
    return render(request, "indicators/bound_form.html", context)


@require_POST
@allow(COORDINATOR)
def bound_delete(request, pk):
    bound = get_object_or_404(ValueBound.objects.for_user(request.user), pk=pk)
    said = {"bound": str(bound)}
    delete_bound(bound=bound, actor=request.user, request=request)
    messages.success(request, _("Đã xóa giới hạn %(bound)s.") % said)
    return redirect("indicators:rules")
