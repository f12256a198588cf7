import datetime
import hashlib
import secrets
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.roles import (
    CASE_ROLES,
    GRANTABLE,
    PROVINCE_WIDE,
    SECOND_FACTOR_ROLES,
    UNIT_STAFF,
    USER_MANAGERS,
    Role,
)


class UserQuerySet(models.QuerySet["User"]):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.role in USER_MANAGERS:
            return self
        return self.filter(pk=user.pk)


def staff_by_unit(unit_ids) -> dict[int, list["User"]]:
    """unit id → its active reporters and approvers (who a unit's reminders, urges and task
    notices go to), in one query."""
    staff: dict[int, list[User]] = {}
    users = User.objects.filter(is_active=True, role__in=UNIT_STAFF, unit_id__in=set(unit_ids))
    for user in users.order_by("username"):
        if user.unit_id is not None:  # the filter on unit_id leaves none without one
            staff.setdefault(user.unit_id, []).append(user)
    return staff


class ScopedUserManager(UserManager["User"]):
    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def for_user(self, user) -> UserQuerySet:
        return self.get_queryset().for_user(user)


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
    email_notifications = models.BooleanField(
        _("nhận thông báo qua thư điện tử"),
        default=True,
        help_text=_(
            "Nhắc hạn, đôn đốc và các thông báo khác cũng gửi vào hộp thư; thông báo trong hệ "
            "thống vẫn luôn có."
        ),
    )
    version = models.PositiveIntegerField(default=1)
    # Bumped to end every session of the user (GBV access revoked): part of the session hash.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

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

    @property
    def has_gbv_access(self) -> bool:
        """The one gate of the GBV module: a case role AND an unrevoked grant, approved by a
        second person, for the user's current unit and role (accounts.services.approve).
        Worked out once per (role, unit, active) and instance; services that change grants
        call `forget_gbv_access`."""
        if self.role not in CASE_ROLES or not self.is_active or self.pk is None:
            return False
        key = (self.role, self.unit_id)
        cache = self.__dict__.setdefault("_gbv_access", {})
        if key not in cache:
            cache[key] = (
                GbvGrant.objects.active()
                .filter(user_id=self.pk, unit_id=self.unit_id, role=self.role)
                .exists()
            )
        return cache[key]

    @property
    def gbv_pending(self) -> bool:
        """A GBV-role account still waiting for a second person's approval."""
        return self.role in CASE_ROLES and not self.has_gbv_access

    def forget_gbv_access(self) -> None:
        self.__dict__.pop("_gbv_access", None)

    def _session_hash(self, secret=None) -> str:
        value = self.password if not self.session_epoch else f"{self.password}#{self.session_epoch}"
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def get_session_auth_hash(self):
        """Django's hash of the password, plus the session epoch once bumped: bumping it ends
        every session of the user without touching their password."""
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=fallback_secret)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


TOKEN_DAYS_DEFAULT = 30
TOKEN_DAYS_MAX = 365


class TokenScope(models.TextChoices):
    """What a token may do, as DHIS2's personal access tokens are limited: reading only (GET),
    or reading and writing. Either way never more than its user may do."""

    READ = "read", _("Chỉ đọc")
    WRITE = "write", _("Đọc và ghi")


class ExpiredToken(Exception):
    """A known key whose token has expired (the API answers 401 saying so)."""


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def authenticate(self, key: str):
        """The token behind a presented key if it is usable (not revoked, not expired, its user
        active), else None; raises ExpiredToken for a key that has only expired. Only the digest
        is stored."""
        token = (
            self.select_related("user")
            .filter(digest=_digest(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.expires_at <= now:
            raise ExpiredToken
        self.filter(pk=token.pk).update(last_used_at=now)
        return token


class ApiToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên gợi nhớ"), max_length=100, default="")
    scope = models.CharField(
        _("phạm vi"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self):
        return f"{self.name or self.user} {self.prefix}…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def usable_until(self) -> str:
        """When it stops working, as people read it: "hết ngày 07/01/2027" for a token that
        ends at a local midnight (the page's "Dùng đến hết ngày"), else the moment itself."""
        end = timezone.localtime(self.expires_at)
        if (end.hour, end.minute, end.second, end.microsecond) == (0, 0, 0, 0):
            last = end.date() - datetime.timedelta(days=1)
            return _("hết ngày %(day)s") % {"day": last.strftime("%d/%m/%Y")}
        return end.strftime("%H:%M %d/%m/%Y")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def read_only(self) -> bool:
        return self.scope != TokenScope.WRITE

    @classmethod
    def issue(
        cls,
        user: User,
        *,
        name: str = "",
        scope: str = TokenScope.WRITE,
        expires_at=None,
    ) -> tuple["ApiToken", str]:
        """A new token and its key (shown once). Writers go through
        accounts.services.create_api_token, which audits; tests call this directly."""
        key = secrets.token_urlsafe(32)
        if expires_at is None:
            expires_at = timezone.now() + datetime.timedelta(days=TOKEN_DAYS_DEFAULT)
        token = cls.objects.create(
            user=user,
            name=name,
            scope=scope,
            digest=_digest(key),
            prefix=key[:8],
            expires_at=expires_at,
        )
        return token, key


# Separation of duties for the GBV module (security.md). The approval rule is in
# accounts.services.approval_refusal.


class GbvRequestKind(models.TextChoices):
    GRANT = "grant", _("Cấp quyền hỗ trợ nạn nhân")
    MOVE = "move", _("Chuyển đơn vị")
    PASSWORD = "password", _("Cấp lại mật khẩu")
    SECOND_FACTOR = "second_factor", _("Cài lại xác thực hai lớp")


class GbvRequestStatus(models.TextChoices):
    PENDING = "pending", _("Chờ phê duyệt")
    APPROVED = "approved", _("Đã phê duyệt")
    REFUSED = "refused", _("Bị từ chối")
    CANCELLED = "cancelled", _("Đã hủy")


class GbvAccessRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=GbvRequestStatus.PENDING)

    def for_user(self, user):
        """Managers see every request (they see every user); an active supervisor those of their
        agency and of agencies that have no active supervisor (they may approve those)."""
        if not user.is_authenticated:
            return self.none()
        if user.role in USER_MANAGERS:
            return self
        if user.role == Role.CASE_SUPERVISOR and user.has_gbv_access:
            supervised = GbvGrant.objects.active().filter(role=Role.CASE_SUPERVISOR)
            return self.filter(
                Q(unit_id=user.unit_id) | ~Q(unit_id__in=supervised.values("unit_id"))
            )
        return self.none()


class GbvAccessRequest(models.Model):
    """A change that would give someone GBV access, or the credentials of a GBV account: it
    takes effect only when a different person approves it."""

    kind = models.CharField(_("loại yêu cầu"), max_length=20, choices=GbvRequestKind.choices)
    subject = models.ForeignKey(
        User,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="gbv_requests",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        User,
        verbose_name=_("người đề nghị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ngày đề nghị"), auto_now_add=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=GbvRequestStatus.choices,
        default=GbvRequestStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("người quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("ngày quyết định"), null=True, blank=True)

    objects = GbvAccessRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("yêu cầu quyền hỗ trợ nạn nhân")
        verbose_name_plural = _("yêu cầu quyền hỗ trợ nạn nhân")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject.username}"


class GbvGrantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def for_user(self, user):
        """An active supervisor sees the grants of their agency; managers all of them."""
        if not user.is_authenticated:
            return self.none()
        if user.role in USER_MANAGERS:
            return self
        if user.role == Role.CASE_SUPERVISOR and user.has_gbv_access:
            return self.filter(unit_id=user.unit_id)
        return self.none()


class GbvGrant(models.Model):
    """Live GBV access: valid for one unit and role while unrevoked (User.has_gbv_access)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="gbv_grants")
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    # Empty for the first supervisor of an agency, granted by the operator on the server.
    approved_by = models.ForeignKey(
        User,
        verbose_name=_("người phê duyệt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("ngày phê duyệt"), default=timezone.now)
    request = models.ForeignKey(
        GbvAccessRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    note = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("ngày thu hồi"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("người thu hồi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = GbvGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyền hỗ trợ nạn nhân")
        verbose_name_plural = _("quyền hỗ trợ nạn nhân")
        ordering = ["-approved_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="gbv_one_active_grant_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.user.username} @ {self.unit_id} ({self.role})"


ENROLMENT_HOURS = 72


class EnrolmentLinkQuerySet(models.QuerySet):
    def for_user(self, user):
        """One's own links (the token itself is never stored, nor shown again)."""
        return self.filter(user=user) if user.is_authenticated else self.none()

    def usable(self, token: str):
        """The unused, unexpired link whose token is `token` (only its digest is stored)."""
        return self.filter(
            digest=_digest(token), used_at__isnull=True, expires_at__gt=timezone.now()
        ).first()


class EnrolmentLink(models.Model):
    """A one-time, expiring link through which a GBV account enrols its authenticator; handed
    over by the approver, never by the person who asked for the account or the reset."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_links")
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = EnrolmentLinkQuerySet.as_manager()

    def __str__(self):
        return f"{self.user.username} {self.created_at:%Y-%m-%d}"

    @classmethod
    def issue(cls, *, user: User, created_by: User | None) -> str:
        """A new link for `user` (their earlier unused links stop working); the token once."""
        cls.objects.filter(user=user, used_at__isnull=True).update(expires_at=timezone.now())
        token = secrets.token_urlsafe(32)
        cls.objects.create(
            user=user,
            digest=_digest(token),
            created_by=created_by,
            expires_at=timezone.now() + datetime.timedelta(hours=ENROLMENT_HOURS),
        )
        return token
