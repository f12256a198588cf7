"""The user's in-app notifications: the list (unread first to the eye, read ones kept), opening
one (marks it read and goes to the thing it is about), marking all read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from core.access import AUTHENTICATED, allow
from core.models import Notification
from core.notifications import mark_all_read, mark_read

PAGE_SIZE = 50


def _safe(url: str) -> bool:
    """A path of this site: notifications link to pages, never elsewhere (Django's own check,
    which also knows the tricks browsers read as another host, such as "/\t/evil.com")."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


@allow(AUTHENTICATED)
def notifications(request: AuthenticatedRequest) -> HttpResponse:
    """The user's notifications, newest first; `?unread=1` keeps the unread ones. Opening the
    list marks nothing: each one is read when opened, or all at once by the button."""
    mine = Notification.objects.for_user(request.user)
    unread_only = request.GET.get("unread") == "1"
    shown = mine.unread() if unread_only else mine
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": mine.unread().count(),
        "total": mine.count(),
    }
    return render(request, "reports/notifications.html", context)


@allow(AUTHENTICATED)
def notification_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about (another user's answers 404)."""
    notification = mark_read(request.user, pk)
    if notification is None:
        raise Http404
    if notification.url and _safe(notification.url):
        return redirect(notification.url)
    return redirect("reports:notifications")


@require_POST
@allow(AUTHENTICATED)
def read_all(request: AuthenticatedRequest) -> HttpResponse:
    count = mark_all_read(request.user)
    messages.success(request, _("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": count})
    return redirect("reports:notifications")
