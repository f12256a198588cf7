"""POST /dataValueSets?async=true as DHIS2 answers it: a job reference (JobConfigurationWebMessage
Response) to poll at /system/tasks/DATAVALUE_IMPORT/{id}, the ImportSummary at
/system/taskSummaries/DATAVALUE_IMPORT/{id}; the job is a core.jobs job run by the worker (the
database queue and, when Redis answers, RQ), as the user who sent it, and is theirs alone."""

import datetime
import json
import os
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from core.models import Job, JobState, Notification
from core.tests.test_jobs import kept_signals, redis_answers
from reports.exchange.jobs import KEPT
from reports.models import DataValue
from reports.tests.test_api import URL, auth, move_round, stored
from reports.tests.test_dhis2_import import BULK, IMPORT_SUMMARY, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def annual():
    move_round()  # the 2025 round open: its reports take values


TASKS = "/api/v1/system/tasks/DATAVALUE_IMPORT"
SUMMARIES = "/api/v1/system/taskSummaries/DATAVALUE_IMPORT"
CSV = (
    "dataelement,period,orgunit,catoptcombo,attroptcombo,value\n"
    "BDG_M1_CQ,2025,SYT,,,12\nBDG_M1_CQ_LDNU,2025,SYT,,,4\n"
)


def started(response) -> str:
    assert response.status_code == 200
    answer = response.json()
    job_id = answer["response"]["id"]
    assert answer == {
        "httpStatus": "OK",
        "httpStatusCode": 200,
        "status": "OK",
        "message": "Initiated DATAVALUE_IMPORT",
        "response": {
            "responseType": "JobConfigurationWebMessageResponse",
            "name": "DATAVALUE_IMPORT",
            "id": job_id,
            "created": answer["response"]["created"],
            "jobType": "DATAVALUE_IMPORT",
            "relativeNotifierEndpoint": f"/api/v1/system/tasks/DATAVALUE_IMPORT/{job_id}",
        },
    }
    return job_id


def test_async_import_answers_a_job_to_poll_and_its_summary(client, reporter, annual):
    job_id = started(send(client, reporter, BULK, **{"async": "true", "dryRun": "false"}))
    # The test settings run a task at once: the job has ended.
    assert {(v[2], v[4]) for v in stored()} == {("BDG_M1_CQ", "12"), ("BDG_M1_CQ_LDNU", "4")}
    tasks = client.get(f"{TASKS}/{job_id}", headers=auth(reporter)).json()
    assert [t["completed"] for t in tasks] == [True, False, False]  # newest first
    assert {t["category"] for t in tasks} == {"DATAVALUE_IMPORT"} and tasks[0]["level"] == "INFO"
    assert set(tasks[0]) == {"level", "category", "time", "message", "completed", "id", "uid"}
    summary = client.get(f"{SUMMARIES}/{job_id}", headers=auth(reporter)).json()
    assert list(summary) == IMPORT_SUMMARY and summary["status"] == "SUCCESS"
    assert summary["importCount"]["imported"] == 2 and summary["importOptions"]["async"] is True
    job = Job.objects.get(pk=job_id)
    assert job.payload is None  # the payload is dropped when the job ends
    told = Notification.objects.get(user=reporter)
    assert "Đã nhập xong số liệu gửi qua API" in told.text and "2 giá trị mới" in told.text


def test_async_csv_and_a_failed_import_answer_as_the_synchronous_call(client, reporter, annual):
    job_id = started(send(client, reporter, CSV, **{"async": "true"}))
    summary = client.get(f"{SUMMARIES}/{job_id}", headers=auth(reporter)).json()
    assert summary["importCount"]["imported"] == 2
    broken = client.post(
        f"{URL}?async=true", b"{not json", content_type="application/json", headers=auth(reporter)
    )
    summary = client.get(f"{SUMMARIES}/{started(broken)}", headers=auth(reporter)).json()
    assert summary["status"] == "ERROR" and summary["conflicts"][0]["object"] == "payload"


def test_an_ended_import_is_kept_a_week_then_dropped_by_the_senders_next(
    client, reporter, coordinator, annual
):
    old = started(send(client, reporter, BULK, **{"async": "true"}))
    other = started(send(client, coordinator, BULK, **{"async": "true"}))
    week = timezone.now() - KEPT
    Job.objects.filter(pk__in=[old, other]).update(finished_at=week - datetime.timedelta(hours=1))
    assert client.get(f"{SUMMARIES}/{old}", headers=auth(reporter)).status_code == 200
    recent = started(send(client, reporter, BULK, **{"async": "true"}))
    assert client.get(f"{SUMMARIES}/{old}", headers=auth(reporter)).status_code == 404
    assert client.get(f"{SUMMARIES}/{recent}", headers=auth(reporter)).status_code == 200
    # Another sender's imports are theirs to drop.
    assert client.get(f"{SUMMARIES}/{other}", headers=auth(coordinator)).status_code == 200


def test_a_job_is_its_starters_alone(client, reporter, coordinator, annual):
    job_id = started(send(client, reporter, BULK, **{"async": "true"}))
    for url in (f"{TASKS}/{job_id}", f"{SUMMARIES}/{job_id}", f"{TASKS}/x{job_id}"):
        assert client.get(url, headers=auth(coordinator)).status_code == 404
    assert client.get(f"{TASKS}/{job_id}", headers=auth(reporter)).status_code == 200


def test_the_starter_is_checked_again_when_the_job_runs(client, reporter, annual, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job_id = started(send(client, reporter, BULK, **{"async": "true"}))
    assert client.get(f"{SUMMARIES}/{job_id}", headers=auth(reporter)).json() == {}
    tasks = client.get(f"{TASKS}/{job_id}", headers=auth(reporter)).json()
    assert [t["completed"] for t in tasks] == [False]
    reporter.is_active = False
    reporter.save()
    from core import jobs

    assert jobs.run_job.call(int(job_id)) == JobState.FAILED
    job = Job.objects.get(pk=job_id)
    assert "không còn quyền" in job.error and job.payload is None
    assert not DataValue.objects.exists()


def test_the_database_queue_and_its_worker_run_an_async_import(
    client, reporter, annual, settings, monkeypatch
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [settings.TASK_QUEUE]}
    }
    job_id = started(send(client, reporter, BULK, **{"async": "true"}))
    assert Job.objects.get(pk=job_id).state == JobState.QUEUED and not DataValue.objects.exists()
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    with kept_signals():
        call_command("worker", batch=True, verbosity=0)
    summary = client.get(f"{SUMMARIES}/{job_id}", headers=auth(reporter)).json()
    assert summary["status"] == "SUCCESS" and summary["importCount"]["imported"] == 2


@pytest.mark.skipif(not redis_answers(), reason="Redis does not answer at 127.0.0.1:6379")
def test_the_redis_queue_runs_an_async_import(client, reporter, annual, settings):
    import django_rq
    from django_tasks_rq import Job as RQJob
    from rq import SimpleWorker

    queue_name = f"binhdang-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    settings.TASK_QUEUE = queue_name
    settings.RQ_QUEUES = {queue_name: {"URL": "redis://127.0.0.1:6379/0"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]}}
    queue = django_rq.get_queue(queue_name, job_class=RQJob)
    try:
        job_id = started(send(client, reporter, BULK, **{"async": "true"}))
        worker = SimpleWorker([queue], connection=queue.connection, job_class=RQJob)
        with kept_signals():
            worker.work(burst=True)
        summary = client.get(f"{SUMMARIES}/{job_id}", headers=auth(reporter)).json()
        assert summary["importCount"]["imported"] == 2
        assert json.loads(bytes(Job.objects.get(pk=job_id).result)) == summary
    finally:
        queue.empty()
        queue.delete(delete_jobs=True)
