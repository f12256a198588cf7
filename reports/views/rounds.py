"""Rounds: the reports home page, a round's completeness, opening a round, urging late units."""

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

from ..forms.rounds import RoundForm
from ..models import Round, Submission
from ..services import reminders, submissions

COORDINATOR = {Role.COORDINATOR}


@allow(PLAN_READERS)
def index(request: AuthenticatedRequest) -> HttpResponse:
    """Coordinators and leaders see the rounds; a unit sees its own reports."""
    rounds = Round.objects.for_user(request.user).select_related("form")
    mine = None
    if not request.user.sees_whole_province:
        mine = Submission.objects.for_user(request.user).select_related("round", "unit")
    context = {"rounds": rounds, "mine": mine, "today": timezone.localdate()}
    return render(request, "reports/index.html", context)


@allow(PLAN_READERS)
def round_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(Round.objects.for_user(request.user).select_related("form"), pk=pk)
    assigned = Submission.objects.for_user(request.user).for_round(round_)
    context = {
        "round": round_,
        "completeness": assigned.completeness(round_),
        "submissions": assigned.with_fill()
        .select_related("unit")
        .order_by("unit__kind", "unit__code"),
        "elements": assigned.element_completeness(round_),
        "urges": (
            reminders.urge_history(round_, include_automatic=True)[:200]
            if request.user.role == Role.COORDINATOR
            else []
        ),
        "is_coordinator": request.user.role == Role.COORDINATOR,
        "today": timezone.localdate(),
    }
    return render(request, "reports/round_detail.html", context)


@require_POST
@allow(COORDINATOR)
def urge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Đôn đốc: remind every late unit of the round now, once a day at most."""
    round_ = get_object_or_404(Round.objects.for_user(request.user), pk=pk)
    try:
        count = reminders.urge_late_units(round_=round_, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã đôn đốc %(n)s đơn vị.") % {"n": count})
    return redirect("reports:round", pk=round_.pk)


@allow(COORDINATOR)
def round_new(request: AuthenticatedRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        round_ = submissions.create_round(actor=request.user, request=request, **form.cleaned_data)
        messages.success(
            request,
            _("Đã mở đợt báo cáo cho %(n)s đơn vị.") % {"n": round_.submissions.count()},
        )
        return redirect("reports:round", pk=round_.pk)
    return render(request, "reports/round_form.html", {"form": form})
