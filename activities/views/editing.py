"""What the activities area's edit pages share: the record a user may change, and a posted form
saved through the audited-save service."""

from typing import Protocol, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

from accounts.http import AuthenticatedRequest
from accounts.models import User
from audit.services import ConcurrentEdit

from ..forms.unit_records import Record, RecordForm, VersionedRecordForm
from ..models import Activity, BudgetLine, Commendation, CommunityModel, Inspection, editable_by
from ..services.records import save_record

_Scoped = TypeVar("_Scoped", bound=Model, covariant=True)
# The records a unit owns (their `unit`), changed on the area's edit pages.
UnitRecord = TypeVar("UnitRecord", Activity, BudgetLine, CommunityModel, Inspection, Commendation)


class ScopedRecords(Protocol[_Scoped]):
    """A manager or queryset of the area's models: `for_user` keeps the records a user sees."""

    def for_user(self, user: User) -> QuerySet[_Scoped]: ...


def editable(
    request: AuthenticatedRequest, records: ScopedRecords[UnitRecord], pk: int
) -> UnitRecord:
    """One record the user may change: another unit's answers 404, a read-only role 403."""
    record = get_object_or_404(records.for_user(request.user), pk=pk)
    if not editable_by(record.unit_id, request.user):
        raise PermissionDenied
    return record


def save_form(request: AuthenticatedRequest, form: RecordForm[Record]) -> Record | None:
    """The record saved with its audit event (the form's AUDITED fields), or None: bad input, or
    someone saved it since the form was opened (the form then says so and keeps what was
    typed, with `form.summary` of what the other person saved)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save_record(actor=request.user, form=form, request=request)
    except ConcurrentEdit as conflict:
        # Only a form carrying the version it started from is refused as stale.
        assert isinstance(form, VersionedRecordForm)
        form.mark_conflict(conflict.current, form.summary(conflict.current))
        return None
