"""Budget lines by unit, plan item and source, with totals by source and by body for Sở Tài chính
(plan IV.7). Totals are summed by the database over the filtered lines; a line that spent more
than it was allocated is flagged."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedRequest
from audit.models import Event
from core.access import allow
from core.spreadsheet import xlsx_response

from ..excel import workbook_bytes, yes_no
from ..forms.budget import BudgetFilterForm, BudgetLineForm
from ..models import READERS, WRITERS, BudgetLine, BudgetLineQuerySet
from ..selectors import budget_lines_for, budget_summary
from .editing import editable, save_form


def _lines(request: AuthenticatedRequest) -> tuple[BudgetFilterForm, BudgetLineQuerySet]:
    form = BudgetFilterForm(request.GET, records=budget_lines_for(request.user))
    return form, form.filter()


@allow(READERS)
def budget(request: AuthenticatedRequest) -> HttpResponse:
    form, lines = _lines(request)
    context = {
        "form": form,
        "lines": lines,
        **budget_summary(lines),
        "can_add": request.user.role in WRITERS,
    }
    return render(request, "activities/budget/list.html", context)


def _totals_rows(rows: list[dict], grand: dict) -> list[list]:
    return [[row["label"], *(row[name] for name in BudgetLine.AMOUNTS)] for row in rows] + [
        [_("Tổng cộng"), *(grand[name] for name in BudgetLine.AMOUNTS)]
    ]


@allow(READERS)
def budget_export(request: AuthenticatedRequest) -> HttpResponse:
    __, lines = _lines(request)
    totals = budget_summary(lines)
    amounts = [_("Dự toán (đồng)"), _("Được giao (đồng)"), _("Đã chi (đồng)")]
    line_rows = [
        [
            line.year,
            line.unit.name,
            line.plan_item.code if line.plan_item else "",
            line.get_source_display(),
            line.description,
            line.planned,
            line.allocated,
            line.spent,
            yes_no(line.overspent),
        ]
        for line in lines
    ]
    sheets = [
        (
            _("Các dòng kinh phí"),
            [
                _("Năm"),
                _("Đơn vị"),
                _("Mục kế hoạch"),
                _("Nguồn kinh phí"),
                _("Nội dung chi"),
                *amounts,
                _("Chi vượt số được giao"),
            ],
            line_rows,
        ),
        (
            _("Theo nguồn"),
            [_("Nguồn kinh phí"), *amounts],
            _totals_rows(totals["by_source"], totals["grand"]),
        ),
        (
            _("Theo đơn vị"),
            [_("Đơn vị"), *amounts],
            _totals_rows(totals["by_unit"], totals["grand"]),
        ),
    ]
    return xlsx_response("kinh-phi.xlsx", workbook_bytes(sheets))


def _budget_form(request: AuthenticatedRequest, form: BudgetLineForm) -> HttpResponse:
    if line := save_form(request, form):
        messages.success(
            request, _("Đã lưu dòng kinh phí “%(name)s”.") % {"name": line.description}
        )
        if line.overspent:
            messages.warning(request, _("Lưu ý: số đã chi vượt số được giao."))
        return redirect("activities:budget")
    line = form.instance if form.instance.pk else None
    context = {
        "form": form,
        "line": line,
        "history": Event.objects.for_object(line)[:50] if line else [],
    }
    return render(request, "activities/budget/form.html", context)


@allow(WRITERS)
def budget_new(request: AuthenticatedRequest) -> HttpResponse:
    form = BudgetLineForm(request.POST or None, instance=BudgetLine(), user=request.user)
    return _budget_form(request, form)


@allow(WRITERS)
def budget_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    line = editable(request, BudgetLine.objects, pk)
    form = BudgetLineForm(request.POST or None, instance=line, user=request.user)
    return _budget_form(request, form)
