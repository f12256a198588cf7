from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .uploads import sha256_of


def stored_path(instance, folder: str) -> str:
    """Where a StoredFile lands: `folder/YYYY/MM/<content hash>.<extension of the detected type>`.
    The one naming rule of every upload (`upload_to` functions call it): the name never carries
    what the user typed, so `x.png.html` holding a PNG is stored as `.png`; the typed name stays
    in `original_name` for display and download."""
    return f"{folder}/{timezone.now():%Y/%m}/{instance.sha256[:32]}.{instance.extension}"


class StoredFile(models.Model):
    """An uploaded file (evidence, a report's attachment): stored under a content hash outside the
    web root, judged by its content (core.uploads.check_upload), served only by the
    access-checked views of its owner. Subclasses declare `file` with their own folder."""

    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField(_("dung lượng"))
    sha256 = models.CharField(max_length=64)
    # Declared by each subclass as a FileField with its own `upload_to` (a bare annotation adds
    # no field).
    file: FieldFile

    class Meta:
        abstract = True

    def __str__(self):
        return self.original_name

    def store(self, upload, kind: tuple[str, str]) -> None:
        """Save `upload`, whose (extension, MIME type) check_upload returned."""
        self.extension, self.content_type = kind
        self.original_name = upload.name[:255]
        self.size = upload.size
        self.sha256 = sha256_of(upload)
        # The name handed to storage is built from the detected type too, so no `upload_to`
        # can pick up the typed one.
        self.file.save(f"{self.sha256[:32]}.{self.extension}", upload, save=False)
        if not (self.file.name or "").endswith(f".{self.extension}"):
            raise ValueError(f"{type(self).__name__}.file ignores core.models.stored_path")
        self.save()

    def download(self) -> FileResponse:
        return FileResponse(
            self.file.open("rb"),
            as_attachment=True,
            filename=self.original_name,
            content_type=self.content_type,
        )


class Notification(models.Model):
    """An in-app message to one user (reminders, returned reports…)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("nội dung"), max_length=2000)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class NotificationQuerySet(models.QuerySet):
        def for_user(self, user):
            return self.filter(user=user) if user.is_authenticated else self.none()

        def unread(self):
            return self.filter(read_at__isnull=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.text


class JobState(models.TextChoices):
    QUEUED = "queued", _("Đang chờ xử lý")
    RUNNING = "running", _("Đang xử lý")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Không thành công")


class Job(models.Model):
    """Long work a user started and the worker does (core.jobs): a synthesis file, an import.
    Its progress survives a page reload; its result (a file) stays with it, served only to the
    user who started it, and is offered again while the data it was made from (`fingerprint`)
    has not changed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=50)  # a handler registered with core.jobs.register
    subject = models.CharField(max_length=100)  # what it is about, e.g. "reports.round:12"
    params = models.JSONField(default=dict)  # what the handler needs besides the subject
    fingerprint = models.CharField(max_length=64)  # the data it was made from (the kind's own)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    step = models.CharField(_("đang làm"), max_length=200, blank=True)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)
    # What the handler reads besides its parameters (a payload to import), dropped when the job
    # ends (core.jobs.run_job): the input is kept no longer than the work needs it.
    payload = models.BinaryField(null=True, editable=False)
    result = models.BinaryField(null=True, editable=False)
    result_name = models.CharField(max_length=255, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    task_id = models.CharField(max_length=64, blank=True)  # the task framework's result id
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class JobQuerySet(models.QuerySet):
        def for_user(self, user):
            """A job and its file are its starter's alone: what a synthesis holds was computed
            for their scope."""
            return self.filter(user=user) if user.is_authenticated else self.none()

        def of(self, kind: str, subject: str):
            return self.filter(kind=kind, subject=subject)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "kind", "subject"], name="job_user_kind_subject")]

    def __str__(self):
        return f"{self.kind} {self.subject} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    def waiting_since(self, limit) -> bool:
        """Still queued `limit` (a timedelta) after it was started: no worker has taken it."""
        return self.state == JobState.QUEUED and self.created_at < timezone.now() - limit

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
