"""The user's in-app messages (reminders, returned reports)."""

from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedRequest
from core.access import AUTHENTICATED, allow
from core.models import Notification
from core.notifications import mark_all_read


@allow(AUTHENTICATED)
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    """The user's in-app messages (reminders, returned reports); opening the page reads them."""
    items = list(Notification.objects.for_user(request.user)[:100])
    mark_all_read(request.user)
    return render(request, "reports/notifications.html", {"items": items})
