"""The entry page's offline support (entry.js keeps the values; these only help the page):
its service worker, which serves the static files from a cache and an offline page in place of
a report page the network cannot reach, and that offline page. Neither holds any report data:
pages are never cached (`no-store`), and what was typed offline waits in the browser until the
grid's own save (`reports.views.submissions.save_cell`) takes it."""

import hashlib

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse

from accounts.http import AuthenticatedRequest
from core.access import allow

from .submissions import EDITORS

# What the offline page needs; the entry page's other static files are cached as it loads them.
OFFLINE_ASSETS = (
    "vendor/pico-2.1.1.min.css",
    "css/app.css",
    "css/entry.css",
    "js/offline.js",
    "favicon.svg",
)


@allow(EDITORS)
def service_worker(request: AuthenticatedRequest) -> HttpResponse:
    """The worker's script. Its text names the static files' current (hashed) URLs, so a new
    release changes it and browsers install the new worker, which drops the old cache."""
    context = {
        "offline_url": reverse("reports:offline"),
        "static_url": settings.STATIC_URL,
        "assets": [static(path) for path in OFFLINE_ASSETS],
    }
    context["version"] = hashlib.sha256(repr(sorted(context.items())).encode()).hexdigest()[:12]
    script = render_to_string("reports/sw.js", context)
    return HttpResponse(script, content_type="text/javascript; charset=utf-8")


@allow(EDITORS)
def offline(request: AuthenticatedRequest) -> HttpResponse:
    """Shown by the worker when a report page cannot be reached: the same for every user (no
    name, no figure), it counts from the browser what still waits to be sent."""
    return render(request, "reports/offline.html")
