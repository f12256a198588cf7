"""The input checks the activities area's forms share, with their Vietnamese messages: no
negative counts, dates not in the future, years in range, and the period a record speaks of."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_YEAR = 2000
NEGATIVE = _("Không được nhập số âm.")


def day_text(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def check_year(year: int) -> int:
    last = timezone.localdate().year + 1
    if not FIRST_YEAR <= year <= last:
        raise ValidationError(
            _("Năm phải từ %(first)s đến %(last)s.") % {"first": FIRST_YEAR, "last": last}
        )
    return year


def not_future(day: datetime.date | None, message: str) -> datetime.date | None:
    if day and day > timezone.localdate():
        raise ValidationError(message)
    return day


def on_day(day: datetime.date | None) -> tuple[datetime.date, datetime.date] | None:
    return (day, day) if day else None


def in_year(year: int | None) -> tuple[datetime.date, datetime.date] | None:
    return (datetime.date(year, 1, 1), datetime.date(year, 12, 31)) if year else None
