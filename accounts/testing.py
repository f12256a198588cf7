"""Test utilities: fixtures build GBV users with access already approved (the approval flow
itself is tested in accounts/tests/test_gbv_access.py)."""

from core.roles import CASE_ROLES

from .models import GbvGrant, User


def grant_gbv_access(user: User, *, approved_by: User | None = None) -> GbvGrant | None:
    """An active grant for the user's current unit and role (none for other roles)."""
    if user.role not in CASE_ROLES:
        return None
    assert user.unit_id is not None  # a case role needs a unit (User's check constraint)
    GbvGrant.objects.filter(user=user, revoked_at__isnull=True).delete()
    grant = GbvGrant.objects.create(
        user=user, unit_id=user.unit_id, role=user.role, approved_by=approved_by, note="test"
    )
    user.forget_gbv_access()
    return grant
