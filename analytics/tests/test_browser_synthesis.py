"""Acceptance in Chromium (issue 12): the coordinator writes one section of the synthesis beside
the units' answers, starts the Word file, sees its progress, reloads the page and still sees it,
and downloads the file once the worker has made it; python-docx reads the section, the numbered
headings, the annex and the basis stated. Through the database queue, and through Redis (RQ)
when Redis answers; the worker runs in this process, between two of the server's requests."""

import contextlib
import io
import os
import threading
import uuid

import pytest
from django.core.management import call_command
from docx import Document
from playwright.sync_api import expect

from analytics.tests.test_synthesis import HEADING, headings
from conftest import browser_page, log_in, make_browser_user
from core.models import Job, JobState
from core.roles import Role
from core.tests.test_jobs import kept_signals, redis_answers
from reports.models import NarrativeAnswer, Question, Round, Status, Submission
from reports.tests.test_api import ANNUAL, move_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SYT_WORDS = "Sở đã ban hành kế hoạch số 12/KH-SYT về bình đẳng giới."
CAT_DRAFT = "Bản nháp của Công an tỉnh, chưa nộp."
PROVINCE = "Năm 2025, 96 xã, phường và các sở, ngành đã kiện toàn Ban vì sự tiến bộ của phụ nữ."


@pytest.fixture
def annual(live_server, audit_flushable, province):
    make_browser_user("coordinator", Role.COORDINATOR, "SNV")
    move_round()
    round_ = Round.objects.get(code=ANNUAL)
    question = Question.objects.filter(section__form=round_.form).first()
    for unit, text, status in (("SYT", SYT_WORDS, Status.SUBMITTED), ("CAT", CAT_DRAFT, None)):
        submission = Submission.objects.get(round=round_, unit__code=unit)
        NarrativeAnswer.objects.create(submission=submission, question=question, text=text)
        if status:
            Submission.objects.filter(pk=submission.pk).update(status=status)
    return round_


@contextlib.contextmanager
def one_at_a_time(live_server):
    """The server and the worker take turns: on SQLite the test database is one in-memory
    connection the server thread shares with this one, used by one thread at a time."""
    lock = threading.Lock()
    httpd = live_server.thread.httpd
    app = httpd.get_app()

    def locked(environ, start_response):
        with lock:
            return app(environ, start_response)

    httpd.set_app(locked)
    try:
        yield lock
    finally:
        httpd.set_app(app)


def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": [settings.TASK_QUEUE]}
    }

    def work():
        with kept_signals():
            call_command("worker", batch=True, verbosity=0)  # `make run`'s worker, one pass

    return work, lambda: None


def redis_queue(settings):
    import django_rq
    from django_tasks_rq import Job as RQJob
    from rq import SimpleWorker

    name = f"binhdang-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    settings.TASK_QUEUE = name
    settings.RQ_QUEUES = {name: {"URL": "redis://127.0.0.1:6379/0"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [name]}}
    queue = django_rq.get_queue(name, job_class=RQJob)

    def work():
        with kept_signals():
            SimpleWorker([queue], connection=queue.connection, job_class=RQJob).work(burst=True)

    return work, lambda: queue.delete(delete_jobs=True)


QUEUES = [
    pytest.param(database_queue, id="database"),
    pytest.param(
        redis_queue,
        id="redis",
        marks=pytest.mark.skipif(
            not redis_answers(), reason="Redis does not answer at 127.0.0.1:6379"
        ),
    ),
]


@pytest.mark.parametrize("queue", QUEUES)
def test_coordinator_writes_a_section_and_downloads_the_word_file_made_in_the_background(
    live_server, annual, settings, queue
):
    work, clean_up = queue(settings)
    section = annual.form.sections.filter(kind="narrative").first()
    try:
        with browser_page() as page, one_at_a_time(live_server) as lock:
            violations: list[str] = []
            page.on(
                "console",
                lambda m: violations.append(m.text) if "Security Policy" in m.text else None,
            )
            log_in(page, live_server.url, "coordinator")
            page.goto(f"{live_server.url}/analytics/rounds/{annual.pk}/synthesis/")
            workspace = page.locator(f"#s{section.pk}")
            expect(workspace).to_contain_text(SYT_WORDS)  # the units' words beside the box
            expect(workspace).not_to_contain_text(CAT_DRAFT)  # submitted and accepted only
            workspace.get_by_label(f"Nội dung tổng hợp của tỉnh: {section.title}").fill(PROVINCE)
            workspace.get_by_role("button", name="Lưu nội dung mục này").click()
            expect(workspace.get_by_text("Đã lưu lúc")).to_be_visible()  # htmx, in place

            page.get_by_role("button", name="Tạo báo cáo Word").click()
            progress = page.locator(".synthesis-job").get_by_role("progressbar")
            expect(progress).to_be_visible()
            expect(page.locator(".synthesis-job")).to_contain_text("Đang chờ xử lý")
            page.reload()
            expect(progress).to_be_visible()  # the job outlives the page
            with lock:  # the page keeps polling meanwhile: it waits for its turn
                assert Job.objects.get(kind="analytics.synthesis_docx").state == JobState.QUEUED
                work()
            download_link = page.get_by_role("link", name="Tải về")
            expect(download_link).to_be_visible()  # the page polled the job until it was done
            expect(progress).to_have_count(0)
            with page.expect_download() as download:
                download_link.click()
            content = open(download.value.path(), "rb").read()
            assert download.value.suggested_filename.endswith(".docx")
            assert not violations
    finally:
        clean_up()

    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index(f"1. {section.title}") + 1] == PROVINCE
    found = headings(document)
    assert found[0] == (1, "I. KẾT QUẢ THỰC HIỆN") and all(HEADING.match(t) for _l, t in found)
    annex = texts.index("PHỤ LỤC\nÝ KIẾN BÁO CÁO CỦA CÁC ĐƠN VỊ")
    assert texts.index(f"Sở Y tế: {SYT_WORDS}") > annex
    assert not [t for t in texts if CAT_DRAFT in t]
    assert [t for t in texts[:annex] if "Chỉ tổng hợp báo cáo đã nộp và đã được duyệt" in t]
