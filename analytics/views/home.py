"""The home page: what waits for the reader, by role (analytics.homes)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.http import AuthenticatedRequest
from cases.services.reads import record_read
from core.access import AUTHENTICATED, allow

from .. import homes


@allow(AUTHENTICATED)
def home(request: AuthenticatedRequest) -> HttpResponse:
    context = homes.home(user=request.user, today=timezone.localdate())
    if context["kind"] == "gbv" and not context.get("pending"):
        # It lists case codes: a read of the GBV module, audited as every such page is.
        record_read(actor=request.user, label="home", request=request)
    return render(request, "analytics/home.html", context)
