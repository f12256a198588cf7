"""Dates typed and shown as dd/mm/yyyy, whatever the browser's locale: the one date rule of every
form (docs/architecture.md, "One place for each rule").

Chromium shows `<input type=date>` as mm/dd/yyyy in every locale, so dates are a text box
(`DateInput`) read by `parse_date`: dd/mm/yyyy (also with "." or "-", one-digit day and month),
eight digits ddmmyyyy (a phone's number pad has no "/"), and ISO yyyy-mm-dd (what htmx requests,
links and tests send). `DateField` is the form field of every date, `ModelForm`s included
(`Meta.field_classes`); core/tests/test_dates.py fails on a form date of any other kind."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SHOWN = "%d/%m/%Y"
PLACEHOLDER = "dd/mm/yyyy"
_DAY_FIRST = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_DIGITS = re.compile(r"(\d{2})(\d{2})(\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# The same shapes for the browser's own check (the `pattern` attribute, compiled with the `v`
# flag: no character classes with "/" or "-" in them).
PATTERN = "|".join(
    (
        r"\d{1,2}/\d{1,2}/\d{4}",
        r"\d{1,2}\.\d{1,2}\.\d{4}",
        r"\d{1,2}-\d{1,2}-\d{4}",
        r"\d{8}",
        r"\d{4}-\d{1,2}-\d{1,2}",
    )
)


class NoSuchDay(ValueError):
    """The text has a date's shape but names no day of the calendar (31/02/2026)."""


def parse_date(text: str) -> datetime.date | None:
    """The day `text` names, None when it is not a date's shape; NoSuchDay for 31/02/2026."""
    text = text.strip()
    if match := _DAY_FIRST.fullmatch(text):
        day, _sep, month, year = match.groups()
    elif match := _DIGITS.fullmatch(text):
        day, month, year = match.groups()
    elif match := _ISO.fullmatch(text):
        year, month, day = match.groups()
    else:
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError as error:
        raise NoSuchDay(f"{int(day):02d}/{int(month):02d}/{year}") from error


def shown(day: datetime.date) -> str:
    """A day as binhdang writes it: 07/12/2026."""
    return day.strftime(SHOWN)


class DateInput(forms.DateInput):
    """A text box for a date, shown dd/mm/yyyy; the phone opens its number pad."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {
            "inputmode": "numeric",
            "placeholder": PLACEHOLDER,
            "pattern": PATTERN,
            "maxlength": 10,
            "autocomplete": "off",
            "title": gettext_lazy("Ngày/tháng/năm, ví dụ 07/12/2026"),
            "class": "date-input",
            **(attrs or {}),
        }
        super().__init__(attrs, format=SHOWN)


class DateField(forms.DateField):
    """A date typed as dd/mm/yyyy (or ddmmyyyy, or ISO), with a Vietnamese message saying how to
    type it when it is not one."""

    widget = DateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        try:
            day = parse_date(str(value))
        except NoSuchDay as error:
            raise forms.ValidationError(
                _("Không có ngày %(day)s trong lịch.") % {"day": error.args[0]}, code="invalid"
            ) from error
        if day is None:
            raise forms.ValidationError(
                _("Ngày chưa đúng dạng: gõ ngày/tháng/năm, ví dụ %(today)s.")
                % {"today": shown(timezone.localdate())},
                code="invalid",
            )
        return day
