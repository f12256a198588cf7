"""Filling a unit's report from its own records (a prefill source): the preview, then the fill
exactly as previewed. Only the unit's own staff, on their own unit's report (reports.prefill)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from audit.services import ConcurrentEdit
from core.access import allow
from core.roles import UNIT_STAFF
from indicators import sources

from .. import prefill
from ..models import Submission
from ..services.prefill import fill, record_preview


def _prefill_source(request: AuthenticatedRequest, key: str) -> sources.Source:
    source = sources.get(key)
    if source is None:
        raise Http404
    if request.user.role not in source.roles:
        raise PermissionDenied
    return source


def _own_submission(request: AuthenticatedRequest, pk: int) -> Submission:
    """The user's unit's own report, or 404: a source's exact figures are that unit's own data,
    never pulled into another unit's report, not even by a unit above it."""
    queryset = Submission.objects.for_user(request.user).select_related("round__form", "unit")
    return get_object_or_404(queryset.filter(unit_id=request.user.unit_id), pk=pk)


@allow(UNIT_STAFF)
def prefill_preview(request: AuthenticatedRequest, pk: int, key: str) -> HttpResponse:
    """What `prefill_fill` would write, next to what the report holds, and the difference."""
    source = _prefill_source(request, key)
    submission = _own_submission(request, pk)
    shown = prefill.preview(source, submission)
    if shown is None:
        raise Http404
    record_preview(actor=request.user, source=source, submission=submission, request=request)
    context = {
        "submission": submission,
        "preview": shown,
        "note": shown.note(submission),
        "can_edit": submission.is_editable_by(request.user),
    }
    partial = request.headers.get("HX-Request")
    template = "reports/_prefill_preview.html" if partial else "reports/prefill.html"
    return render(request, template, context)


def _previewed_versions(post) -> dict:
    """(row id, option combo id) → the cell version the preview carried in `v<row>_<combo>`."""
    versions = {}
    for name, value in post.items():
        row, _sep, combo = name[1:].partition("_")
        if name.startswith("v") and row.isdigit() and combo.isdigit() and value.isdigit():
            versions[int(row), int(combo)] = int(value)
    return versions


@require_POST
@allow(UNIT_STAFF)
def prefill_fill(request: AuthenticatedRequest, pk: int, key: str) -> HttpResponse:
    """Write the source's values into the unit's report, exactly as previewed, or nothing."""
    source = _prefill_source(request, key)
    submission = _own_submission(request, pk)
    try:
        shown = fill(
            source=source,
            submission=submission,
            previewed=request.POST.get("digest", ""),
            versions=_previewed_versions(request.POST),
            actor=request.user,
            request=request,
        )
    except ConcurrentEdit:
        messages.error(
            request,
            _(
                "Các ô đã thay đổi từ khi xem trước. Hãy xem lại rồi bấm lại; chưa ô nào bị "
                "thay đổi."
            ),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Đã điền %(n)s ô số liệu từ %(title)s vào báo cáo của %(unit)s, đợt “%(round)s”.")
            % {
                "n": len(shown.cells),
                "title": source.title,
                "unit": submission.unit.name,
                "round": submission.round.name,
            },
        )
        for warning in shown.warnings:
            messages.warning(request, warning)
    return redirect("reports:submission", pk=submission.pk)
