import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhdang.text import vi_sort_key


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    DISTRICT = "district", _("Huyện/thị xã/thành phố (cũ)")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    AGENCY = "agency", _("Cơ quan, tổ chức cấp tỉnh")


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
