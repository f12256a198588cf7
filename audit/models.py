import datetime

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

# Keys recorded in `changes` that are not fields of the audited model.
EXTRA_LABELS = {
    "copied_from": _("Sao chép từ"),
    "evidence": _("Tệp minh chứng"),
    "units": _("Số đơn vị"),
    "password": _("Mật khẩu"),
    "second_factor": _("Xác thực hai lớp"),
    "urged": _("Đơn vị được đôn đốc"),
    "section": _("Phần"),
    "question": _("Câu hỏi"),
    "row": _("Dòng chỉ tiêu"),
    "imported": _("Nhập từ tệp JSON"),
    "option_names": _("Phương án"),
}


def _readable(field, value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("Có") if value else _("Không"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            pass
    return str(value)


class Action(models.TextChoices):
    CREATE = "create", _("Tạo mới")
    UPDATE = "update", _("Cập nhật")
    DOWNLOAD = "download", _("Tải xuống")
    LOGIN = "login", _("Đăng nhập")
    LOGIN_FAILED = "login_failed", _("Đăng nhập thất bại")
    LOGOUT = "logout", _("Đăng xuất")
    DENIED = "denied", _("Bị từ chối truy cập")
    # The GBV module audits reads too (security.md).
    VIEW = "view", _("Xem")
    SEARCH = "search", _("Tìm kiếm")
    EXPORT = "export", _("Xuất dữ liệu")
    REVEAL = "reveal", _("Xem danh tính")
    BREAK_GLASS = "break_glass", _("Truy cập khẩn cấp")
    OVERRIDE = "override", _("Chuyển gửi không có sự đồng ý")


class EventQuerySet(models.QuerySet):
    def for_user(self, user):
        """The full log is for coordinators and admins; object pages filter further by object."""
        if not user.is_authenticated:
            return self.none()
        if user.role in ("coordinator", "admin"):
            return self
        return self.filter(actor=user)

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class Event(models.Model):
    """Append-only: written in the transaction of the change; a database trigger refuses edits."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    actor_unit = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(_("hành động"), max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")

    def change_rows(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) as a user reads them: Vietnamese names, labels, dd/mm/yyyy."""
        try:
            model = apps.get_model(self.object_type) if self.object_type else None
        except LookupError:
            model = None
        rows = []
        for name, (old, new) in self.changes.items():
            try:
                field = model._meta.get_field(name) if model else None
            except FieldDoesNotExist:
                field = None
            label = field.verbose_name if field is not None else EXTRA_LABELS.get(name, name)
            rows.append((str(label), _readable(field, old), _readable(field, new)))
        return rows
