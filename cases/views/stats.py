"""Statistics from the GBV cases. Counts only, never a record, always protected (cases.stats), and
only for official rounds' windows that cannot be subtracted from one another to isolate an
incident: case workers and supervisors see their agency's, coordinators and leaders the
province's; admins none. (A unit's own exact counts go into its report through the prefill
source registered in apps.py.)"""

import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedRequest
from accounts.models import User
from audit.models import Action
from core.access import allow
from core.roles import CASE_ROLES, Role
from core.spreadsheet import xlsx_response
from orgs.models import Unit

from .. import stats
from ..forms.stats import WindowForm
from ..services.reads import record_read

STATS_READERS = CASE_ROLES | {Role.COORDINATOR, Role.LEADER}


def _agencies(user: User) -> list[Unit] | None:
    if user.role not in CASE_ROLES:
        return None
    assert user.unit is not None  # a case role has a unit (User's check constraint)
    return [user.unit]


def _scope(user: User) -> str:
    if user.role not in CASE_ROLES:
        return _("Toàn tỉnh")
    assert user.unit is not None  # a case role has a unit (User's check constraint)
    return user.unit.name


def _label(start: datetime.date, end: datetime.date, scope: str, table: str | None = None) -> str:
    """How an audit event names what was read: the window, the scope, the table; no record."""
    text = _("Thống kê bạo lực trên cơ sở giới %(start)s–%(end)s, %(scope)s") % {
        "start": f"{start:%d/%m/%Y}",
        "end": f"{end:%d/%m/%Y}",
        "scope": scope,
    }
    return f"{text}: {table}" if table else text


@allow(STATS_READERS)
def stats_page(request: AuthenticatedRequest) -> HttpResponse:
    form = WindowForm(request.GET, agencies=_agencies(request.user))
    scope = _scope(request.user)
    context = {"form": form, "scope": scope, "legend": stats.legend(), "rule": stats.window_rule()}
    label = _("Thống kê bạo lực trên cơ sở giới: khoảng thời gian không hợp lệ")
    if form.is_valid():
        start, end = form.window()
        context["result"] = stats.statistics(start=start, end=end, agencies=form.agencies)
        context["query"] = form.query()
        label = _label(start, end, scope)
    elif form.refused is not None:
        start, end = form.refused.window_start, form.refused.window_end
        label = _label(start, end, scope, _("không hiển thị (chênh lệch dưới 5 vụ việc)"))
    record_read(actor=request.user, label=label, request=request)
    return render(request, "cases/stats/stats.html", context)


@allow(STATS_READERS)
def stats_xlsx(request: AuthenticatedRequest, table: str) -> HttpResponse:
    form = WindowForm(request.GET, agencies=_agencies(request.user))
    if not form.is_valid():
        messages.error(request, form.problems())
        return redirect("cases:stats")
    start, end = form.window()
    result = stats.statistics(start=start, end=end, agencies=form.agencies)
    found = result.table(table)
    if found is None:
        raise Http404
    label = _label(start, end, _scope(request.user), found.title)
    record_read(actor=request.user, action=Action.EXPORT, label=label, request=request)
    heading = [found.title, _label(start, end, _scope(request.user))]
    name = f"thong-ke-blg-{table}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return xlsx_response(name, stats.table_xlsx(found, heading))
