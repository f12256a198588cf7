import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Điều phối (Sở Nội vụ)")
    REPORTER = "reporter", _("Cán bộ báo cáo")
    APPROVER = "approver", _("Lãnh đạo đơn vị (phê duyệt)")
    LEADER = "leader", _("Lãnh đạo tỉnh")
    CASE_WORKER = "case_worker", _("Cán bộ hỗ trợ nạn nhân")
    CASE_SUPERVISOR = "case_supervisor", _("Phụ trách hỗ trợ nạn nhân (giám sát)")
    ADMIN = "admin", _("Quản trị hệ thống")


# Groups of roles named once, used by views and navigation alike.
PROVINCE_WIDE = frozenset({Role.COORDINATOR, Role.LEADER, Role.ADMIN})
PLAN_READERS = frozenset({Role.COORDINATOR, Role.LEADER, Role.ADMIN, Role.REPORTER, Role.APPROVER})
UNIT_STAFF = frozenset({Role.REPORTER, Role.APPROVER})
UNIT_READERS = frozenset({Role.COORDINATOR, Role.ADMIN, Role.LEADER})
USER_MANAGERS = frozenset({Role.COORDINATOR, Role.ADMIN})
# The GBV module's users; they alone see case records (statistics are for the others).
CASE_ROLES = frozenset({Role.CASE_WORKER, Role.CASE_SUPERVISOR})
# Password alone is not enough for these (security.md): a TOTP second factor is required.
# Leaders too: they read the GBV statistics.
SECOND_FACTOR_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN, Role.LEADER, *CASE_ROLES})
# Which roles each manager may hand out: coordinators staff the units, admins everything.
GRANTABLE = {
    Role.COORDINATOR: frozenset(
        {Role.REPORTER, Role.APPROVER, Role.LEADER, Role.CASE_WORKER, Role.CASE_SUPERVISOR}
    ),
    Role.ADMIN: frozenset(Role),
}


class UserQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.role in USER_MANAGERS:
            return self
        return self.filter(pk=user.pk)


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    full_name = models.CharField(_("họ và tên"), max_length=150)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedUserManager()

    REQUIRED_FIELDS = ["email", "full_name", "role"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        ordering = ["username"]
        constraints = [
            # Unit-scoped roles need a unit; a user without one would see nothing.
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False)
                | models.Q(role__in=["coordinator", "leader", "admin"]),
                name="user_unit_required_for_unit_roles",
            ),
        ]

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name

    @cached_property
    def scope_unit_ids(self) -> set[int]:
        """The user's unit and everything under it, worked out once per request (scoping asks
        for it in several querysets of a page)."""
        from orgs.models import Unit

        return Unit.subtree_ids(self.unit_id) if self.unit_id else set()

    @property
    def needs_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    @property
    def sees_whole_province(self) -> bool:
        return self.role in PROVINCE_WIDE

    def grantable_roles(self) -> frozenset:
        return GRANTABLE.get(self.role, frozenset())


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def authenticate(self, key: str):
        """The active user behind a presented key, or None; only the digest is stored."""
        token = (
            self.select_related("user")
            .filter(digest=_digest(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        self.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self):
        return f"{self.user} {self.prefix}…"

    @classmethod
    def issue(cls, user: User) -> tuple["ApiToken", str]:
        key = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, digest=_digest(key), prefix=key[:8]), key
