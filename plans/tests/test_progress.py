import io
import os
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Event
from plans.models import Evidence, Plan, Task

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip() -> bytes:
    """A zip that only pretends to be a Word file by its name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("script.js", "alert(1)")
    return buffer.getvalue()


ZIP = _zip()


@pytest.fixture
def task():
    return Task.objects.get(item__plan__year=2025, item__code="IV.5.a", unit__code="SYT")


def _post(client, task, **data):
    payload = {
        "status": "in_progress",
        "percent": 40,
        "note": "Đã tổ chức 3 buổi truyền thông.",
        "expected_version": task.version,
        **data,
    }
    return client.post(reverse("plans:task", args=[task.pk]), payload)


def test_reporter_records_progress_with_evidence(client, reporter, task):
    client.force_login(reporter)
    response = _post(client, task, files=[SimpleUploadedFile("bien-ban.pdf", PDF)])
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.percent, task.version) == ("in_progress", 40, 2)
    evidence = Evidence.objects.get(update__task=task)
    assert evidence.original_name == "bien-ban.pdf" and evidence.content_type == "application/pdf"
    assert "bien-ban" not in evidence.file.name  # stored under a content hash, not the user's name
    page = client.get(reverse("plans:task", args=[task.pk])).content.decode()
    assert "Đã tổ chức 3 buổi truyền thông." in page and "bien-ban.pdf" in page
    download = client.get(reverse("plans:evidence", args=[evidence.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    actions = set(Event.objects.for_object(task).values_list("action", flat=True))
    assert actions == {"update"}
    assert Event.objects.for_object(evidence).get().action == "download"
    history = Event.objects.for_object(task).get().changes
    assert history["percent"] == [0, 40] and history["status"] == ["not_started", "in_progress"]


def test_done_means_100_percent_and_a_completion_date(client, reporter, task):
    client.force_login(reporter)
    _post(client, task, status="done", percent=90)
    task.refresh_from_db()
    assert task.percent == 100 and task.completed_on is not None


@pytest.mark.parametrize(
    "name,content",
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ("ghi-chu.txt", b"hello"),
        ("bao-cao.docx", ZIP),
    ],
)
def test_files_are_checked_by_content(client, reporter, task, name, content):
    client.force_login(reporter)
    response = _post(client, task, files=[SimpleUploadedFile(name, content)])
    assert response.status_code == 200
    assert "không phải PDF, Word, Excel hoặc ảnh" in response.content.decode()
    task.refresh_from_db()
    assert task.percent == 0 and not Evidence.objects.exists()


def test_files_over_the_limit_are_refused(client, reporter, task, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(reporter)
    response = _post(client, task, files=[SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)])
    assert "quá lớn" in response.content.decode()
    assert not Evidence.objects.exists()


def test_bad_input_gets_a_message_and_changes_nothing(client, reporter, task):
    client.force_login(reporter)
    response = _post(client, task, percent=140, note="")
    body = response.content.decode()
    assert response.status_code == 200 and "Hãy ghi kết quả" in body
    task.refresh_from_db()
    assert task.percent == 0 and not task.updates.exists()


def test_a_stale_form_is_told_and_keeps_what_was_typed(client, reporter, approver, task):
    client.force_login(approver)
    _post(client, task, percent=30, note="Cập nhật của lãnh đạo.")
    client.force_login(reporter)
    response = _post(
        client, task, percent=50, note="Nội dung tôi vừa gõ."
    )  # started from version 1
    body = response.content.decode()
    assert response.status_code == 200
    assert "người khác đã lưu thay đổi" in body and "Đang thực hiện, 30%" in body
    assert "Nội dung tôi vừa gõ." in body
    task.refresh_from_db()
    assert task.percent == 30
    # The second save, now from the current version, goes through.
    assert _post(client, task, percent=50, note="Nội dung tôi vừa gõ.").status_code == 302


def test_leader_reads_a_task_but_cannot_report(client, leader, task):
    client.force_login(leader)
    assert client.get(reverse("plans:task", args=[task.pk])).context["form"] is None
    assert _post(client, task).status_code == 403


def test_coordinator_edits_an_item_and_open_tasks_follow(client, coordinator):
    client.force_login(coordinator)
    item = Plan.objects.get(year=2025).items.get(code="IV.13.a")
    response = client.post(
        reverse("plans:item_edit", args=[item.pk]),
        {
            "starts_on": "",
            "due_on": "2025-11-30",
            "supporting_units": [],
            "expected_version": item.version,
        },
    )
    assert response.status_code == 302
    dues = set(item.tasks.values_list("unit__kind", "due_on"))
    assert ("commune", __import__("datetime").date(2025, 11, 30)) in dues
    assert ("district", __import__("datetime").date(2025, 6, 30)) in dues
    assert Event.objects.for_object(item).filter(action="update").exists()


def test_copy_plan_into_next_year(client, coordinator):
    client.force_login(coordinator)
    plan = Plan.objects.get(year=2025)
    response = client.post(reverse("plans:copy", args=[plan.pk]), {"year": 2026})
    new = Plan.objects.get(year=2026)
    assert response.status_code == 302
    assert new.title.endswith("năm 2026") and new.items.count() == plan.items.count()
    local = Task.objects.filter(item__plan=new, item__code="IV.13.a")
    assert local.count() == 96 and not local.filter(unit__kind="district").exists()
    assert set(
        Task.objects.filter(item__plan=new, item__code="IV.12").values_list("unit__code", flat=True)
    ) == {"BQN", "DPTTH"}
    assert new.items.get(code="II.5.b").due_on.isoformat() == "2026-12-15"
    assert new.milestones.get(title="Báo cáo năm").due_before.isoformat() == "2026-12-10"
    again = client.post(reverse("plans:copy", args=[plan.pk]), {"year": 2026}, follow=True)
    assert "Đã có kế hoạch năm 2026" in again.content.decode()


def test_a_real_office_file_is_recognised_wherever_its_parts_sit(client, reporter, task):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("docProps/thumbnail.jpeg", os.urandom(20000))  # pushes word/ far back
        archive.writestr("word/document.xml", "<w:document/>")
    client.force_login(reporter)
    response = _post(client, task, files=[SimpleUploadedFile("bao-cao.docx", buffer.getvalue())])
    assert response.status_code == 302
    assert Evidence.objects.get().extension == "docx"
