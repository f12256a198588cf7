"""The one writer of in-app notifications: every app tells users something through `notify`.

A notification may also go out by e-mail: `email_addresses` is the one rule for who gets mail
(an address, active, and the user's own "e-mail on" choice, `accounts.User.email_notifications`);
the in-app notification is written whatever that choice."""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

NOTE_MAX = 1000  # the coordinator's note of an urge (reports and plan tasks)
TEXT_MAX = 2000  # Notification.text: a headline and a whole note


def _unique(users: Iterable) -> list:
    """Each user once, None skipped, in the order given (users are accounts.User, which core
    may not import)."""
    seen: dict[int, Any] = {}
    for user in users:
        if user is not None:
            seen.setdefault(user.pk, user)
    return list(seen.values())


def wants_email(user) -> bool:
    """The user has an address, is active and has not turned e-mail off."""
    return bool(
        getattr(user, "email", "")
        and getattr(user, "is_active", True)
        and getattr(user, "email_notifications", True)
    )


def email_addresses(users: Iterable) -> list[str]:
    """The addresses of `users` that take e-mail, each once, in the order given."""
    addresses: dict[str, None] = {}
    for user in _unique(users):
        if wants_email(user):
            addresses.setdefault(user.email, None)
    return list(addresses)


def site_link(url: str) -> str:
    """`url` (a path) as mail can carry it: SITE_URL in front when it is set."""
    return getattr(settings, "SITE_URL", "").rstrip("/") + url


def recipient_list(people) -> list[dict]:
    """Who a reminder or urge reached, as its record keeps them (name and address at the time)."""
    return [{"user_id": u.pk, "name": str(u), "email": u.email} for u in people]


def notify(
    users: Iterable,
    *,
    text: str,
    url: str = "",
    subject: str = "",
    body: str = "",
    connection=None,
) -> int:
    """One unread notification for each user given (None skipped, each user once); how many.

    With a `subject`, each of them who takes e-mail (`wants_email`) also gets a mail of their
    own (`body`, or the text and the link). Given a mail `connection`, the mail goes out now and
    a failure raises, so the caller's transaction (and the notification) is dropped and can be
    tried again; without one it goes out once the caller's transaction commits, and a failure
    is only logged: the notification stands."""
    people = _unique(users)
    Notification.objects.bulk_create(
        Notification(user=user, text=text[:TEXT_MAX], url=url) for user in people
    )
    if subject:
        messages = [
            mail.EmailMessage(
                subject,
                body or f"{text}\n\n{site_link(url)}".strip(),
                settings.DEFAULT_FROM_EMAIL,
                [address],
            )
            for address in email_addresses(people)
        ]
        if messages and connection is not None:
            connection.send_messages(messages)
        elif messages:
            transaction.on_commit(lambda: _send_later(messages))
    return len(people)


def _send_later(messages: list) -> None:
    try:
        mail.get_connection().send_messages(messages)
    except OSError:  # smtplib.SMTPException included
        logger.exception("notification mail to %s failed", [m.to for m in messages])


def unread_count(user) -> int:
    return Notification.objects.for_user(user).unread().count()


def mark_read(user, pk: int) -> Notification | None:
    """Mark the user's own notification `pk` read; None when it is not theirs."""
    notification = Notification.objects.for_user(user).filter(pk=pk).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user) -> int:
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())
