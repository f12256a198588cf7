"""Long work in the background, with progress: the one writer of `core.models.Job`.

A view calls `start`; the work runs as a task of Django's task framework (the django-tasks
backport: `settings.TASKS`, the database queue by default, Redis through RQ when `REDIS_URL` is
set) in the worker process (`manage.py worker`). The task, `run_job`, hands the job to the
handler its app registered for its kind (`register`, from the app's `AppConfig.ready`: core
imports no app above it), reports progress through `Progress`, and keeps the handler's file
with the job. The page that started it polls the job (htmx), so its progress survives a reload.

A result is kept until the data it was made from changes: `start` returns the user's job of the
same kind, subject, parameters and data `fingerprint` (its file, or its progress) instead of
doing the work again, and drops the user's older finished jobs of that kind and subject."""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Job, JobState
from .notifications import notify

logger = logging.getLogger(__name__)

# A job running longer than this has lost its worker (stopped, killed: RQ stops a task after
# settings.RQ_QUEUES' DEFAULT_TIMEOUT, the same 30 minutes): it ends as failed and may be started
# again. A job waiting this long in the queue suggests that no worker runs (the page says so).
STALLED_AFTER = datetime.timedelta(minutes=30)
WAITING_TOO_LONG = datetime.timedelta(minutes=2)


@dataclass
class Outcome:
    """What a handler made: a file for the user who started the job, and what their
    notification says when it is not a file to download (`told`)."""

    content: bytes
    name: str
    content_type: str
    told: str = ""


class JobRefused(Exception):
    """A handler's refusal, in words for the user (the job ends as failed with this text)."""


class Progress:
    """How far a job has got: `expect(total)` once the handler knows the steps, then
    `advance(step)` after each; each call is one short write that the polling page reads."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.done = 0
        self.total = 0

    def expect(self, total: int, step: str = "") -> None:
        self.total = max(total, 1)
        self._write(step)

    def advance(self, step: str = "", by: int = 1) -> None:
        self.total = max(self.total, 1)
        self.done = min(self.done + by, self.total)
        self._write(step)

    def _write(self, step: str) -> None:
        Job.objects.filter(pk=self.job_id).update(done=self.done, total=self.total, step=step[:200])


Handler = Callable[[Job, Progress], Outcome]
HANDLERS: dict[str, Handler] = {}
PAGES: dict[str, Callable[[Job], str]] = {}  # kind → the page where a job's file is fetched


def register(kind: str, handler: Handler, *, page: Callable[[Job], str] | None = None) -> None:
    """Called from an app's `AppConfig.ready`: the handler of jobs of `kind`, and the page the
    notification of a finished job links to."""
    HANDLERS[kind] = handler
    if page is not None:
        PAGES[kind] = page


def _tell(job: Job, text: str) -> None:
    """The user who started the job learns that it ended, wherever they are in the system."""
    page = PAGES.get(job.kind)
    notify([job.user], text=text, url=page(job) if page else "")


def start(
    *,
    actor,
    kind: str,
    subject: str,
    fingerprint: str,
    params: dict | None = None,
    payload: bytes | None = None,
) -> Job:
    """The job making `kind` of `subject` for `actor`: their job with the same parameters made
    from the same data (`fingerprint`) when there is one not failed, else a new one, queued.
    `payload` is the input the handler reads (`Job.payload`), dropped when the job ends.
    Call it outside a transaction (a view): the worker must find the job when it gets the
    task."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler registered for jobs of kind {kind!r}")
    params = params or {}
    mine = Job.objects.filter(user=actor).of(kind, subject)
    stalled = mine.filter(state=JobState.RUNNING, started_at__lt=timezone.now() - STALLED_AFTER)
    for job in stalled:
        _fail(job, _("Tiến trình nền dừng giữa chừng: việc được làm lại."))
    for job in mine.exclude(state=JobState.FAILED).defer("result", "payload"):
        if job.fingerprint == fingerprint and job.params == params:
            return job
    # The older results of this user, kind and subject were made from other data or parameters.
    mine.filter(state__in=(JobState.DONE, JobState.FAILED)).delete()
    job = Job.objects.create(
        user=actor,
        kind=kind,
        subject=subject,
        params=params,
        fingerprint=fingerprint,
        payload=payload,
    )
    queued = run_job.using(queue_name=settings.TASK_QUEUE).enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(queued.id)[:64])
    job.refresh_from_db()
    return job


def forget_finished(*, actor, kind: str, before: datetime.datetime) -> int:
    """Drop `actor`'s jobs of `kind` that ended before `before` (results nobody asks for any
    more); how many."""
    ended = Job.objects.filter(
        user=actor,
        kind=kind,
        state__in=(JobState.DONE, JobState.FAILED),
        finished_at__lt=before,
    )
    return ended.delete()[0]


@task(queue_name=settings.TASK_QUEUE)
def run_job(job_id: int) -> str:
    """The task: run a queued job's handler and keep its file, or its failure. A job another
    worker has claimed, or that is gone, is left alone. Returns the job's final state."""
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.filter(pk=job_id).defer("result", "payload").first()
    if not claimed or job is None:
        return job.state if job else "missing"
    try:
        outcome = HANDLERS[job.kind](job, Progress(job))
    except JobRefused as refusal:
        return _fail(job, str(refusal))
    except Exception:
        logger.exception("Job %s (%s %s) failed", job.pk, job.kind, job.subject)
        return _fail(job, _("Có lỗi khi xử lý. Hãy thử lại; nếu vẫn lỗi, báo quản trị hệ thống."))
    Job.objects.filter(pk=job.pk).update(
        state=JobState.DONE,
        done=F("total"),
        result=outcome.content,
        result_name=outcome.name[:255],
        result_type=outcome.content_type[:100],
        step="",
        payload=None,
        finished_at=timezone.now(),
    )
    _tell(
        job, outcome.told or _("Đã làm xong tệp “%(name)s”, mời tải về.") % {"name": outcome.name}
    )
    return JobState.DONE


def _fail(job: Job, message: str) -> str:
    Job.objects.filter(pk=job.pk).update(
        state=JobState.FAILED, error=message[:500], payload=None, finished_at=timezone.now()
    )
    _tell(job, _("Việc chạy nền không thành công: %(error)s") % {"error": message})
    return JobState.FAILED
