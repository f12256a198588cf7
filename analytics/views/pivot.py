"""The pivot page: rows and columns among indicators, units, rounds and sex, the rest as filters;
the table with its totals, its chart, and the same table as CSV or XLSX (analytics.pivot). The
layout lives in the address (GET), so a table can be bookmarked and shared; each reader sees what
the analytics API would give them."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedRequest
from core.access import allow
from core.roles import PLAN_READERS
from core.spreadsheet import xlsx_response

from .. import engine, pivot
from ..forms.pivot import CHARTS, PivotForm


@allow(PLAN_READERS)
def pivot_table(request: AuthenticatedRequest) -> HttpResponse:
    """Choose the layout, see the table and its chart, download it."""
    data = request.GET if request.GET else PivotForm.defaults(request.user)
    form = PivotForm(data, user=request.user)
    context = _page(form)
    if form.is_valid():
        try:
            table = pivot.build(user=request.user, layout=form.layout())
        except pivot.PivotError as error:
            form.add_error(None, str(error))
        except engine.AnalyticsError as error:
            form.add_error(None, error.detail)
        else:
            fmt = request.GET.get("format")
            if fmt in ("csv", "xlsx"):
                return _download(fmt, table)
            context.update(
                table=table,
                chart=pivot.chart(table, str(context["chart_kind"])),
                query=form.query(),
                max_marks=pivot.MAX_MARKS,
            )
    return render(request, "analytics/pivot.html", context)


def _page(form: PivotForm) -> dict[str, object]:
    """What the form's page shows whatever the outcome: the axes, the pickers, which dimension
    is where, the chart's kind and the links that switch it."""
    rows, columns = form.axis("row"), form.axis("col")
    roles = {
        dim: _("dòng") if dim in rows else _("cột") if dim in columns else _("bộ lọc, chọn một")
        for dim in pivot.DIMENSIONS
    }
    params = form.params
    kind = params.get("chart") or "bar"
    kind = kind if kind in dict(CHARTS) else "bar"
    links = []
    for key, label in CHARTS:
        data = params.copy()
        data.pop("format", None)
        data["chart"] = key
        links.append((key, label, "?" + data.urlencode()))
    level = params.get("level") or "province"
    level = level if level in pivot.LEVELS else "province"
    pickers = form.pickers()
    level_label = str(pivot.LEVELS[level])
    if level in pickers:
        level_label += " · " + pickers[level].summary
    return {
        "form": form,
        "pickers": pickers,
        "axes": [("row", _("Dòng"), rows), ("col", _("Cột"), columns)],
        "dimensions": list(pivot.DIMENSIONS.items()),
        "roles": roles,
        "levels": list(pivot.LEVELS.items()),
        "level": level,
        "level_label": level_label,
        "charts": CHARTS,
        "chart_kind": kind,
        "chart_links": links,
    }


def _download(fmt: str, table: pivot.Table) -> HttpResponse:
    if fmt == "xlsx":
        return xlsx_response("bang-tong-hop.xlsx", pivot.to_xlsx(table))
    response = HttpResponse(pivot.to_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "bang-tong-hop.csv")
    return response
