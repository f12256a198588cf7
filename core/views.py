from django.shortcuts import render

from audit.models import Action
from audit.services import record_event


def forbidden(request, exception=None):
    user = request.user if request.user.is_authenticated else None
    record_event(actor=user, action=Action.DENIED, request=request, label=request.path[:300])
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    # A signed-in user asking for a record outside their scope is probed access: log it too.
    if request.user.is_authenticated:
        record_event(
            actor=request.user, action=Action.DENIED, request=request, label=request.path[:300]
        )
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
