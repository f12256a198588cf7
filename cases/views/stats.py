"""Statistics from the GBV cases. Counts only, never a record, always protected (cases.stats), and
only for official rounds' windows that cannot be subtracted from one another to isolate an
incident: case workers and supervisors see their agency's, coordinators and leaders the
province's; admins none. (A unit's own exact counts go into its report through the prefill
source registered in apps.py.)"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from audit.services import record_event
from core.access import allow
from core.roles import CASE_ROLES, Role
from core.spreadsheet import xlsx_response
from reports.models import Round

from . import stats

STATS_READERS = CASE_ROLES | {Role.COORDINATOR, Role.LEADER}


class RoundChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.window_start:%d/%m/%Y}–{obj.window_end:%d/%m/%Y})"


class WindowForm(forms.Form):
    """The period counted: an official reporting round's data window (the latest shown by
    default). Only these fixed windows, and only those that cannot be subtracted from an earlier
    shown one to single incidents out (stats.window_verdicts): free dates, or two windows a few
    days apart, would isolate an incident."""

    round = RoundChoice(
        label=gettext_lazy("Kỳ báo cáo"),
        queryset=Round.objects.none(),
        required=False,
        empty_label=gettext_lazy("(kỳ gần nhất được công bố)"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "Lựa chọn không hợp lệ: chỉ thống kê theo kỳ báo cáo định kỳ (6 tháng, năm)."
            )
        },
    )

    refused = None  # the round asked for, when its statistics may not be shown

    def __init__(self, data, *, agencies):
        super().__init__(data)
        self.agencies = agencies
        self.fields["round"].queryset = stats.official_rounds().order_by("-window_end", "-pk")

    @cached_property
    def verdicts(self) -> dict:
        return stats.window_verdicts(self.fields["round"].queryset, self.agencies)

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("round")
        if chosen is None and "round" not in self.errors:
            rounds = self.fields["round"].queryset
            chosen = next((r for r in rounds if self.verdicts[r.pk] is None), None)
            if chosen is None:
                raise ValidationError(_("Chưa có kỳ báo cáo định kỳ nào để thống kê."))
        if chosen is not None and self.verdicts.get(chosen.pk):
            self.refused = chosen
            raise ValidationError(stats.refusal(chosen, self.verdicts[chosen.pk]))
        cleaned["round"] = chosen
        return cleaned

    def window(self) -> tuple[datetime.date, datetime.date]:
        round_ = self.cleaned_data["round"]
        return round_.window_start, round_.window_end

    def query(self) -> str:
        """The same window for the download links (a round id: nothing personal in a URL)."""
        return f"round={self.cleaned_data['round'].pk}"

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
    record_event(actor=request.user, action=Action.VIEW, request=request, label=label)
    return render(request, "cases/stats/stats.html", context)


@allow(STATS_READERS)
def stats_xlsx(request, table):
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
    record_event(actor=request.user, action=Action.EXPORT, request=request, label=label)
    heading = [found.title, _label(start, end, _scope(request.user))]
    name = f"thong-ke-blg-{table}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return xlsx_response(name, stats.table_xlsx(found, heading))
