"""Stored uploads carry the extension of the type found in their content, never the typed one."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import stored_path
from core.uploads import check_upload
from plans.models import Evidence, Task

pytestmark = pytest.mark.django_db
# A 1×1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def test_the_helper_names_a_png_called_html_by_its_content():
    upload = SimpleUploadedFile("x.png.html", PNG, content_type="text/html")
    kind = check_upload(upload, 10 * 1024 * 1024)
    assert kind == ("png", "image/png")
    evidence = Evidence(extension=kind[0], sha256="ab" * 32)
    path = stored_path(evidence, "evidence")
    assert path.startswith("evidence/") and path.endswith("/" + "ab" * 16 + ".png")


def test_a_png_uploaded_as_html_through_plan_evidence_is_stored_as_png(client, reporter):
    task = Task.objects.get(item__plan__year=2025, item__code="IV.5.a", unit__code="SYT")
    client.force_login(reporter)
    upload = SimpleUploadedFile("x.png.html", PNG, content_type="text/html")
    response = client.post(
        reverse("plans:task", args=[task.pk]),
        {
            "status": "in_progress",
            "percent": 10,
            "note": "Ảnh minh chứng.",
            "expected_version": task.version,
            "files": [upload],
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(update__task=task)
    assert evidence.file.name.endswith(".png") and ".html" not in evidence.file.name
    assert (evidence.extension, evidence.content_type) == ("png", "image/png")
    assert evidence.original_name == "x.png.html"  # kept for display and download
    download = client.get(reverse("plans:evidence", args=[evidence.pk]))
    assert 'filename="x.png.html"' in download["Content-Disposition"]
    assert download["Content-Type"] == "image/png"
