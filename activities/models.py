"""What units do to carry out the plan, recorded once where it happens and counted into reports:
activities (communication, media, trainings, Action Month events…), the Action Month campaign,
community models, inspections, commendations and budget lines.

A unit records and sees its own records (and its subtree's); coordinators, leaders and admins see
every unit's. Writes are the unit's own (`editable_by`) or the coordinator's.
"""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from core.models import StoredFile, stored_path
from core.roles import PROVINCE_WIDE, Role
from core.text import FoldedField

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# Who records activities: the unit's own staff, and the coordinator for any unit.
WRITERS = frozenset({Role.REPORTER, Role.APPROVER, Role.COORDINATOR})
READERS = frozenset({*WRITERS, Role.LEADER, Role.ADMIN})
# Who sets up the Action Month and names the model types.
COORDINATOR = frozenset({Role.COORDINATOR})


class UnitScopedQuerySet(models.QuerySet):
    """Records of the user's unit subtree; all of them for province-wide roles."""

    unit_field = "unit"

    def for_user(self, user: "User | AnonymousUser") -> Self:
        if not user.is_authenticated or user.role not in READERS:
            return self.none()
        if user.role in PROVINCE_WIDE:
            return self
        return self.filter(**{f"{self.unit_field}__in": user.scope_unit_ids})


def editable_by(record_unit_id: int | None, user: "User") -> bool:
    """A unit changes its own records; the coordinator anyone's; leaders and admins only read."""
    if user.role == Role.COORDINATOR:
        return True
    return user.role in WRITERS and record_unit_id == user.unit_id


class Kind(models.TextChoices):
    COMMUNICATION = "communication", _("Sự kiện truyền thông")
    MEDIA = "media", _("Sản phẩm truyền thông (tin, bài, phóng sự…)")
    TRAINING = "training", _("Lớp tập huấn, bồi dưỡng")
    ACTION_MONTH = "action_month", _("Hoạt động Tháng hành động")
    LAUNCH = "launch", _("Lễ phát động")
    INSPECTION = "inspection", _("Kiểm tra, giám sát")
    COMMITTEE = "committee", _("Họp Ban vì sự tiến bộ của phụ nữ")
    OTHER = "other", _("Hoạt động khác")


class Channel(models.TextChoices):
    NEWSPAPER = "newspaper", _("Báo in")
    RADIO = "radio", _("Phát thanh")
    TV = "tv", _("Truyền hình")
    WEBSITE = "website", _("Trang thông tin điện tử")
    SOCIAL = "social", _("Mạng xã hội")
    LOUDSPEAKER = "loudspeaker", _("Loa truyền thanh cơ sở")
    DIRECT = "direct", _("Trực tiếp")


class Campaign(models.Model):
    """The Action Month for gender equality and GBV prevention (15/11–15/12) of one year, with
    the theme and messages the coordinator takes from the Ministry's guidance."""

    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    name = models.CharField(_("tên"), max_length=300)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    theme = models.CharField(_("chủ đề"), max_length=500)
    messages = models.TextField(_("thông điệp"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class CampaignQuerySet(models.QuerySet):
        def for_user(self, user: "User | AnonymousUser") -> Self:
            return self if user.is_authenticated and user.role in READERS else self.none()

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("Tháng hành động")
        verbose_name_plural = _("Tháng hành động")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaign_dates_ordered"
            )
        ]

    def __str__(self):
        return self.name

    @classmethod
    def default_dates(cls, year: int) -> tuple[datetime.date, datetime.date]:
        return datetime.date(year, 11, 15), datetime.date(year, 12, 15)


class ActivityQuerySet(UnitScopedQuerySet):
    def for_user(self, user: "User | AnonymousUser") -> Self:
        if not user.is_authenticated or user.role not in READERS:
            return self.none()
        if user.role in PROVINCE_WIDE:
            return self
        units = user.scope_unit_ids
        return self.filter(Q(unit__in=units) | Q(co_organisers__in=units)).distinct()

    def in_window(self, start: datetime.date, end: datetime.date) -> Self:
        """Activities that started inside [start, end]."""
        return self.filter(starts_on__gte=start, starts_on__lte=end)

    def totals(self) -> dict:
        return self.aggregate(
            activities=models.Count("id"),
            male=Sum("participants_male", default=0),
            female=Sum("participants_female", default=0),
            cost=Sum("cost", default=Decimal(0)),
        )


class Activity(models.Model):
    kind = models.CharField(_("loại hoạt động"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("đơn vị tổ chức"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    co_organisers = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("đơn vị phối hợp"), blank=True, related_name="+"
    )
    title = models.CharField(_("tên hoạt động"), max_length=300)
    starts_on = models.DateField(_("ngày bắt đầu"))
    ends_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    commune = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("địa điểm (xã, phường)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("kênh"), max_length=15, choices=Channel.choices)
    language = models.CharField(
        _("ngôn ngữ"), max_length=50, default="Tiếng Việt", help_text=_("Hoặc tiếng dân tộc")
    )
    target_group = models.CharField(_("đối tượng"), max_length=200, blank=True)
    participants_male = models.PositiveIntegerField(_("người tham dự: nam"), default=0)
    participants_female = models.PositiveIntegerField(_("người tham dự: nữ"), default=0)
    participants_ethnic = models.PositiveIntegerField(
        _("trong đó người dân tộc thiểu số"), null=True, blank=True
    )
    participants_youth = models.PositiveIntegerField(
        _("trong đó thanh niên"), null=True, blank=True
    )
    plan_items = models.ManyToManyField(
        "plans.PlanItem",
        verbose_name=_("thực hiện mục kế hoạch"),
        blank=True,
        related_name="activities",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("thuộc Tháng hành động"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    cost = models.DecimalField(
        _("kinh phí (đồng)"), max_digits=15, decimal_places=0, null=True, blank=True
    )
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    search = FoldedField(sources=("title", "target_group", "note"))  # what search reads

    objects = ActivityQuerySet.as_manager()

    AUDITED = [
        "kind",
        "unit",
        "co_organisers",
        "title",
        "starts_on",
        "ends_on",
        "commune",
        "channel",
        "language",
        "target_group",
        "participants_male",
        "participants_female",
        "participants_ethnic",
        "participants_youth",
        "plan_items",
        "campaign",
        "cost",
        "note",
    ]

    class Meta:
        verbose_name = _("hoạt động")
        verbose_name_plural = _("hoạt động")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="activity_dates_ordered",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def participants(self) -> int:
        return self.participants_male + self.participants_female


def activity_file_path(instance, filename):
    return stored_path(instance, "activities")


class ActivityFile(StoredFile):
    """A photo or document showing the activity took place."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=activity_file_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class ActivityFileQuerySet(models.QuerySet):
        def for_user(self, user: "User | AnonymousUser") -> Self:
            return self.filter(activity__in=Activity.objects.for_user(user))

    objects = ActivityFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("minh chứng hoạt động")
        verbose_name_plural = _("minh chứng hoạt động")


class ModelType(models.Model):
    """Editable list of model types (the plan names two)."""

    name = models.CharField(_("loại mô hình"), max_length=300, unique=True)

    # QuerySet, not models.QuerySet: in this class body the type checker reads `models` as the
    # reverse relation ModelType.models.
    class ModelTypeQuerySet(QuerySet):
        def for_user(self, user: "User | AnonymousUser") -> Self:
            return self if user.is_authenticated and user.role in READERS else self.none()

    objects = ModelTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("loại mô hình")
        verbose_name_plural = _("loại mô hình")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ModelStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    PAUSED = "paused", _("Tạm dừng")
    ENDED = "ended", _("Đã kết thúc")


class CommunityModel(models.Model):
    """A model (mô hình) such as "Địa chỉ tin cậy, nhà tạm lánh tại cộng đồng"."""

    name = models.CharField(_("tên mô hình"), max_length=300)
    model_type = models.ForeignKey(
        ModelType, verbose_name=_("loại mô hình"), on_delete=models.PROTECT, related_name="models"
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị quản lý"), on_delete=models.PROTECT, related_name="+"
    )
    commune = models.ForeignKey(
        "orgs.Unit", verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="+"
    )
    host = models.CharField(_("tổ chức chủ trì"), max_length=300)
    established_on = models.DateField(_("ngày thành lập"))
    status = models.CharField(
        _("tình trạng"), max_length=10, choices=ModelStatus.choices, default=ModelStatus.ACTIVE
    )
    members_male = models.PositiveIntegerField(_("thành viên nam"), default=0)
    members_female = models.PositiveIntegerField(_("thành viên nữ"), default=0)
    cases_supported = models.PositiveIntegerField(
        _("số trường hợp đã hỗ trợ"), null=True, blank=True, help_text=_("Chỉ ghi số lượng.")
    )
    replicated_from = models.ForeignKey(
        "self",
        verbose_name=_("nhân rộng từ mô hình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replicas",
    )
    version = models.PositiveIntegerField(default=1)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("mô hình")
        verbose_name_plural = _("mô hình")
        ordering = ["commune__name", "name"]

    def __str__(self):
        return self.name


class Assessment(models.TextChoices):
    GOOD = "good", _("Hiệu quả, nên nhân rộng")
    FAIR = "fair", _("Có hiệu quả, cần củng cố")
    POOR = "poor", _("Chưa hiệu quả")


class ModelReview(models.Model):
    model = models.ForeignKey(CommunityModel, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("ngày đánh giá"))
    assessment = models.CharField(_("đánh giá"), max_length=10, choices=Assessment.choices)
    note = models.TextField(_("nhận xét"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class ModelReviewQuerySet(UnitScopedQuerySet):
        unit_field = "model__unit"

    objects = ModelReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self):
        return f"{self.model} {self.reviewed_on:%d/%m/%Y}"


class InspectionStatus(models.TextChoices):
    PLANNED = "planned", _("Chưa kiểm tra (theo kế hoạch)")
    DONE = "done", _("Đã kiểm tra")
    CLOSED = "closed", _("Đã hoàn thành kiến nghị")


class Inspection(models.Model):
    """An inspection or supervision of the law on gender equality, planned then carried out."""

    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("đơn vị kiểm tra"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("nội dung kiểm tra"), max_length=300)
    inspected_units = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("đơn vị được kiểm tra"), related_name="+"
    )
    planned_on = models.DateField(_("ngày dự kiến"))
    visited_on = models.DateField(_("ngày kiểm tra"), null=True, blank=True)
    findings = models.TextField(_("kết quả, phát hiện"), blank=True)
    follow_up = models.TextField(_("kiến nghị, việc cần khắc phục"), blank=True)
    follow_up_due = models.DateField(_("hạn khắc phục"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"),
        max_length=10,
        choices=InspectionStatus.choices,
        default=InspectionStatus.PLANNED,
    )
    plan_items = models.ManyToManyField(
        "plans.PlanItem", verbose_name=_("thực hiện mục kế hoạch"), blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kiểm tra, giám sát")
        verbose_name_plural = _("kiểm tra, giám sát")
        ordering = ["-planned_on", "-id"]

    def __str__(self):
        return self.title


class NomineeKind(models.TextChoices):
    UNIT = "unit", _("Tập thể")
    PERSON = "person", _("Cá nhân")


class CommendationOutcome(models.TextChoices):
    PROPOSED = "proposed", _("Đã đề nghị")
    APPROVED = "approved", _("Đã khen thưởng")
    REJECTED = "rejected", _("Không được khen thưởng")


class Commendation(models.Model):
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị đề nghị"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    nominee_kind = models.CharField(_("đối tượng"), max_length=10, choices=NomineeKind.choices)
    nominee = models.CharField(_("tên tập thể, cá nhân"), max_length=300)
    nominee_position = models.CharField(_("chức vụ, đơn vị công tác"), max_length=300, blank=True)
    achievements = models.TextField(_("thành tích"))
    form = models.CharField(
        _("hình thức khen thưởng"), max_length=200, help_text=_("Ví dụ: Bằng khen của UBND tỉnh")
    )
    outcome = models.CharField(
        _("kết quả"),
        max_length=10,
        choices=CommendationOutcome.choices,
        default=CommendationOutcome.PROPOSED,
    )
    decision = models.CharField(_("số, ngày quyết định"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("khen thưởng")
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.nominee

    def editable_by(self, user: "User") -> bool:
        """The unit changes its proposal until the outcome is recorded; the coordinator always."""
        return editable_by(self.unit_id, user) and (
            user.role == Role.COORDINATOR or self.outcome == CommendationOutcome.PROPOSED
        )


class Source(models.TextChoices):
    PROVINCE = "province", _("Ngân sách tỉnh")
    COMMUNE = "commune", _("Ngân sách xã")
    NTP_1719 = "ntp_1719", _("Chương trình MTQG 1719 (Dự án 8)")
    OTHER_PROGRAMME = "programme", _("Chương trình, dự án lồng ghép khác")
    MOBILISED = "mobilised", _("Huy động từ tổ chức, doanh nghiệp, cá nhân")


class BudgetLineQuerySet(UnitScopedQuerySet):
    def totals(self, by: str) -> list[dict]:
        """Planned, allocated and spent summed by `by` ("source", "unit__name", …)."""
        return list(
            self.values(by)
            .annotate(**{name: Sum(name, default=Decimal(0)) for name in BudgetLine.AMOUNTS})
            .order_by(by)
        )

    def overspent(self) -> Self:
        return self.filter(spent__gt=F("allocated"))


class BudgetLine(models.Model):
    AMOUNTS = ("planned", "allocated", "spent")  # in đồng

    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    plan_item = models.ForeignKey(
        "plans.PlanItem",
        verbose_name=_("mục kế hoạch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
    )
    source = models.CharField(_("nguồn kinh phí"), max_length=12, choices=Source.choices)
    description = models.CharField(_("nội dung chi"), max_length=300)
    planned = models.DecimalField(_("dự toán (đồng)"), max_digits=15, decimal_places=0, default=0)
    allocated = models.DecimalField(
        _("được giao (đồng)"), max_digits=15, decimal_places=0, default=0
    )
    spent = models.DecimalField(_("đã chi (đồng)"), max_digits=15, decimal_places=0, default=0)
    version = models.PositiveIntegerField(default=1)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("dòng kinh phí")
        verbose_name_plural = _("kinh phí")
        ordering = ["-year", "unit__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned__gte=0) & Q(allocated__gte=0) & Q(spent__gte=0),
                name="budget_amounts_not_negative",
            )
        ]

    def __str__(self):
        return self.description

    @property
    def overspent(self) -> bool:
        return self.spent > self.allocated
