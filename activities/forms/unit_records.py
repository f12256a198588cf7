"""The bases of the area's forms: a record saved with the audit of its AUDITED fields
(RecordForm; VersionedRecordForm when its model carries a version), a record owned by one unit
(UnitOwnedForm), and the GET filters of a list of unit records (FilterForm, with its unit and
year fields)."""

import datetime
from typing import Any, ClassVar, Generic, TypeVar, cast

from django import forms
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from audit.forms import VersionedFormMixin
from core.roles import Role
from orgs.models import Unit

from .checks import day_text
from .options import all_choice, current_units, grouped_unit_options, unit_options

Record = TypeVar("Record", bound=Model)
Records = TypeVar("Records", bound=QuerySet)


class RecordForm(forms.ModelForm, Generic[Record]):
    """The form of one of the area's records (`instance`), saved through
    activities.services.records.save_record with the audit of its AUDITED fields."""

    AUDITED: ClassVar[list[str]]
    instance: Record


class VersionedRecordForm(VersionedFormMixin, RecordForm[Record]):
    """A record form refusing a stale save: `summary` says what the other person saved."""

    @staticmethod
    def summary(record: Any) -> str:
        raise NotImplementedError


class UnitOwnedForm(VersionedRecordForm[Record]):
    """A record of one unit: unit users record for their own unit (the field is shown, fixed);
    the coordinator chooses any unit of today. The unit must have existed when the record
    happened (`period`): a commune formed on 01/07/2025 has no model established, visit made
    or budget of 2024, which no report of its own could count."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["unit"]
        if user.role == Role.COORDINATOR:
            field.queryset = current_units(keep=[self.instance.unit_id])
            field.choices = [("", "---------"), *grouped_unit_options(field.queryset)]
        else:
            field.queryset = Unit.objects.filter(pk=user.unit_id)
            field.choices = unit_options(field.queryset)
            field.disabled = True
            self.initial["unit"] = user.unit_id

    def period(self, cleaned: dict) -> tuple[datetime.date, datetime.date] | None:
        """The first and last day the record speaks of (None while its date is not valid)."""
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        unit, period = cleaned.get("unit"), self.period(cleaned)
        if unit and period and not Unit.objects.valid_during(*period).filter(pk=unit.pk).exists():
            first, last = period
            message = (
                _("%(unit)s không có hiệu lực vào ngày %(day)s.")
                if first == last
                else _("%(unit)s không có hiệu lực trong năm %(year)s.")
            )
            self.add_error(
                "unit", message % {"unit": unit, "day": day_text(first), "year": first.year}
            )
        return cleaned


class FilterForm(forms.Form, Generic[Records]):
    """A list's filters: each field given narrows the records by its lookup in `lookups`. The
    unit, commune and plan item options are those the user's records name."""

    lookups: dict[str, str] = {}

    def __init__(self, data, *, records: Records):
        super().__init__(data)
        self.records = records
        for name in ("unit", "commune"):
            if name in self.fields:
                field = cast(forms.ModelChoiceField, self.fields[name])
                field.queryset = Unit.objects.filter(pk__in=records.values(name))
                field.choices = all_choice(unit_options(field.queryset))

    def filter(self) -> Records:
        """The records the filters keep; none when a filter is not valid (its error shows)."""
        if not self.is_valid():
            return self.records.none()
        records = self.records
        for name, lookup in self.lookups.items():
            value = self.cleaned_data.get(name)
            if value not in (None, "", False):
                records = records.filter(**{lookup: value})
        return records


def unit_filter() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none(), required=False)


def year_filter() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=_("Năm"), coerce=int, empty_value=None, required=False)
