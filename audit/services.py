import datetime
import decimal

from django.db import models, transaction

from .models import Action, Event
from .net import client_ip


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return sorted(str(v) for v in value)
    return value


def snapshot(obj, fields) -> dict:
    """The audited fields of `obj` as JSON-able values (many-to-many as sorted names)."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            data[name] = _plain(list(getattr(obj, name).all())) if obj.pk else []
        else:
            data[name] = _plain(getattr(obj, name))
    return data


def diff(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record_event(
    *, actor, action: Action | str, obj=None, changes: dict | None = None, request=None, label=""
) -> Event:
    """Append one event; call inside the transaction of the change it records."""
    unit = getattr(actor, "unit", None) if actor is not None else None
    return Event.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(str(actor) if actor is not None else "")[:150],
        actor_role=getattr(actor, "role", "") or "",
        actor_unit=(unit.name if unit is not None else "")[:200],
        ip=client_ip(request),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(label or (str(obj) if obj is not None else ""))[:300],
        changes=changes or {},
    )


def record_denied(*, request) -> Event:
    """A refused or out-of-scope request (403, or 404 to a signed-in user): probed access."""
    user = request.user if request.user.is_authenticated else None
    return record_event(actor=user, action=Action.DENIED, request=request, label=request.path[:300])


class ConcurrentEdit(Exception):
    """Someone saved the record after this user opened it; their values are in `current`."""

    def __init__(self, current):
        super().__init__("concurrent edit")
        self.current = current


MASK = "***"


def masked(model, changes: dict) -> dict:
    """`changes` with the values of fields that must never reach the log (a field declaring
    `never_audited`, such as the GBV module's encrypted text) replaced by "***": that the field
    changed is recorded, never what it held (docs/security.md)."""
    secret = {f.name for f in model._meta.get_fields() if getattr(f, "never_audited", False)}
    for name, (old, new) in changes.items():
        if name in secret:
            changes[name] = [MASK if old else "", MASK if new else ""]
    return changes


@transaction.atomic
def save_audited(
    *, actor, fields=(), form=None, obj=None, request=None, action=None, describe=None
):
    """The one audited save: save a ModelForm (`form`) or an instance (`obj`), refusing a stale
    version, and record old → new of `fields` in the same transaction.

    A form for a versioned model carries `expected_version`, the version the user started from;
    an instance carries it in its own `version`. A model without a `version` field (a short list
    entry) is saved under the row lock alone. An update that changes nothing audited records
    nothing unless `action` names the event (closing a case, say). `describe(obj)` replaces
    `snapshot(obj, fields)` where a record is audited as another view of it (its exchange row)."""
    describe = describe or (lambda record: snapshot(record, fields))
    instance = form.instance if form is not None else obj
    before = {}
    if instance.pk:
        current = type(instance).objects.select_for_update().get(pk=instance.pk)
        if hasattr(current, "version"):
            expected = form.cleaned_data.get("expected_version") if form else instance.version
            if expected is not None and current.version != expected:
                raise ConcurrentEdit(current)
            instance.version = current.version + 1
        before = describe(current)
    if form is not None:
        instance = form.save()
    else:
        instance.save()
    changes = masked(instance, diff(before, describe(instance)))
    if changes or not before or action:
        record_event(
            actor=actor,
            action=action or (Action.UPDATE if before else Action.CREATE),
            obj=instance,
            changes=changes,
            request=request,
        )
    return instance
