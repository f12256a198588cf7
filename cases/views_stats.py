"""Statistics from the GBV cases, and the report cells they fill. Counts only, never a record,
always protected (cases.stats): case workers and supervisors see their agency's, coordinators and
leaders the province's; admins none. A unit's reporters fill their own report with its exact
counts."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import allow
from accounts.models import CASE_ROLES, UNIT_STAFF, Role
from audit.models import Action
from audit.services import ConcurrentEdit, record_event
from binhdang.xlsx import xlsx_response
from reports import services
from reports.models import Round, Submission

from . import stats

STATS_READERS = CASE_ROLES | {Role.COORDINATOR, Role.LEADER}


class RoundChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.window_start:%d/%m/%Y}–{obj.window_end:%d/%m/%Y})"


class WindowForm(forms.Form):
    """The period counted: a reporting round's data window (the latest by default). Only these
    fixed windows: free dates would let two windows a day apart isolate a single incident."""

    round = RoundChoice(
        label=gettext_lazy("Kỳ báo cáo"),
        queryset=Round.objects.order_by("-window_end", "-pk"),
        required=False,
        empty_label=gettext_lazy("(kỳ gần nhất)"),
    )

    @cached_property
    def chosen(self):
        return self.cleaned_data.get("round") or self.fields["round"].queryset.first()

    def window(self) -> tuple[datetime.date, datetime.date]:
        round_ = self.chosen
        if round_ is None:
            today = timezone.localdate()
            return today.replace(month=1, day=1), today.replace(month=12, day=31)
        return round_.window_start, round_.window_end

    def query(self) -> str:
        """The same window for the download links (a round id: nothing personal in a URL)."""
        round_ = self.chosen
        return f"round={round_.pk}" if round_ else ""

    def problems(self) -> str:
        return " ".join(m for errors in self.errors.values() for m in errors)


def _agencies(user):
    return [user.unit] if user.role in CASE_ROLES else None


def _scope(user) -> str:
    return user.unit.name if user.role in CASE_ROLES else _("Toàn tỉnh")


def _label(start, end, scope, table=None) -> str:
    """How an audit event names what was read: the window, the scope, the table; no record."""
    text = _("Thống kê bạo lực trên cơ sở giới %(start)s–%(end)s, %(scope)s") % {
        "start": f"{start:%d/%m/%Y}",
        "end": f"{end:%d/%m/%Y}",
        "scope": scope,
    }
    return f"{text}: {table}" if table else text


@allow(STATS_READERS)
def stats_page(request):
    form = WindowForm(request.GET)
    scope = _scope(request.user)
    context = {"form": form, "scope": scope, "legend": stats.legend()}
    label = _("Thống kê bạo lực trên cơ sở giới: khoảng thời gian không hợp lệ")
    if form.is_valid():
        start, end = form.window()
        context["result"] = stats.statistics(start=start, end=end, agencies=_agencies(request.user))
        context["query"] = form.query()
        label = _label(start, end, scope)
    record_event(actor=request.user, action=Action.VIEW, request=request, label=label)
    return render(request, "cases/stats/stats.html", context)


@allow(STATS_READERS)
def stats_xlsx(request, table):
    form = WindowForm(request.GET)
    if not form.is_valid():
        messages.error(request, form.problems())
        return redirect("cases:stats")
    start, end = form.window()
    result = stats.statistics(start=start, end=end, agencies=_agencies(request.user))
    found = result.table(table)
    if found is None:
        raise Http404
    label = _label(start, end, _scope(request.user), found.title)
    record_event(actor=request.user, action=Action.EXPORT, request=request, label=label)
    heading = [found.title, _label(start, end, _scope(request.user))]
    name = f"thong-ke-blg-{table}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return xlsx_response(name, stats.table_xlsx(found, heading))


# The unit's own report ---------------------------------------------------------------------------


def _submission(request, pk) -> Submission:
    """The user's unit's own report, or 404. Only the unit's own staff pull its exact counts:
    coordinators see them through the protected statistics, never unsuppressed per unit."""
    submissions = Submission.objects.for_user(request.user).select_related("round__form", "unit")
    return get_object_or_404(submissions.filter(unit_id=request.user.unit_id), pk=pk)


def _report_lines(submission) -> tuple[list, int]:
    """[(row, [(option combo, stored value or None, count from the cases)])] for the form's GBV
    rows, and the perpetrators of unknown sex (no column for them). 404 if the form has none."""
    rows = list(
        submission.round.form.rows()
        .filter(data_element__code__in=stats.REPORT_ELEMENTS)
        .prefetch_related("data_element__category_combo__option_combos")
    )
    if not rows:
        raise Http404
    counts, unknown = stats.report_counts(
        unit=submission.unit, start=submission.round.window_start, end=submission.round.window_end
    )
    stored = {
        (v.data_element_id, v.option_combo_id): v
        for v in submission.values.filter(data_element__in=[r.data_element for r in rows])
    }
    lines = []
    for row in rows:
        combos = [
            c for c in row.data_element.category_combo.option_combos.all() if c.code in stats.SEX
        ]
        cells = [
            (
                c,
                stored.get((row.data_element_id, c.pk)),
                counts[row.data_element.code, stats.SEX[c.code]],
            )
            for c in combos
        ]
        lines.append((row, cells))
    return lines, unknown


@allow(UNIT_STAFF)
def report_counts(request, pk):
    """What `fill_report` would write, next to what the report holds: counts, nothing else."""
    submission = _submission(request, pk)
    lines, unknown = _report_lines(submission)
    label = f"{_('Số liệu từ hồ sơ hỗ trợ nạn nhân cho báo cáo')} {submission.unit.code} "
    record_event(
        actor=request.user,
        action=Action.VIEW,
        request=request,
        label=label + submission.round.code,
    )
    context = {
        "submission": submission,
        "lines": lines,
        "unknown": unknown,
        "can_edit": submission.is_editable_by(request.user),
    }
    partial = request.headers.get("HX-Request")
    template = "cases/stats/_report_counts.html" if partial else "cases/stats/report_counts.html"
    return render(request, template, context)


def _expected(request, row, combo) -> int:
    """The cell's version when the preview was shown; none or unreadable counts as stale."""
    try:
        return int(request.POST.get(f"v{row.pk}_{combo.pk}", ""))
    except ValueError:
        return -1


@require_POST
@allow(UNIT_STAFF)
def fill_report(request, pk):
    """Write the unit's counts into its report through the same checks and audit as typing."""
    submission = _submission(request, pk)
    lines, unknown = _report_lines(submission)
    cells = [
        services.CellInput(
            row=row,
            option_combo=combo,
            raw=str(count),
            comment=None,
            expected_version=_expected(request, row, combo),
            machine=True,
        )
        for row, row_cells in lines
        for combo, _stored, count in row_cells
    ]
    try:
        with transaction.atomic():
            services.save_values(
                submission=submission, cells=cells, actor=request.user, request=request
            )
            record_event(
                actor=request.user,
                action=Action.EXPORT,
                obj=submission,
                request=request,
                changes={"cells": [None, len(cells)]},
            )
    except ConcurrentEdit:
        messages.error(
            request,
            _(
                "Chưa xem trước số liệu sẽ điền, hoặc các ô đã thay đổi từ khi xem trước. Hãy "
                "xem lại rồi bấm lại; chưa ô nào bị thay đổi."
            ),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _filled_message(lines))
        if unknown:
            messages.warning(
                request,
                _(
                    "%(n)s người gây bạo lực không rõ giới tính không có cột để điền; hãy ghi "
                    "chú vào ô nếu cần."
                )
                % {"n": unknown},
            )
    return redirect("reports:submission", pk=submission.pk)


def _filled_message(lines) -> str:
    filled = "; ".join(
        f"{row.title}: " + ", ".join(f"{combo.name} {count}" for combo, _s, count in cells)
        for row, cells in lines
    )
    return _("Đã điền từ hồ sơ hỗ trợ nạn nhân: %(cells)s.") % {"cells": filled}
