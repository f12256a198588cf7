"""The pivot page: pick indicators × units × rounds (× Nam/Nữ), see the table, download it."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from accounts.http import AuthenticatedRequest
from core.access import allow
from core.roles import PROVINCE_WIDE
from core.spreadsheet import xlsx_response

from .. import engine, pivot
from ..forms.pivot import PivotForm


@allow(PROVINCE_WIDE)
def pivot_table(request: AuthenticatedRequest) -> HttpResponse:
    """Pick indicators × units × rounds (× Nam/Nữ), see the table, download it."""
    form = PivotForm(request.GET or None, user=request.user)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            header, lines, result = pivot.build(
                user=request.user,
                dx=data["dx"],
                rounds=data["rounds"],
                units=data["units"],
                by_combo=data["by_combo"],
                accepted_only=data["accepted_only"],
            )
        except engine.AnalyticsError as error:
            form.add_error(None, error.detail)
        else:
            fmt = request.GET.get("format")
            if fmt in ("csv", "xlsx"):
                return _download(fmt, header, lines)
            context.update(
                header=header, lines=lines, as_of=result.as_of, query=request.GET.urlencode()
            )
    return render(request, "analytics/pivot.html", context)


def _download(fmt: str, header: list[str], lines: list[list[str]]) -> HttpResponse:
    if fmt == "xlsx":
        return xlsx_response("bang-tong-hop.xlsx", pivot.to_xlsx(header, lines))
    response = HttpResponse(pivot.to_csv(header, lines), content_type="text/csv")
    response["Content-Disposition"] = content_disposition_header(True, "bang-tong-hop.csv")
    return response
