"""The replayed past leaves notifications behind (reports submitted, returned, accepted…); people
read theirs within a day or two, so only those of the last week are still unread."""

import datetime

from django.db.models import F
from django.utils import timezone

from core.models import Notification

UNREAD_FOR = datetime.timedelta(days=7)


def settle_notifications(today: datetime.date) -> int:
    """Mark read, a few hours after it came, every notification older than a week that is
    still unread; how many."""
    cutoff = timezone.make_aware(datetime.datetime.combine(today, datetime.time())) - UNREAD_FOR
    old = Notification.objects.filter(read_at__isnull=True, created_at__lt=cutoff)
    return old.update(read_at=F("created_at") + datetime.timedelta(hours=3))
