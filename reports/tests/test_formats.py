"""dataValueSets in DHIS2's four formats: suffixes, Accept and Content-Type negotiation, and the
DXF2 XML format (export, import, hostile XML)."""

import csv
import io
import json
from xml.etree import ElementTree

import pytest

from reports.exchange import adx, dxf2
from reports.models import DataValue
from reports.tests.test_adx import BILLION_LAUGHS, EXTERNAL_ENTITY
from reports.tests.test_api import ANNUAL, auth, fill, move_round, stored

pytestmark = pytest.mark.django_db
URL = "/api/v1/dataValueSets"
DXF = {"d": dxf2.NS}


@pytest.fixture
def filled(coordinator):
    move_round()
    return fill("SYT", coordinator)


def kind(response) -> str:
    """The format of an export answer, judged by its content."""
    media = response["Content-Type"].split(";")[0]
    if media == "application/json":
        assert "dataValues" in response.json()
        return "json"
    if media == "text/csv":
        assert next(csv.reader(io.StringIO(response.content.decode())))[0] == "dataelement"
        return "csv"
    root = ElementTree.fromstring(response.content)
    if root.tag == f"{{{dxf2.NS}}}dataValueSet":
        assert media == "application/xml"
        return "xml"
    assert root.tag == f"{{{adx.NS}}}adx" and media == adx.MIME
    return "adx"


@pytest.mark.parametrize("suffix", ["json", "csv", "xml", "adx"])
def test_each_suffix_answers_its_format(client, coordinator, filled, suffix):
    response = client.get(f"{URL}.{suffix}", {"period": ANNUAL}, headers=auth(coordinator))
    assert response.status_code == 200
    assert kind(response) == suffix


@pytest.mark.parametrize(
    "accept, expected",
    [
        ("application/json", "json"),
        ("text/csv", "csv"),
        ("application/csv", "csv"),
        ("application/xml", "xml"),
        ("text/xml", "xml"),
        ("application/adx+xml", "adx"),
        ("*/*", "json"),
        ("", "json"),
    ],
)
def test_accept_chooses_the_format(client, coordinator, filled, accept, expected):
    headers = auth(coordinator) | ({"Accept": accept} if accept else {})
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    assert kind(response) == expected


def test_a_suffix_or_format_wins_over_accept(client, coordinator, filled):
    headers = auth(coordinator) | {"Accept": "application/adx+xml"}
    assert kind(client.get(f"{URL}.json", headers=headers)) == "json"
    assert kind(client.get(URL, {"format": "xml"}, headers=headers)) == "xml"


def test_the_xml_export_is_dhis2_dxf2_with_the_json_values(client, coordinator, filled):
    headers = auth(coordinator)
    rows = client.get(f"{URL}.json", headers=headers).json()["dataValues"]
    root = ElementTree.fromstring(client.get(f"{URL}.xml", headers=headers).content)
    values = root.findall("d:dataValue", DXF)
    assert len(values) == len(rows) == filled
    for row, element in zip(rows, values, strict=True):
        for key in ("dataElement", "period", "orgUnit", "categoryOptionCombo", "value"):
            assert element.get(key) == row[key]
        assert element.get("attributeOptionCombo") == "default"
        assert element.get("comment", "") == row["comment"]


def export(client, headers, fmt) -> bytes:
    return client.get(f"{URL}.{fmt}", headers=headers).content


@pytest.mark.parametrize(
    "content_type, fmt",
    [
        ("application/json", "json"),
        ("text/csv", "csv"),
        ("application/csv", "csv"),
        ("application/xml", "xml"),
        ("text/xml", "xml"),
        ("application/adx+xml", "adx"),
    ],
)
def test_each_content_type_imports_through_the_importer(
    client, coordinator, filled, content_type, fmt
):
    headers = auth(coordinator)
    before = stored()
    if fmt == "adx":  # ADX cannot carry "no data" cells (its values are decimals)
        before = {value for value in before if not value[5]}
    body = export(client, headers, fmt)
    DataValue.objects.all().delete()
    response = client.post(URL, body, content_type=content_type, headers=headers)
    assert response.status_code == 200, response.json()
    summary = response.json()["response"]
    assert summary["responseType"] == "ImportSummary" and summary["status"] == "SUCCESS"
    assert summary["importCount"]["imported"] == len(before)
    assert stored() == before


@pytest.mark.parametrize("suffix", ["json", "csv", "xml", "adx"])
def test_each_suffix_names_the_payload_when_the_content_type_does_not(
    client, coordinator, filled, suffix
):
    headers = auth(coordinator)
    body = export(client, headers, suffix)
    DataValue.objects.all().delete()
    response = client.post(
        f"{URL}.{suffix}?dryRun=true", body, content_type="text/plain", headers=headers
    )
    assert response.status_code == 200, response.json()
    assert response.json()["response"]["importCount"]["imported"] > 0
    # A Content-Type that names a format wins over the suffix.
    json_body = export(client, headers, "json")
    response = client.post(
        f"{URL}.{suffix}?dryRun=true", json_body, content_type="application/json", headers=headers
    )
    assert response.status_code == 200, response.json()


DXF2_DOC_EXAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet="BDG_NAM" period="BDG-2025"
  orgUnit="SYT">
  <dataValue dataElement="BDG_M1_CQ" value="12"/>
  <dataValue dataElement="BDG_M1_CQ_LDNU" categoryOptionCombo="default" value="3"
    comment="ghi ch\xc3\xba"/>
  <dataValue dataElement="NO_SUCH" value="16"/>
</dataValueSet>"""


def test_a_dxf2_set_as_dhis2_documents_it_imports_partially(client, reporter):
    move_round()
    response = client.post(
        URL, DXF2_DOC_EXAMPLE, content_type="application/xml", headers=auth(reporter)
    )
    assert response.status_code == 409 and response.json()["status"] == "WARNING"
    summary = response.json()["response"]
    assert summary["importCount"] == {"imported": 2, "updated": 0, "ignored": 1, "deleted": 0}
    assert [c["indexes"] for c in summary["conflicts"]] == [[2]]
    assert summary["conflicts"][0]["errorCode"] == "E7610"
    assert stored() == {
        (ANNUAL, "SYT", "BDG_M1_CQ", "default", "12", False, ""),
        (ANNUAL, "SYT", "BDG_M1_CQ_LDNU", "default", "3", False, "ghi chú"),
    }


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS.replace(b"adx", b"dataValueSet"),
        EXTERNAL_ENTITY.replace(b"adx", b"dataValueSet"),
        b"not xml",
        b'<adx xmlns="urn:ihe:qrph:adx:2015"/>',
        b'<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" idScheme="ATTRIBUTE:x"/>',
        b'<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" categoryIdScheme="UID"/>',
    ],
)
def test_hostile_or_foreign_xml_is_refused_whole(client, reporter, body):
    move_round()
    response = client.post(URL, body, content_type="application/xml", headers=auth(reporter))
    assert response.status_code == 409
    summary = response.json()["response"]
    assert summary["status"] == "ERROR" and len(summary["conflicts"]) == 1
    assert not DataValue.objects.exists()


def test_dxf2_complete_date_a_reporter_may_not_honour_is_a_conflict_on_the_set(client, reporter):
    move_round()
    body = DXF2_DOC_EXAMPLE.replace(b'orgUnit="SYT">', b'orgUnit="SYT" completeDate="2025-12-31">')
    response = client.post(URL, body, content_type="text/xml", headers=auth(reporter))
    summary = response.json()["response"]
    assert summary["importCount"]["imported"] == 2
    assert any(c["object"] == "completeDate" for c in summary["conflicts"])


def test_adx_complete_date_not_honoured_is_a_conflict_per_group_as_in_json_and_xml(
    client, reporter
):
    # A reporter may not submit (test_complete_date.py: an approver's completeDate submits); a
    # group without values names no report.
    move_round()
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="{adx.NS}">
  <group orgUnit="SYT" period="2025-01-01/P1Y" dataSet="BDG_NAM" completeDate="2026-01-10">
    <dataValue dataElement="BDG_M1_CQ" value="12"/>
  </group>
  <group orgUnit="SYT" period="2025-01-01/P1Y" dataSet="BDG_NAM" completeDate="2026-01-10"/>
</adx>""".encode()
    response = client.post(URL, body, content_type=adx.MIME, headers=auth(reporter))
    assert response.status_code == 409 and response.json()["status"] == "WARNING"
    summary = response.json()["response"]
    assert summary["importCount"]["imported"] == 1
    conflicts = summary["conflicts"]
    assert [c["object"] for c in conflicts] == ["completeDate", "completeDate"]
    assert all(c["indexes"] == [] and "completeDate" in c["value"] for c in conflicts)
    assert "Nhóm số 2" in conflicts[0]["value"]
    assert conflicts[1]["value"].startswith("BDG-2025/SYT: completeDate: báo cáo chưa được nộp")
    # The same conflict as JSON's.
    payload = {"completeDate": "2026-01-10", "dataValues": []}
    json_answer = client.post(URL, json.dumps(payload), "application/json", headers=auth(reporter))
    (json_conflict,) = json_answer.json()["response"]["conflicts"]
    assert conflicts[0]["value"].endswith(json_conflict["value"])
    assert {k: v for k, v in conflicts[0].items() if k != "value"} == {
        k: v for k, v in json_conflict.items() if k != "value"
    }


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/pdf"]
)
def test_an_unknown_content_type_answers_415_as_dhis2(client, reporter, content_type):
    move_round()
    payload = {"dataValues": [{"dataElement": "BDG_M1_CQ", "period": ANNUAL, "orgUnit": "SYT"}]}
    response = client.post(URL, json.dumps(payload), content_type, headers=auth(reporter))
    assert response.status_code == 415
    assert response.json() == {
        "httpStatus": "Unsupported Media Type",
        "httpStatusCode": 415,
        "status": "ERROR",
        "message": response.json()["message"],
    }
    assert content_type in response.json()["message"]
    assert not DataValue.objects.exists()


def test_post_json_unchanged(client, reporter):
    move_round()
    payload = {"dataValues": [{"dataElement": "BDG_M1_CQ", "period": ANNUAL, "orgUnit": "SYT"}]}
    payload["dataValues"][0]["value"] = "5"
    response = client.post(
        f"{URL}.json", json.dumps(payload), content_type="application/json", headers=auth(reporter)
    )
    assert response.status_code == 200, response.json()
