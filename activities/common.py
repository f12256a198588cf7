"""What the activities area's views and forms share: who may change a record, saving a form with
its audit, the date widget, and the units a form offers."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import ConcurrentEdit, save_audited
from core.roles import Role
from orgs.models import Unit, UnitKind

from .models import editable_by

COORDINATOR = frozenset({Role.COORDINATOR})
COMMUNE_KINDS = (UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE)
AMOUNTS = ("planned", "allocated", "spent")  # of a budget line, in đồng
NEGATIVE = _("Không được nhập số âm.")


def day_text(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def current_units(*, kinds=None, keep=()):
    """Units of today (of `kinds` when given), plus `keep`: those a record already names."""
    current = Unit.objects.valid_on(timezone.localdate())
    if kinds:
        current = current.filter(kind__in=kinds)
    return Unit.objects.filter(Q(pk__in=current) | Q(pk__in=keep))


def editable(request, records, pk):
    """One record the user may change: another unit's answers 404, a read-only role 403."""
    record = get_object_or_404(records.for_user(request.user), pk=pk)
    if not editable_by(record.unit_id, request.user):
        raise PermissionDenied
    return record


def save_form(request, form):
    """The record saved with its audit event (the form's AUDITED fields), or None: bad input, or
    someone saved it since the form was opened (the form then says so and keeps what was
    typed, with `form.summary` of what the other person saved)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save_audited(actor=request.user, form=form, fields=form.AUDITED, request=request)
    except ConcurrentEdit as conflict:
        form.mark_conflict(conflict.current, form.summary(conflict.current))
        return None
