"""Stable DHIS2-style identifiers (UIDs) for the objects binhdang exchanges.

A DHIS2 UID is 11 characters, a letter then ten letters or digits (`UID_PATTERN`). binhdang derives
an object's UID from its model label and natural key — `uid_for("indicators.DataElement",
"BDG_M1_CQ")` — through SHA-256, so the same reference data gets the same UIDs on every
installation. The UID is stored once, when the object is first saved (`UidField.pre_save`, which
`save()`, `create()` and `bulk_create()` all call), and never recomputed: an element whose code
changes later keeps its UID. Should the UID its key gives already be taken (a new object given the
code an older one had before it changed), the next candidate of the same key is used (`key#1`,
`key#2`…). DHIS2's own default category option combo keeps DHIS2's UID (`WELL_KNOWN`), so a DHIS2
client's `HllvX50cXC0` names binhdang's `default` combo.

This is the one generator: models declare a `UidField`, migrations fill existing rows with
`fill_missing` (on the historical model), nothing else makes a UID.
"""

import hashlib
import re
import string

from django.db import models, router

UID_LENGTH = 11
UID_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{10}$")
LETTERS = string.ascii_letters
ALPHABET = string.ascii_letters + string.digits
# Objects every DHIS2 has, with the UIDs every DHIS2 gives them.
WELL_KNOWN = {"indicators.CategoryOptionCombo:default": "HllvX50cXC0"}


def is_uid(text: str) -> bool:
    return bool(UID_PATTERN.match(text or ""))


def uid_for(label: str, *key: object, attempt: int = 0) -> str:
    """The UID of the object of model `label` ("app.Model") whose natural key is `key`; the
    `attempt`-th candidate when the earlier ones are taken."""
    text = ":".join([label, *(str(part) for part in key)])
    if attempt:
        text = f"{text}#{attempt}"
    elif text in WELL_KNOWN:
        return WELL_KNOWN[text]
    number = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")
    number, first = divmod(number, len(LETTERS))
    characters = [LETTERS[first]]
    for _position in range(UID_LENGTH - 1):
        number, index = divmod(number, len(ALPHABET))
        characters.append(ALPHABET[index])
    return "".join(characters)


def free_uid(instance: models.Model, field: "UidField") -> str:
    """The first candidate of the instance's key that no other row of its model holds."""
    model = type(instance)
    key = [getattr(instance, name) for name in field.key_fields]
    database = instance._state.db or router.db_for_write(model, instance=instance)
    others = model._base_manager.using(database)
    if instance.pk is not None:
        others = others.exclude(pk=instance.pk)
    attempt = 0
    while True:
        candidate = uid_for(model._meta.label, *key, attempt=attempt)
        if not others.filter(**{field.attname: candidate}).exists():
            return candidate
        attempt += 1


class UidField(models.CharField):
    """An object's DHIS2-style UID, filled from `key_fields` when the object is first saved
    (bulk_create included) and kept after; not editable in forms."""

    description = "DHIS2-style UID"

    def __init__(self, *args, key_fields: tuple[str, ...] = ("code",), **kwargs):
        self.key_fields = tuple(key_fields)
        kwargs.setdefault("verbose_name", "UID")
        kwargs.setdefault("unique", True)
        kwargs.update(max_length=UID_LENGTH, editable=False, blank=True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for fixed in ("max_length", "editable", "blank"):
            kwargs.pop(fixed, None)
        # Unique is this field's default (Field's is not): name it only when it is off.
        if kwargs.pop("unique", False) is False:
            kwargs["unique"] = False
        if self.key_fields != ("code",):
            kwargs["key_fields"] = self.key_fields
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if not value:
            value = free_uid(model_instance, self)
            setattr(model_instance, self.attname, value)
        return value


def fill_missing(model) -> int:
    """Give every row of `model` without a UID its UID (a migration passes its historical model);
    the number filled."""
    field = model._meta.get_field("uid")
    filled = 0
    for instance in model._base_manager.filter(uid="").order_by("pk"):
        value = free_uid(instance, field)
        model._base_manager.filter(pk=instance.pk).update(uid=value)
        filled += 1
    return filled
