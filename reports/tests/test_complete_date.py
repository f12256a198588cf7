"""DHIS2's `completeDate` (JSON/DXF2 set, ADX group): the values import and the report is
submitted when the caller may submit it (reports.services.submissions.submit: who, blocking
problems, warnings); otherwise the values still import and one conflict says why."""

import json

import pytest

from audit.models import Event
from core.models import Notification
from reports.exchange import adx
from reports.models import Status
from reports.services import submissions
from reports.tests import factories
from reports.tests.test_api import URL, auth, move_round, submission
from reports.tests.test_dhis2_async import started

pytestmark = pytest.mark.django_db

SET = {
    "dataSet": "BDG_NAM",
    "completeDate": "2026-02-03",
    "period": "2025",
    "orgUnit": "SYT",
    "dataValues": [{"dataElement": "BDG_M1_CQ", "value": "150"}],
}


@pytest.fixture
def filled(reporter):
    """Sở Y tế's annual report complete: the submit gate lets it through."""
    move_round()
    report = submission("SYT")
    factories.fill(report, reporter)
    for section in report.round.form.sections.filter(kind="narrative"):
        for question in section.questions.all():
            submissions.save_answer(
                submission=report,
                question=question,
                text="Đã làm.",
                expected_version=0,
                actor=reporter,
            )


def post(client, user, body, kind="application/json", query=""):
    return client.post(f"{URL}{query}", body, content_type=kind, headers=auth(user))


def submitted_by(user):
    report = submission("SYT")
    assert report.status == Status.SUBMITTED and report.submitted_by == user
    event = Event.objects.for_object(report).latest("id")
    assert event.changes["status"][1] == Status.SUBMITTED  # audited as a submit
    return report


def test_the_approver_completes_a_report_that_may_be_submitted(
    client, approver, coordinator, filled
):
    response = post(client, approver, json.dumps(SET))
    assert response.status_code == 200, response.json()
    summary = response.json()["response"]
    assert summary["status"] == "SUCCESS" and summary["dataSetComplete"] == "2026-02-03"
    assert summary["importCount"]["updated"] == 1
    submitted_by(approver)
    # told as a normal submit: the coordinators learn that the report waits for them
    assert Notification.objects.filter(user=coordinator, text__contains="đã nộp báo cáo").exists()


def test_dxf2_and_adx_complete_dates_submit_too(client, approver, filled):
    xml = (
        '<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="BDG_NAM" period="2025" '
        'orgUnit="SYT" completeDate="2026-02-03"><dataValue dataElement="BDG_M1_CQ" value="151"/>'
        "</dataValueSet>"
    )
    response = post(client, approver, xml, "application/xml")
    assert response.json()["response"]["dataSetComplete"] == "2026-02-03"
    submitted_by(approver)


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_adx_group_complete_date_submits(client, approver, filled):
    body = f"""<adx xmlns="{adx.NS}">
  <group orgUnit="SYT" period="2025-01-01/P1Y" dataSet="BDG_NAM" completeDate="2026-01-10">
    <dataValue dataElement="BDG_M1_CQ" value="152"/>
  </group>
</adx>"""
    response = post(client, approver, body, adx.MIME)
    assert response.status_code == 200, response.json()
    assert response.json()["response"]["dataSetComplete"] == "2026-01-10"
    submitted_by(approver)


def test_a_caller_who_may_not_submit_gets_one_conflict_and_the_values(client, reporter, filled):
    response = post(client, reporter, json.dumps(SET))
    assert response.status_code == 409
    summary = response.json()["response"]
    assert summary["status"] == "WARNING" and summary["dataSetComplete"] == "false"
    assert summary["importCount"]["updated"] == 1
    (conflict,) = summary["conflicts"]
    assert conflict["object"] == "completeDate" and conflict["indexes"] == []
    assert "chưa được nộp" in conflict["value"]
    assert submission("SYT").status == Status.DRAFT


def test_the_gate_refusing_is_one_conflict_and_the_values_import(client, approver):
    move_round()  # an empty report: blocking problems
    response = post(client, approver, json.dumps(SET))
    summary = response.json()["response"]
    assert summary["importCount"]["imported"] == 1 and summary["dataSetComplete"] == "false"
    (conflict,) = summary["conflicts"]
    assert conflict["object"] == "completeDate" and conflict["value"].startswith("BDG-2025/SYT")
    assert submission("SYT").status == Status.DRAFT


def test_a_dry_run_or_an_async_import_completes_as_the_synchronous_one(client, approver, filled):
    response = post(client, approver, json.dumps(SET), query="?dryRun=true")
    assert response.json()["response"]["dataSetComplete"] == "2026-02-03"
    assert submission("SYT").status == Status.DRAFT  # rolled back
    job_id = started(post(client, approver, json.dumps(SET), query="?async=true"))
    summary = client.get(
        f"/api/v1/system/taskSummaries/DATAVALUE_IMPORT/{job_id}", headers=auth(approver)
    ).json()
    assert summary["dataSetComplete"] == "2026-02-03"
    submitted_by(approver)
