"""The dashboards: the province at a glance (its targets also as CSV), a unit's own figures,
and the leader's one page (one A4 sheet in print)."""

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from accounts.http import AuthenticatedRequest
from core.access import allow
from core.roles import PROVINCE_WIDE, UNIT_STAFF
from core.spreadsheet import csv_escape
from reports.models import Round

from .. import figures, selectors


@allow(PROVINCE_WIDE)
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """The province at a glance: strategy targets, reporting, GBV services, overdue tasks."""
    rounds = list(Round.objects.for_user(request.user).order_by("-due_on"))
    round_ = selectors.dashboard_round(rounds, request.GET.get("round"))
    if round_ is None:
        return render(request, "analytics/dashboard.html", {"rounds": rounds})
    accepted_only = request.GET.get("accepted") == "1"
    lines, result = figures.target_lines(
        user=request.user, round_=round_, unit_code=round_.scope.code, accepted_only=accepted_only
    )
    if request.GET.get("format") == "csv":
        return _targets_csv(round_, lines)
    context = {
        "rounds": rounds,
        "round": round_,
        "accepted_only": accepted_only,
        "as_of": result.as_of,
        "objectives": figures.by_objective(lines),
        **selectors.province_dashboard(
            user=request.user, round_=round_, accepted_only=accepted_only
        ),
    }
    return render(request, "analytics/dashboard.html", context)


def _targets_csv(round_: Round, lines: dict[int, list[figures.TargetLine]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["ma", "chi_tieu", "don_vi", "ket_qua", "muc_tieu", "nam", "chieu", "danh_gia"])
    for group in lines.values():
        for line in group:
            cells = [
                line.code,
                line.name,
                line.unit,
                line.shown,
                line.target.value_text,
                line.target.year,
                line.target.get_direction_display(),
                line.status,
            ]
            writer.writerow([csv_escape(str(cell)) for cell in cells])
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")
    name = f"chi-tieu-chien-luoc-{round_.code}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@allow(UNIT_STAFF)
def unit_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """A unit's own figures against the strategy targets, and its reporting deadlines."""
    context = selectors.unit_dashboard(user=request.user)
    return render(request, "analytics/unit_dashboard.html", context)


@allow(PROVINCE_WIDE)
def meeting(request: AuthenticatedRequest) -> HttpResponse:
    """The leader's one page: plan progress by body, reporting by kind of unit, strategy targets,
    GBV services (protected), the Action Month; it prints on one A4 sheet."""
    context = selectors.meeting_summary(user=request.user)
    return render(request, "analytics/meeting.html", context)
