"""The replayed past leaves notifications behind (reports submitted, returned, accepted…); people
read theirs within a day or two, so only those of the last week are still unread."""

import datetime

from django.db.models import F
from django.utils import timezone

from core.models import Notification

UNREAD_FOR = datetime.timedelta(days=7)


def settle_notifications(today: datetime.date, *, after: int) -> int:
    """Mark read, a few hours after it came, every notification the demo made (id above `after`)
    that is older than a week; how many. Those of people trying the demo are left alone."""
    cutoff = timezone.make_aware(datetime.datetime.combine(today, datetime.time())) - UNREAD_FOR
    old = Notification.objects.filter(pk__gt=after, read_at__isnull=True, created_at__lt=cutoff)
    return old.update(read_at=F("created_at") + datetime.timedelta(hours=3))
