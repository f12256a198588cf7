"""What the activities area's edit pages share: the record a user may change, and a posted form
saved through the audited-save service."""

from django.core.exceptions import PermissionDenied
from django.db.models import Manager, Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from audit.services import ConcurrentEdit

from ..models import editable_by
from ..services.records import save_record


def editable(request: HttpRequest, records: Manager | QuerySet, pk: int) -> Model:
    """One record the user may change: another unit's answers 404, a read-only role 403."""
    record = get_object_or_404(records.for_user(request.user), pk=pk)
    if not editable_by(record.unit_id, request.user):
        raise PermissionDenied
    return record


def save_form(request: HttpRequest, form: ModelForm) -> Model | None:
    """The record saved with its audit event (the form's AUDITED fields), or None: bad input, or
    someone saved it since the form was opened (the form then says so and keeps what was
    typed, with `form.summary` of what the other person saved)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save_record(actor=request.user, form=form, request=request)
    except ConcurrentEdit as conflict:
        form.mark_conflict(conflict.current, form.summary(conflict.current))
        return None
