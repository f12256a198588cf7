"""The audit events of reading (docs/security.md): every page, search, reveal and export of the
GBV module that shows a record, a list or a count writes one, naming the record by id and code
only, never a protected value."""

from django.db.models import Model
from django.http import HttpRequest

from accounts.models import User
from audit.models import Action, Event
from audit.services import record_event


def record_read(
    *,
    actor: User,
    action: Action | str = Action.VIEW,
    obj: Model | None = None,
    label: str = "",
    changes: dict | None = None,
    request: HttpRequest | None = None,
) -> Event:
    """One event of `actor` reading `obj` (or what `label` names: a list, a search, a table)."""
    return record_event(
        actor=actor, action=action, obj=obj, label=label, changes=changes, request=request
    )
