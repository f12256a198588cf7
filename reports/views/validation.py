"""The whole-round check, on demand: every report of a round against the validation rules, the
min–max bounds and each unit's own history (reports.validation)."""

from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedRequest
from core.access import allow
from core.roles import PROVINCE_WIDE

from .. import validation
from ..forms.validation import RoundCheckForm
from ..models import Round


@allow(PROVINCE_WIDE)
def round_check(request: AuthenticatedRequest) -> HttpResponse:
    """Reports of the chosen round (the latest by default) that break a rule, fall outside a
    bound or far from the unit's history; findings on sensitive elements stay with their unit
    (reports.validation.visible)."""
    data = request.GET.copy()
    if not data.get("round"):
        latest = Round.objects.for_user(request.user).order_by("-due_on").first()
        if latest is not None:
            data["round"] = str(latest.pk)
    form = RoundCheckForm(data, user=request.user)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        round_ = form.cleaned_data["round"]
        units = validation.round_findings(
            round_,
            request.user,
            method=form.cleaned_data["method"],
            threshold=form.cleaned_data["threshold"],
        )
        context.update(
            round=round_,
            units=units,
            findings=sum(len(u.findings) for u in units),
            blocking=sum(1 for u in units for f in u.findings if f.blocking),
        )
    return render(request, "reports/round_check.html", context)
