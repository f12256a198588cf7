"""Audit events of the GBV module: every read, search, export and change, in the transaction of
the request, naming the record by id and code only. Values of encrypted fields never enter the
log: a change to one is recorded as "***" → "***"."""

from django.db import transaction

from audit.models import Action
from audit.services import diff, record_event, snapshot

from .crypto import EncryptedTextField

MASK = "***"


def log(request, action, obj, *, changes=None) -> None:
    record_event(actor=request.user, action=action, obj=obj, request=request, changes=changes)


def _mask(obj, changes: dict) -> dict:
    for name, (old, new) in changes.items():
        if isinstance(obj._meta.get_field(name), EncryptedTextField):
            changes[name] = [MASK if old else "", MASK if new else ""]
    return changes


@transaction.atomic
def save_logged(request, obj, fields, *, before=None, action=None) -> dict:
    """Save `obj` and log what changed in `fields` (secrets masked) in one transaction.

    `before` is `snapshot(obj, fields)` taken before the user's edits (None when creating)."""
    creating = obj.pk is None
    if not creating and hasattr(obj, "version"):
        obj.version += 1
    obj.save()
    changes = _mask(obj, diff(before or {}, snapshot(obj, fields)))
    log(request, action or (Action.CREATE if creating else Action.UPDATE), obj, changes=changes)
    return changes
