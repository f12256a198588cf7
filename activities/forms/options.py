"""What the activities area's forms offer to choose: the units of today (grouped by kind, in
Vietnamese alphabetical order), named records, the plan items a user sees, and the years and
"Tất cả" line of a list's filters."""

from collections.abc import Iterable

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import vi_sort_key
from orgs.models import Unit, UnitKind
from plans.models import PlanItem

# The units a "Xã, phường" field offers.
KIND_ORDER = [
    UnitKind.PROVINCE,
    UnitKind.AGENCY,
    UnitKind.WARD,
    UnitKind.COMMUNE,
    UnitKind.SPECIAL_ZONE,
    UnitKind.DISTRICT,
]


def current_units(*, kinds: Iterable[str] | None = None, keep: Iterable = ()) -> QuerySet:
    """Units of today (of `kinds` when given), plus `keep`: those a record already names."""
    current = Unit.objects.valid_on(timezone.localdate())
    if kinds:
        current = current.filter(kind__in=kinds)
    return Unit.objects.filter(Q(pk__in=current) | Q(pk__in=keep))


def unit_options(units: Iterable[Unit]) -> list:
    """Options without the empty line, in Vietnamese alphabetical order."""
    return Unit.choices(units)[1:]


def grouped_unit_options(units: Iterable[Unit]) -> list:
    """Options grouped by kind of unit (agencies, wards, communes…), each group alphabetical."""
    units = list(units)
    return [
        (kind.label, unit_options([u for u in units if u.kind == kind]))
        for kind in KIND_ORDER
        if any(u.kind == kind for u in units)
    ]


def sorted_names(queryset: Iterable, empty_label: str = "---------") -> list:
    """Options of named records (model types) in Vietnamese alphabetical order."""
    records = sorted(queryset, key=lambda record: vi_sort_key(record.name))
    return [("", empty_label), *((record.pk, record.name) for record in records)]


def plan_item_field(field: forms.ModelChoiceField, user, keep: Iterable = ()) -> None:
    """The plan items the user may see, plus those the record already carries out."""
    visible = PlanItem.objects.for_user(user)
    field.queryset = PlanItem.objects.filter(Q(pk__in=visible) | Q(pk__in=keep)).select_related(
        "plan"
    )
    field.label_from_instance = (  # type: ignore[method-assign]  # Django's per-field relabel
        lambda obj: f"{obj.code} ({obj.plan.year}) {obj.text[:90]}"
    )


def all_choice(choices: Iterable) -> list:
    return [("", _("Tất cả")), *choices]


def year_options(years: Iterable[int]) -> list:
    return all_choice([(year, str(year)) for year in sorted(set(years), reverse=True)])
