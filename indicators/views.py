"""The catalogue: data elements, disaggregation categories and their combos.

The coordinator maintains it; leaders and admins read it. Every write is audited.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.access import allow
from accounts.models import PROVINCE_WIDE, Role
from audit.models import Action, Event
from audit.services import diff, record_event, save_audited, snapshot
from reports.models import Form, Row

from .forms import CategoryForm, ComboForm, DataElementForm, ElementFilterForm
from .models import Category, CategoryCombo, CategoryOption, DataElement

COORDINATOR = {Role.COORDINATOR}
ELEMENT_FIELDS = list(DataElementForm.Meta.fields)


def _elements(request, filters: ElementFilterForm):
    forms = Form.objects.for_user(request.user)
    rows = Row.objects.filter(section__form__in=forms).select_related("section__form")
    elements = (
        DataElement.objects.for_user(request.user)
        .select_related("category_combo")
        .prefetch_related(Prefetch("rows", queryset=rows, to_attr="form_rows"))
    )
    if filters.is_valid():
        text, value_type = filters.cleaned_data["q"], filters.cleaned_data["value_type"]
        if text:
            elements = elements.filter(Q(code__icontains=text) | Q(name__icontains=text))
        if value_type:
            elements = elements.filter(value_type=value_type)
    return elements


@allow(PROVINCE_WIDE)
def element_list(request):
    filters = ElementFilterForm(request.GET)
    params = request.GET.copy()
    params.pop("page", None)
    page = Paginator(_elements(request, filters), 100).get_page(request.GET.get("page"))
    for element in page:
        forms = {row.section.form for row in element.form_rows}
        element.forms = sorted(forms, key=lambda f: (f.code, f.version))
    context = {
        "page": page,
        "filters": filters,
        "query": params.urlencode(),
        "is_coordinator": request.user.role == Role.COORDINATOR,
    }
    return render(request, "indicators/element_list.html", context)


@transaction.atomic
def _save_element(form: DataElementForm, actor, request) -> DataElement:
    """Save and audit old → new (save_audited expects a `version` field elements lack)."""
    before = {}
    if form.instance.pk:
        current = DataElement.objects.select_for_update().get(pk=form.instance.pk)
        before = snapshot(current, ELEMENT_FIELDS)
    element = form.save()
    changes = diff(before, snapshot(element, ELEMENT_FIELDS))
    if changes:
        action = Action.UPDATE if before else Action.CREATE
        record_event(actor=actor, action=action, obj=element, changes=changes, request=request)
    return element


@allow(COORDINATOR)
def element_new(request):
    form = DataElementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        element = _save_element(form, request.user, request)
        messages.success(request, _("Đã tạo chỉ tiêu %(code)s.") % {"code": element.code})
        return redirect("indicators:elements")
    return render(request, "indicators/element_form.html", {"form": form})


@allow(COORDINATOR)
def element_edit(request, pk):
    element = get_object_or_404(DataElement.objects.for_user(request.user), pk=pk)
    form = DataElementForm(request.POST or None, instance=element)
    if request.method == "POST" and form.is_valid():
        _save_element(form, request.user, request)
        messages.success(request, _("Đã lưu chỉ tiêu %(code)s.") % {"code": element.code})
        return redirect("indicators:elements")
    context = {
        "form": form,
        "element": element,
        "history": Event.objects.for_object(element)[:30],
    }
    return render(request, "indicators/element_form.html", context)


@allow(PROVINCE_WIDE)
def category_list(request):
    categories = Category.objects.for_user(request.user).prefetch_related("options", "combos")
    context = {"categories": categories, "is_coordinator": request.user.role == Role.COORDINATOR}
    return render(request, "indicators/category_list.html", context)


@transaction.atomic
def _create_category(form: CategoryForm, actor, request) -> Category:
    """A category with its options: one write, one audit event."""
    category = form.save()
    CategoryOption.objects.bulk_create(
        CategoryOption(category=category, code=code, name=name, sort_order=order)
        for order, (code, name) in enumerate(form.cleaned_data["options"])
    )
    changes = diff({}, snapshot(category, ["code", "name"]))
    changes["option_names"] = [None, [name for _code, name in form.cleaned_data["options"]]]
    record_event(actor=actor, action=Action.CREATE, obj=category, changes=changes, request=request)
    return category


@allow(COORDINATOR)
def category_new(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        category = _create_category(form, request.user, request)
        messages.success(request, _("Đã tạo nhóm phân tổ %(code)s.") % {"code": category.code})
        return redirect("indicators:categories")
    return render(request, "indicators/category_form.html", {"form": form})


@allow(PROVINCE_WIDE)
def combo_list(request):
    combos = (
        CategoryCombo.objects.for_user(request.user)
        .prefetch_related("categories", "option_combos")
        .annotate(element_count=Count("elements"))
    )
    context = {"combos": combos, "is_coordinator": request.user.role == Role.COORDINATOR}
    return render(request, "indicators/combo_list.html", context)


@transaction.atomic
def _create_combo(form: ComboForm, actor, request) -> CategoryCombo:
    combo = save_audited(
        actor=actor, form=form, fields=["code", "name", "categories"], request=request
    )
    combo.generate_option_combos()
    return combo


@allow(COORDINATOR)
def combo_new(request):
    form = ComboForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        combo = _create_combo(form, request.user, request)
        messages.success(
            request,
            _("Đã tạo tổ hợp %(code)s với %(n)s phương án.")
            % {"code": combo.code, "n": combo.option_combos.count()},
        )
        return redirect("indicators:combos")
    return render(request, "indicators/combo_form.html", {"form": form})
