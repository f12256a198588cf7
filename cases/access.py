"""Entry to the GBV module: case roles only, and only while they hold approved GBV access
(`User.has_gbv_access`, checked by `core.access.allow`: a second person approved the grant
for the user's current unit and role), with their second factor (accounts.middleware); a case
fetched through `Case.objects.for_user` (404 otherwise), which applies the same gate."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.access import allow
from core.roles import CASE_ROLES

from .models import Case

case_roles = allow(CASE_ROLES)


def get_case(request, pk):
    """The case and what the user may see of it; 404 (logged as a denial) outside their scope."""
    case = get_object_or_404(
        Case.objects.for_user(request.user).select_related("survivor", "agency", "owner"), pk=pk
    )
    return case, case.access_for(request.user)


def require_writable(access) -> None:
    """Changing a case: a referral's recipient gets 404 like an outsider, break-glass (which
    only reads) 403."""
    if access is None or not access.full:
        raise Http404
    if not access.can_write:
        raise PermissionDenied
