import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from audit.models import Action
from audit.services import record_event

from .models import User


def _check_manages(manager: User, user: User) -> None:
    if user.pk == manager.pk or user.role not in manager.grantable_roles():
        raise PermissionDenied


@transaction.atomic
def reset_password(*, manager: User, user: User, request=None) -> str:
    """Give the user a new random password, shown once to the manager; old sessions end."""
    _check_manages(manager, user)
    while True:
        password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
        try:
            password_validation.validate_password(password, user)
            break
        except ValidationError:
            continue
    user.set_password(password)  # changes the session hash: existing sessions stop working
    user.save(update_fields=["password"])
    record_event(
        actor=manager,
        action=Action.UPDATE,
        obj=user,
        request=request,
        changes={"password": ["***", "*** (đặt lại)"]},
    )
    return password


@transaction.atomic
def set_active(*, manager: User, user: User, active: bool, request=None) -> None:
    """Deactivating ends the user's sessions too: inactive users are not authenticated."""
    _check_manages(manager, user)
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    record_event(
        actor=manager,
        action=Action.UPDATE,
        obj=user,
        request=request,
        changes={"is_active": [not active, active]},
    )


@transaction.atomic
def reset_second_factor(*, manager: User, user: User, request=None) -> None:
    """A lost phone: remove the user's authenticator; they set up a new one at next login."""
    _check_manages(manager, user)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    record_event(
        actor=manager,
        action=Action.UPDATE,
        obj=user,
        request=request,
        changes={"second_factor": ["***", "*** (đặt lại)"]},
    )
