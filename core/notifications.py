"""The one writer of in-app notifications: every app tells users something through `notify`."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from .models import Notification

TEXT_MAX = 500


def notify(users: Iterable, *, text: str, url: str = "") -> int:
    """One unread notification for each user given (None skipped, each user once); how many."""
    seen: dict[int, Any] = {}  # users (accounts.User, which core may not import), by pk
    for user in users:
        if user is not None:
            seen.setdefault(user.pk, user)
    Notification.objects.bulk_create(
        Notification(user=user, text=text[:TEXT_MAX], url=url) for user in seen.values()
    )
    return len(seen)


def mark_all_read(user) -> None:
    Notification.objects.for_user(user).unread().update(read_at=timezone.now())
