"""Long work in the background (core.jobs): a job runs its kind's handler through the task
framework, keeps its progress and file, and is made again only when its data or choices change;
the database queue and its worker, and the Redis queue (RQ) when Redis answers, run it for real
inside the test's process (no worker process is left behind)."""

import contextlib
import datetime
import json
import os
import signal
import socket
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from core import jobs
from core.models import Job, JobState

pytestmark = pytest.mark.django_db


@pytest.fixture
def echo():
    """A kind of job whose handler reports two steps and returns its parameters as a file;
    `{"fail": "refuse"}` refuses with a reason, `{"fail": "crash"}` raises."""

    def handler(job: Job, progress: jobs.Progress) -> jobs.Outcome:
        progress.expect(2, "bước 1")
        progress.advance("xong bước 1")
        if job.params.get("fail") == "refuse":
            raise jobs.JobRefused("Không đủ quyền cho việc này.")
        if job.params.get("fail") == "crash":
            raise RuntimeError("boom")
        progress.advance("xong bước 2")
        content = json.dumps(job.params, sort_keys=True).encode()
        return jobs.Outcome(content, "kết quả.json", "application/json")

    jobs.register("test.echo", handler)
    yield "test.echo"
    jobs.HANDLERS.pop("test.echo")


def start(user, fingerprint="f1", **params) -> Job:
    return jobs.start(
        actor=user, kind="test.echo", subject="test:1", fingerprint=fingerprint, params=params
    )


@contextlib.contextmanager
def kept_signals():
    """A worker installs its own SIGINT/SIGTERM handlers; pytest's are put back after it."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        yield
    finally:
        for number, handler in saved.items():
            signal.signal(number, handler)


def test_a_result_is_kept_until_its_data_or_choices_change(coordinator, leader, echo):
    first = start(coordinator, n=1)
    assert first.state == JobState.DONE and (first.done, first.total) == (2, 2)
    assert bytes(first.result) == b'{"n": 1}' and first.result_name == "kết quả.json"
    assert start(coordinator, n=1).pk == first.pk  # same data, same choices: the same file
    theirs = start(leader, n=1)  # another user's job is their own
    assert theirs.pk != first.pk

    changed = start(coordinator, "f2", n=1)  # the data changed
    assert changed.pk != first.pk and not Job.objects.filter(pk=first.pk).exists()
    other = start(coordinator, "f2", n=2)  # other choices
    assert other.pk != changed.pk and not Job.objects.filter(pk=changed.pk).exists()
    assert Job.objects.filter(pk=theirs.pk).exists()
    assert list(Job.objects.for_user(coordinator)) == [other]


def test_a_failed_job_says_why_and_is_tried_again(coordinator, echo, caplog):
    refused = start(coordinator, fail="refuse")
    assert refused.state == JobState.FAILED and refused.error == "Không đủ quyền cho việc này."
    assert refused.result is None and refused.done == 1
    crashed = start(coordinator, fail="crash")
    assert crashed.state == JobState.FAILED and crashed.error.startswith("Có lỗi khi xử lý")
    assert "boom" not in crashed.error and "boom" in caplog.text  # the log has the details
    again = start(coordinator, fail="crash")
    assert again.pk != crashed.pk  # a failure is not kept as the answer
    with pytest.raises(ValueError):
        jobs.start(actor=coordinator, kind="test.unknown", subject="s", fingerprint="f")


def test_a_job_runs_once_however_often_its_task_comes(coordinator, echo, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = start(coordinator, n=3)
    assert job.state == JobState.QUEUED and job.task_id
    assert jobs.run_job.call(job.pk) == JobState.DONE
    Job.objects.filter(pk=job.pk).update(result=b"kept")
    assert jobs.run_job.call(job.pk) == JobState.DONE  # a second delivery changes nothing
    job.refresh_from_db()
    assert bytes(job.result) == b"kept"
    assert jobs.run_job.call(999_999_999) == "missing"


def test_a_job_whose_worker_died_is_done_again(coordinator, echo, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = start(coordinator, n=6)
    long_ago = timezone.now() - jobs.STALLED_AFTER - datetime.timedelta(minutes=1)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, started_at=long_ago)
    again = start(coordinator, n=6)
    assert again.pk != job.pk and again.state == JobState.QUEUED
    assert not Job.objects.filter(pk=job.pk).exists()  # failed, then dropped as an old result
    recent = timezone.now() - datetime.timedelta(minutes=5)
    Job.objects.filter(pk=again.pk).update(state=JobState.RUNNING, started_at=recent)
    assert start(coordinator, n=6).pk == again.pk  # still working: the same job


def test_the_database_queue_and_its_worker_run_a_job(coordinator, echo, settings, monkeypatch):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": [settings.TASK_QUEUE],
        }
    }
    job = start(coordinator, n=4)
    assert job.state == JobState.QUEUED and job.total == 0  # waiting for the worker
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"
    # The worker process checks its connection between tasks; here that connection holds the
    # test's transaction, which must stay open.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    with kept_signals():
        call_command("worker", batch=True, verbosity=0)  # what `make run` starts, for one pass
    job.refresh_from_db()
    assert job.state == JobState.DONE and bytes(job.result) == b'{"n": 4}'
    assert (job.done, job.total) == (2, 2) and job.started_at <= job.finished_at
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"


def test_the_worker_command_needs_a_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with pytest.raises(CommandError, match="không cần tiến trình nền"):
        call_command("worker", batch=True)


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not redis_answers(), reason="Redis does not answer at 127.0.0.1:6379")
def test_the_redis_queue_and_an_rq_worker_run_a_job(coordinator, echo, settings):
    import django_rq
    from django_tasks_rq import Job as RQJob
    from rq import SimpleWorker

    # A queue of this test's own: the SQLite and PostgreSQL runs share the Redis server.
    queue_name = f"binhdang-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    settings.TASK_QUEUE = queue_name
    settings.RQ_QUEUES = {queue_name: {"URL": "redis://127.0.0.1:6379/0"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]}}
    queue = django_rq.get_queue(queue_name, job_class=RQJob)
    try:
        job = start(coordinator, n=5)
        assert job.state == JobState.QUEUED and queue.job_ids == [job.task_id]
        worker = SimpleWorker([queue], connection=queue.connection, job_class=RQJob)
        with kept_signals():
            worker.work(burst=True)  # the job runs in this process: it sees the test's data
        job.refresh_from_db()
        assert job.state == JobState.DONE and bytes(job.result) == b'{"n": 5}'
        assert queue.fetch_job(job.task_id).get_status() == "finished"
    finally:
        queue.empty()
        queue.delete(delete_jobs=True)


def test_whoever_started_a_job_is_told_when_it_ends(coordinator, leader, echo):
    from core.models import Notification

    jobs.PAGES["test.echo"] = lambda job: f"/jobs/{job.subject}/"
    try:
        start(coordinator, n=1)
        start(coordinator, fail="refuse")
    finally:
        jobs.PAGES.pop("test.echo")
    told = list(Notification.objects.filter(user=coordinator).order_by("id"))
    assert [n.url for n in told] == ["/jobs/test:1/"] * 2
    assert "kết quả.json" in told[0].text and "Không đủ quyền cho việc này." in told[1].text
    assert not Notification.objects.filter(user=leader).exists()
