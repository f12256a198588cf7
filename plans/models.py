import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import StoredFile, stored_path
from core.roles import PLAN_READERS, UNIT_STAFF, Role
from core.text import FoldedField
from orgs.models import Unit


class Plan(models.Model):
    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    province = models.ForeignKey(
        Unit,
        verbose_name=_("tỉnh"),
        null=True,
        on_delete=models.PROTECT,
        related_name="plans",
        help_text=_("Các nhiệm vụ giao UBND cấp huyện/xã chỉ giao cho đơn vị thuộc tỉnh này."),
    )
    document_number = models.CharField(_("số, ký hiệu"), max_length=50, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    preamble = models.TextField(_("căn cứ"), blank=True)
    purpose = models.TextField(_("mục đích, yêu cầu"), blank=True)
    closing = models.TextField(_("phần kết"), blank=True)
    signer = models.CharField(_("người ký"), max_length=150, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    part_titles = models.JSONField(_("tên các phần"), default=dict)

    class PlanQuerySet(models.QuerySet):
        def for_user(self, user):
            if user.is_authenticated and user.role in PLAN_READERS:
                return self
            return self.none()

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-year"]

    def __str__(self):
        return self.title

    def outline(self, items, today: datetime.date | None = None) -> list[dict]:
        """Parts → sections → items, each level with the progress of the tasks shown under it.
        `items` carry `shown_tasks` (the tasks the viewer may see and the filters keep)."""
        parts: dict[str, dict] = {}
        for item in items:
            part = parts.setdefault(
                item.part,
                {"code": item.part, "title": self.part_titles.get(item.part, ""), "sections": {}},
            )
            section = part["sections"].setdefault(
                item.section,
                {"number": item.section, "heading": item.section_heading, "items": []},
            )
            section["items"].append(item)
        for part in parts.values():
            part["sections"] = list(part["sections"].values())
            for section in part["sections"]:
                tasks = [t for i in section["items"] for t in i.shown_tasks]
                section["progress"] = Progress.of(tasks, today)
        return list(parts.values())

    def sections(self) -> list[tuple[str, str, str]]:
        """(part, number, heading) of each numbered section, in document order."""
        seen: dict[tuple[str, str], str] = {}
        for part, number, heading in self.items.values_list("part", "section", "section_heading"):
            seen.setdefault((part, number), heading)
        return [(part, number, heading) for (part, number), heading in seen.items()]


class ItemKind(models.TextChoices):
    ACTIVITY = "activity", _("Nội dung hoạt động")
    FUNDING = "funding", _("Kinh phí")
    RESPONSIBILITY = "responsibility", _("Nhiệm vụ của cơ quan")
    REPORTING = "reporting", _("Chế độ báo cáo")


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    STUCK = "stuck", _("Gặp khó khăn")
    DONE = "done", _("Hoàn thành")


class PlanItemQuerySet(models.QuerySet):
    def for_user(self, user):
        """Province-wide roles see every item; a unit sees the items it leads or supports."""
        if not user.is_authenticated or user.role not in PLAN_READERS:
            return self.none()
        if user.sees_whole_province:
            return self
        units = user.scope_unit_ids
        return self.filter(Q(tasks__unit__in=units) | Q(supporting_units__in=units)).distinct()


class PlanItem(models.Model):
    """A numbered (and lettered) item of the plan: an activity of part II, a task of part IV…"""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("mục"), max_length=20)
    part = models.CharField(_("phần"), max_length=5)
    section = models.CharField(_("số mục"), max_length=5)
    section_heading = models.CharField(_("tiêu đề mục"), max_length=500, blank=True)
    kind = models.CharField(_("loại"), max_length=20, choices=ItemKind.choices)
    text = models.TextField(_("nội dung"))
    supporting_units = models.ManyToManyField(
        Unit, verbose_name=_("đơn vị phối hợp"), blank=True, related_name="supported_items"
    )
    local_government = models.BooleanField(
        _("giao UBND cấp huyện/xã"),
        default=False,
        help_text=_("Giao cho các đơn vị hành chính địa phương còn hiệu lực trong năm kế hoạch."),
    )
    lead_basis = models.CharField(
        _("căn cứ xác định đơn vị chủ trì"),
        max_length=100,
        blank=True,
        help_text=_("Khi văn bản không ghi đơn vị chủ trì, ghi mục làm căn cứ."),
    )
    starts_on = models.DateField(_("bắt đầu"), null=True, blank=True)
    due_on = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    search = FoldedField(sources=("code", "text"))  # what search reads

    objects = PlanItemQuerySet.as_manager()

    AUDITED = ["text", "supporting_units", "starts_on", "due_on", "local_government"]

    class Meta:
        verbose_name = _("mục kế hoạch")
        verbose_name_plural = _("mục kế hoạch")
        # Items are created in the order the document gives them.
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_item_unique_code")
        ]

    def __str__(self):
        return f"{self.code}. {self.text[:80]}"

    def responsible_labels(self, tasks) -> list[str]:
        """Who carries the item out, short: local governments are counted, not listed."""
        if not self.local_government:
            return [task.unit.label for task in tasks]
        counts = Counter(task.unit.get_kind_display() for task in tasks)
        return [f"{kind}: {n}" for kind, n in counts.items()]

    @property
    def is_tracked(self) -> bool:
        return self.kind in (ItemKind.ACTIVITY, ItemKind.RESPONSIBILITY)


@dataclass(frozen=True)
class Progress:
    """How far a set of tasks is: what the plan page shows per item, section and plan."""

    total: int
    done: int
    overdue: int
    percent: int | None

    @classmethod
    def of(cls, tasks, today: datetime.date | None = None) -> "Progress":
        today = today or timezone.localdate()
        tasks = list(tasks)
        return cls(
            total=len(tasks),
            done=sum(t.status == Status.DONE for t in tasks),
            overdue=sum(t.is_overdue(today) for t in tasks),
            percent=round(sum(t.percent for t in tasks) / len(tasks)) if tasks else None,
        )


class TaskQuerySet(models.QuerySet):
    def for_user(self, user):
        if not user.is_authenticated or user.role not in PLAN_READERS:
            return self.none()
        if user.sees_whole_province:
            return self
        return self.filter(unit__in=user.scope_unit_ids)

    def overdue(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.exclude(status=Status.DONE).filter(due_on__lt=today)

    def open(self):
        return self.exclude(status=Status.DONE)


class Task(models.Model):
    """One responsible unit's share of a plan item, tracked to done."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị thực hiện"), on_delete=models.PROTECT, related_name="tasks"
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    starts_on = models.DateField(_("bắt đầu"), null=True, blank=True)
    due_on = models.DateField(_("hạn hoàn thành"))
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TaskQuerySet.as_manager()

    AUDITED = ["status", "percent", "due_on", "completed_on"]

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["item_id", "unit__kind", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "unit"], name="task_unique_unit"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="task_percent_range"),
        ]

    def __str__(self):
        return f"{self.item.code} — {self.unit}"

    def can_report(self, user) -> bool:
        """The unit's own staff report progress; the coordinator may do so on their behalf."""
        if user.role == Role.COORDINATOR:
            return True
        return user.role in UNIT_STAFF and self.unit_id in user.scope_unit_ids

    def display_order(self):
        """Units that ceased first (the old districts), then by the Vietnamese alphabet."""
        return (self.unit.valid_to is None, self.unit.sort_key)

    def summary(self) -> str:
        return f"{self.get_status_display()}, {self.percent}%"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status != Status.DONE and self.due_on < (today or timezone.localdate())


class ProgressUpdate(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices)
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    note = models.TextField(_("kết quả, ghi chú"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người cập nhật"), on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class ProgressUpdateQuerySet(models.QuerySet):
        def for_user(self, user):
            return self.filter(task__in=Task.objects.for_user(user))

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("cập nhật tiến độ")
        verbose_name_plural = _("cập nhật tiến độ")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="update_percent_range")
        ]

    def __str__(self):
        return f"{self.task} {self.percent}%"


def evidence_path(instance, filename):
    return stored_path(instance, "evidence")


class Evidence(StoredFile):
    update = models.ForeignKey(ProgressUpdate, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)

    class EvidenceQuerySet(models.QuerySet):
        def for_user(self, user):
            return self.filter(update__task__in=Task.objects.for_user(user))

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")


class Milestone(models.Model):
    """A dated deadline the plan states, e.g. the 6-month report before 05/06."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    item = models.ForeignKey(
        PlanItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="milestones"
    )
    title = models.CharField(_("nội dung"), max_length=300)
    due_before = models.DateField(_("trước ngày"))

    class MilestoneQuerySet(models.QuerySet):
        def for_user(self, user):
            return self.filter(plan__in=Plan.objects.for_user(user))

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("mốc thời gian")
        verbose_name_plural = _("mốc thời gian")
        ordering = ["due_before"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "title"], name="milestone_unique_title")
        ]

    def __str__(self):
        return f"{self.title} ({self.due_before:%d/%m/%Y})"


class TaskReminderKind(models.TextChoices):
    DUE = "due", _("Nhắc hạn")
    URGE = "urge", _("Đôn đốc")


class UnitUrge(models.Model):
    """A unit urged about its late tasks of a plan on a day: at most once a day, whichever of its
    tasks the urge names (the key holds when two coordinators urge at once). Which tasks it named
    are its TaskReminder rows."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField(_("ngày gửi"))

    class UnitUrgeQuerySet(models.QuerySet):
        def for_user(self, user):
            return self.filter(plan__in=Plan.objects.for_user(user))

    objects = UnitUrgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần đôn đốc đơn vị")
        verbose_name_plural = _("lần đôn đốc đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["unit", "plan", "sent_on"], name="unit_urge_once_a_day")
        ]

    def __str__(self):
        return f"{self.unit} {self.plan} {self.sent_on}"


class TaskReminder(models.Model):
    """One reminder of one task's deadline sent to its unit: scheduled before and on the due
    date (`DUE`, `days` before it), or the coordinator's urge of a late task (`URGE`). The
    unique key makes each at most once a day, whoever or whatever sends it again."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("loại"), max_length=20, choices=TaskReminderKind.choices)
    days = models.SmallIntegerField(_("số ngày trước hạn"), default=0)
    sent_on = models.DateField(_("ngày gửi"))
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.JSONField(_("người nhận"), default=list)

    class TaskReminderQuerySet(models.QuerySet):
        def for_user(self, user):
            return self.filter(task__in=Task.objects.for_user(user))

    objects = TaskReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần nhắc nhiệm vụ")
        verbose_name_plural = _("lần nhắc nhiệm vụ")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "sent_on"], name="task_reminder_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.task} {self.kind} {self.sent_on}"

    @property
    def recipient_names(self) -> str:
        return ", ".join(r.get("name", "") for r in self.recipients)
