import datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Succession, Unit

router = Router(tags=["units"])


class UnitOut(Schema):
    code: str
    uid: str  # DHIS2's organisation unit id (core.uids)
    name: str
    kind: str
    parent: str | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    @staticmethod
    def resolve_parent(unit):
        return unit.parent.code if unit.parent_id else None


class SuccessionOut(Schema):
    predecessor: str
    successor: str
    effective_on: datetime.date


@router.get("", response=list[UnitOut])
def list_units(request, valid_on: datetime.date | None = None, kind: str | None = None):
    units = Unit.objects.for_user(request.auth).select_related("parent").order_by("code")
    if valid_on:
        units = units.valid_on(valid_on)
    if kind:
        units = units.filter(kind=kind)
    return units


@router.get("/{code}/successions", response=list[SuccessionOut])
def unit_successions(request, code: str):
    unit = get_object_or_404(Unit.objects.for_user(request.auth), code=code)
    links = Succession.objects.filter(Q(predecessor=unit) | Q(successor=unit))
    return [
        SuccessionOut(
            predecessor=link.predecessor.code,
            successor=link.successor.code,
            effective_on=link.effective_on,
        )
        for link in links.select_related("predecessor", "successor")
    ]
