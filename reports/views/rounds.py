"""Rounds: the reports home page with counts per round, a round's worklist (counts, filters,
late marks), opening a round, urging units that have not submitted."""

from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from core.access import allow
from core.roles import PLAN_READERS, Role
from core.widgets import shown

from .. import selectors
from ..forms.rounds import RoundForm, UrgeForm, WorklistFilterForm
from ..models import Round, Submission
from ..services import reminders, submissions

COORDINATOR = {Role.COORDINATOR}


@allow(PLAN_READERS)
def index(request: AuthenticatedRequest) -> HttpResponse:
    """Coordinators and leaders see the rounds with their counts; a unit sees its own reports."""
    today = timezone.localdate()
    rounds = list(Round.objects.for_user(request.user).select_related("form"))
    counts = selectors.round_counts(rounds, today=today, user=request.user)
    for round_ in rounds:
        round_.counts = counts.get(round_.pk, Counter())
        round_.locked = round_.is_locked(today)
    mine = None
    if not request.user.sees_whole_province:
        mine = Submission.objects.for_user(request.user).select_related("round", "unit")
    context = {"rounds": rounds, "mine": mine, "today": today}
    return render(request, "reports/index.html", context)


@allow(PLAN_READERS)
def round_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.for_user(request.user).select_related("form"), pk=pk)
    today = timezone.localdate()
    is_coordinator = request.user.role == Role.COORDINATOR
    filters = WorklistFilterForm(request.GET)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    assigned = Submission.objects.for_user(request.user).for_round(round_)
    work = selectors.worklist(
        assigned,
        today=today,
        status=chosen.get("status", ""),
        kind=chosen.get("kind", ""),
        q=chosen.get("q", ""),
        sort=chosen.get("sort", "") or "unit",
    )
    refusal = reminders.urge_refusal(round_, today)
    context = {
        "round": round_,
        "completeness": assigned.completeness(round_, today),
        "worklist": work,
        "stages": selectors.STAGES,
        "stage_counts": [(key, label, work.counts[key]) for key, label in selectors.STAGES.items()],
        "filters": filters,
        "filtering": any(chosen.values()),
        "elements": assigned.element_completeness(round_),
        "urges": (
            reminders.urge_history(round_, include_automatic=True)[:200] if is_coordinator else []
        ),
        "is_coordinator": is_coordinator,
        "return_days": settings.RETURN_DAYS,
        "locked": round_.is_locked(today),
        "not_open": today < round_.opens_on,
        "can_urge": is_coordinator and refusal is None,
        "urge_refusal": refusal,
        "today": today,
    }
    return render(request, "reports/round_detail.html", context)


def _urge_form(request: AuthenticatedRequest, round_: Round) -> UrgeForm:
    """The chosen reports among those of the round the coordinator sees; whether each may be
    urged is the service's rule (`reminders.plan_urge`), so a unit that submitted meanwhile is
    shown as such rather than refused as an unknown choice."""
    visible = Submission.objects.for_user(request.user).for_round(round_)
    return UrgeForm(request.POST, submissions=visible)


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@require_POST
@allow(COORDINATOR)
def urge_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The message and who gets it, before anything is sent; nothing is written."""
    round_ = get_object_or_404(Round.objects.for_user(request.user), pk=pk)
    refusal = reminders.urge_refusal(round_)
    if refusal:
        messages.error(request, refusal)
        return redirect("reports:round", pk=round_.pk)
    form = _urge_form(request, round_)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("reports:round", pk=round_.pk)
    plan = reminders.plan_urge(
        round_=round_,
        submissions=form.cleaned_data["submission"],
        note=form.cleaned_data["note"].strip(),
    )
    context = {"round": round_, "plan": plan, "form": form}
    return render(request, "reports/urge_preview.html", context)


@require_POST
@allow(COORDINATOR)
def urge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Đôn đốc: remind (before their due date) or urge (after it) the chosen units that have not
    submitted, once a day per unit at most."""
    round_ = get_object_or_404(Round.objects.for_user(request.user), pk=pk)
    form = _urge_form(request, round_)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect("reports:round", pk=round_.pk)
    try:
        plan = reminders.urge_units(
            round_=round_,
            submissions=form.cleaned_data["submission"],
            note=form.cleaned_data["note"],
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:round", pk=round_.pk)
    messages.success(
        request,
        _(
            "Đã đôn đốc %(n)s đơn vị chưa nộp “%(round)s”: %(people)s người nhận thông báo "
            "trong hệ thống, %(emails)s địa chỉ thư điện tử."
        )
        % {
            "n": len(plan.send),
            "round": round_.name,
            "people": plan.people,
            "emails": plan.emails,
        },
    )
    _tell_skipped(request, plan)
    return redirect("reports:round", pk=round_.pk)


def _tell_skipped(request: AuthenticatedRequest, plan: reminders.UrgePlan) -> None:
    def names(items):
        return ", ".join(s.unit.name for s in items)

    if plan.already:
        messages.warning(
            request,
            _("Không gửi lại cho đơn vị đã được đôn đốc hôm nay: %(units)s.")
            % {"units": names(plan.already)},
        )
    if plan.submitted:
        messages.info(
            request, _("Đã nộp, không đôn đốc: %(units)s.") % {"units": names(plan.submitted)}
        )
    if plan.failed:
        messages.error(
            request,
            _("Máy chủ thư báo lỗi, chưa đôn đốc được (hãy thử lại): %(units)s.")
            % {"units": names(plan.failed)},
        )
    if plan.without_recipients:
        messages.warning(
            request,
            _("Đơn vị chưa có tài khoản nào nhận thông báo: %(units)s.")
            % {"units": names(plan.without_recipients)},
        )


@allow(COORDINATOR)
def round_new(request: AuthenticatedRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        round_ = submissions.create_round(actor=request.user, request=request, **form.cleaned_data)
        messages.success(
            request,
            _("Đã mở đợt “%(round)s” cho %(n)s đơn vị, hạn nộp %(day)s.")
            % {"round": round_.name, "n": round_.submissions.count(), "day": shown(round_.due_on)},
        )
        return redirect("reports:round", pk=round_.pk)
    return render(request, "reports/round_form.html", {"form": form})
