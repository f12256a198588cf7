"""The demo's clock. The demo is history replayed through the real services, each step at the
moment it happened: the clock reads that moment while the step runs, so records, audit events and
notifications carry their own past dates, and a step dated after the present is refused."""

import contextlib
import datetime
import random
from collections.abc import Iterator
from unittest import mock

from django.utils import timezone

DAY = datetime.timedelta(days=1)
# Office hours, in minutes after midnight: 7:30–11:30 and 13:30–17:00.
MORNING = (7 * 60 + 30, 11 * 60 + 30)
AFTERNOON = (13 * 60 + 30, 17 * 60)


def working_day(day: datetime.date, *, forward: bool = False) -> datetime.date:
    """`day`, or the Friday before (the Monday after, `forward`) when it falls on a weekend."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1 if forward else -1)
    return day


def office_time(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment of `day`'s office hours, in the installation's time zone."""
    start, end = MORNING if rng.random() < 0.55 else AFTERNOON
    minutes = rng.randint(start, end)
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
    )


@contextlib.contextmanager
def at(when: datetime.datetime) -> Iterator[None]:
    """Run the block as if it were `when`; a moment after the present is refused."""
    if when > timezone.now():
        raise ValueError(f"Dữ liệu mẫu không ghi vào tương lai ({when:%d/%m/%Y %H:%M}).")
    with mock.patch.object(timezone, "now", lambda: when):
        yield
