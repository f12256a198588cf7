import datetime

from django.db import models
from django.db.models import Q
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import FoldedField, fold, vi_sort_key
from core.uids import UidField


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    DISTRICT = "district", _("Huyện/thị xã/thành phố (cũ)")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    AGENCY = "agency", _("Cơ quan, tổ chức cấp tỉnh")


# The communes, wards and special zones: the grassroots level since 01/07/2025 (no districts).
COMMUNE_KINDS = (UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE)
LOCAL_GOVERNMENT_KINDS = (
    UnitKind.DISTRICT,
    UnitKind.COMMUNE,
    UnitKind.WARD,
    UnitKind.SPECIAL_ZONE,
)


class UnitQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.sees_whole_province:
            return self
        if user.unit_id is None:
            return self.none()
        return self.filter(pk__in=user.scope_unit_ids)

    def valid_on(self, day: datetime.date):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def valid_during(self, start: datetime.date, end: datetime.date):
        """Units that existed on at least one day of [start, end]."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        )

    def local_governments(self):
        return self.filter(kind__in=LOCAL_GOVERNMENT_KINDS)

    def agencies(self):
        return self.filter(kind=UnitKind.AGENCY)


class Unit(models.Model):
    """An administrative unit or an agency; one tree, history kept through validity dates."""

    code = models.CharField(_("mã"), max_length=20, unique=True)
    uid = UidField()  # DHIS2's organisation unit id (core.uids)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    search = FoldedField(sources=("code", "name", "short_name"))  # what search reads

    objects = UnitQuerySet.as_manager()

    AUDITED = ["code", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "note"]

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def label(self):
        return self.short_name or self.name

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def is_current(self) -> bool:
        return self.is_valid_on(timezone.localdate())

    @property
    def sort_key(self):
        return vi_sort_key(self.name)

    @staticmethod
    def choices(units) -> list[tuple[int, str]]:
        """Select options in Vietnamese alphabetical order (databases sort Đ after Z)."""
        return [("", "---------")] + [
            (unit.pk, str(unit)) for unit in sorted(units, key=lambda u: u.sort_key)
        ]

    @classmethod
    def subtree_ids(cls, root_id: int) -> set[int]:
        """The unit and everything under it (a few queries: the tree is shallow)."""
        ids, frontier = {root_id}, [root_id]
        while frontier:
            frontier = list(
                cls.objects.filter(parent_id__in=frontier)
                .exclude(pk__in=ids)
                .values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Succession(models.Model):
    """An old unit whose territory, people and data passed (in whole or part) to a new unit."""

    predecessor = models.ForeignKey(
        Unit, verbose_name=_("đơn vị cũ"), on_delete=models.PROTECT, related_name="successions"
    )
    successor = models.ForeignKey(
        Unit, verbose_name=_("đơn vị mới"), on_delete=models.PROTECT, related_name="predecessions"
    )
    effective_on = models.DateField(_("ngày có hiệu lực"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class SuccessionQuerySet(models.QuerySet):
        def for_user(self, user):
            units = Unit.objects.for_user(user)
            return self.filter(Q(predecessor__in=units) | Q(successor__in=units))

    objects = SuccessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor}"


def ethnic_key(text: str) -> str:
    """An ethnic group's name as typed, compared without case, diacritics, spaces or hyphens
    ("Xơ Đăng", "xơ-đăng" and "Xo dang" are one group)."""
    return "".join(c for c in fold(text or "") if c.isalnum())


class EthnicGroupQuerySet(models.QuerySet["EthnicGroup"]):
    def for_user(self, user):
        """Reference data: every signed-in user reads it (admins edit it)."""
        return self if user.is_authenticated else self.none()

    def active(self):
        return self.filter(active=True)

    def lookup(self, text: str) -> "EthnicGroup | None":
        """The group whose code or name `text` is (see ethnic_key), or None."""
        key = ethnic_key(text)
        if not key:
            return None
        for group in self.all():
            if key in (group.code, ethnic_key(group.name)):
                return group
        return None


class EthnicGroup(models.Model):
    """One of Vietnam's 54 ethnic groups (General Statistics Office, Quyết định 121-TCTK/PPCĐ),
    loaded from orgs/data/ethnic_groups.csv; admins edit names, order and whether it is offered.
    A foreigner or an unknown group is no entry: the survivor's field stays blank."""

    code = models.CharField(_("mã"), max_length=2, unique=True)
    name = models.CharField(_("tên dân tộc"), max_length=50)
    active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    version = models.PositiveIntegerField(default=1)

    objects = EthnicGroupQuerySet.as_manager()

    AUDITED = ["code", "name", "active", "sort_order"]

    class Meta:
        verbose_name = _("dân tộc")
        verbose_name_plural = _("danh mục dân tộc")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class _EthnicGroupDescriptor(ForwardManyToOneDescriptor):
    def __set__(self, instance, value):
        if isinstance(value, str):
            found = EthnicGroup.objects.lookup(value)
            if found is None and value.strip():
                raise ValueError(f"Không có dân tộc “{value}” trong danh mục.")
            value = found
        super().__set__(instance, value)


class EthnicGroupField(models.ForeignKey):
    """A ForeignKey to EthnicGroup that also takes a group's code or name ("19", "Hrê"), as the
    demo data and fixtures write it; an unknown name is refused."""

    forward_related_accessor_class = _EthnicGroupDescriptor
