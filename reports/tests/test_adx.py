"""ADX import/export: agrees with the DHIS2 JSON exchange, round-trips, refuses hostile XML."""

import json
from xml.etree import ElementTree

import pytest

from reports.exchange import adx
from reports.models import DataValue, Round
from reports.tests.test_api import ANNUAL, auth, fill, move_round, stored

pytestmark = pytest.mark.django_db
URL = "/api/v1/adx"
NS = {"a": adx.NS}


@pytest.fixture
def annual_open():
    move_round()


BOOLEAN_ADX = {"true": "1", "false": "0"}


def json_values(client, headers, **params) -> set:
    """The JSON export as ADX carries it: booleans as 1/0 (ADX values are decimals), without
    the "no data" cells (no decimal to write)."""
    rows = client.get("/api/v1/dataValueSets", params, headers=headers).json()["dataValues"]
    return {
        (r["dataElement"], r["period"], r["orgUnit"], r["categoryOptionCombo"])
        + (BOOLEAN_ADX.get(r["value"], r["value"]), r["comment"])
        for r in rows
        if r["value"] != ""
    }


def adx_values(body: bytes, user) -> set:
    records, conflicts = adx.to_records(adx.parse_adx(body), user=user)
    assert conflicts == []
    iso = dict(Round.objects.values_list("code", "period"))  # JSON exports DHIS2 ISO periods
    return {
        (
            r.data_element,
            iso.get(r.period, r.period),
            r.org_unit,
            r.option_combo,
            r.value,
            r.comment,
        )
        for r in records
    }


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_adx_and_json_exports_of_the_same_data_agree_value_for_value(
    client, coordinator, annual_open
):
    count = sum(fill(code, coordinator, n) for n, code in enumerate(["SYT", "CAT", "21025"]))
    headers = auth(coordinator)
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/adx+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{{{adx.NS}}}adx"
    groups = root.findall("a:group", NS)
    assert {(g.get("orgUnit"), g.get("period"), g.get("dataSet")) for g in groups} == {
        (unit, "2025-01-01/P1Y", "BDG_NAM") for unit in ("SYT", "CAT", "21025")
    }
    values = root.findall("a:group/a:dataValue", NS)
    assert len(values) == count - 3  # the three "no data" cells are not decimals
    assert any(v.get("SEX") == "FEMALE" for v in values)
    assert all("categoryOptionCombo" not in v.attrib for v in values)
    from_json = json_values(client, headers)
    assert len(from_json) == count - 3
    assert adx_values(response.content, coordinator) == from_json
    # The same filters as dataValueSets.
    one = client.get(URL, {"orgUnit": "SYT", "period": ANNUAL}, headers=headers)
    assert adx_values(one.content, coordinator) == json_values(
        client, headers, orgUnit="SYT", period=ANNUAL
    )
    assert client.get(URL, {"period": "NO-SUCH"}, headers=headers).status_code == 404


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_adx_export_then_import_into_an_empty_set_reproduces_every_value(
    client, coordinator, annual_open
):
    count = fill("SYT", coordinator) + fill("21025", coordinator, 7) - 2  # but "no data" cells
    before = {value for value in stored() if not value[5]}
    headers = auth(coordinator)
    body = client.get(URL, headers=headers).content
    DataValue.objects.all().delete()

    dry = client.post(f"{URL}?dryRun=true", body, content_type=adx.MIME, headers=headers)
    assert dry.status_code == 200, dry.json()
    dry_summary = dry.json()["response"]
    assert dry_summary["importCount"]["imported"] == count
    assert dry_summary["importOptions"]["dryRun"] is True
    assert not DataValue.objects.exists()

    response = client.post(URL, body, content_type=adx.MIME, headers=headers)
    assert response.status_code == 200, response.json()
    assert response.json()["response"]["importCount"] == {
        "imported": count,
        "updated": 0,
        "ignored": 0,
        "deleted": 0,
    }
    assert stored() == before


def test_adx_import_is_all_or_nothing_with_every_conflict_listed(client, reporter, annual_open):
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="{adx.NS}">
  <group orgUnit="SYT" period="2025-01-01/P1Y" dataSet="BDG_NAM">
    <dataValue dataElement="BDG_M1_CQ" value="12"/>
    <dataValue dataElement="NO_SUCH" value="3"/>
    <dataValue dataElement="BDG_M1_CQ_LDNU" SEX="FEMALE" value="1"/>
  </group>
  <group orgUnit="CAT" period="2025-01-01/P1Y" dataSet="BDG_NAM">
    <dataValue dataElement="BDG_M1_CQ" value="4"/>
  </group>
</adx>""".encode()
    # All or nothing when asked (DHIS2's atomicMode=ALL): every problem listed, nothing stored.
    response = client.post(
        f"{URL}?atomicMode=ALL", body, content_type=adx.MIME, headers=auth(reporter)
    )
    assert response.status_code == 409
    summary = response.json()["response"]
    assert summary["status"] == "ERROR" and summary["importCount"]["ignored"] == 4
    messages = " ".join(c["value"] for c in summary["conflicts"])
    assert "NO_SUCH" in messages and "SEX=FEMALE" in messages and "CAT" in messages
    assert not DataValue.objects.exists()
    # By default, as DHIS2: the good value is stored, the three others are conflicts.
    response = client.post(URL, body, content_type=adx.MIME, headers=auth(reporter))
    assert response.status_code == 409 and response.json()["status"] == "WARNING"
    summary = response.json()["response"]
    assert summary["importCount"] == {"imported": 1, "updated": 0, "ignored": 3, "deleted": 0}
    assert stored() == {(ANNUAL, "SYT", "BDG_M1_CQ", "default", "12", False, "")}
    DataValue.objects.all().delete()

    good = body.replace(b'<dataValue dataElement="NO_SUCH" value="3"/>', b"")
    good = good.replace(b' SEX="FEMALE"', b"").split(b'<group orgUnit="CAT"')[0] + b"</adx>"
    good = good.replace(b"  </group>\n  </adx>", b"  </group>\n</adx>")
    response = client.post(URL, good, content_type=adx.MIME, headers=auth(reporter))
    assert response.status_code == 200, response.json()
    assert stored() == {
        (ANNUAL, "SYT", "BDG_M1_CQ", "default", "12", False, ""),
        (ANNUAL, "SYT", "BDG_M1_CQ_LDNU", "default", "1", False, ""),
    }


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="SYT" period="2025" dataSet="BDG_NAM">
<dataValue dataElement="BDG_M1_CQ" value="1"><annotation>&lol4;</annotation></dataValue>
</group></adx>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE adx [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="SYT" period="2025" dataSet="BDG_NAM">
<dataValue dataElement="BDG_M1_CQ" value="1"><annotation>&xxe;</annotation></dataValue>
</group></adx>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE adx SYSTEM "http://evil.example/adx.dtd">
<adx xmlns="urn:ihe:qrph:adx:2015"/>"""


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        EXTERNAL_DTD,
        b"not xml at all",
        b"",
        b'<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0"/>',
        json.dumps({"dataValues": []}).encode(),
    ],
)
def test_hostile_or_unreadable_xml_is_refused_with_a_conflict(client, reporter, annual_open, body):
    response = client.post(URL, body, content_type=adx.MIME, headers=auth(reporter))
    assert response.status_code == 409  # DHIS2's ERROR import summary
    summary = response.json()["response"]
    assert summary["status"] == "ERROR" and len(summary["conflicts"]) == 1
    assert not DataValue.objects.exists()


def test_adx_export_is_scoped_and_import_needs_an_editor(client, coordinator, outsider, leader):
    move_round()
    fill("SYT", coordinator)
    fill("CAT", coordinator)
    mine = ElementTree.fromstring(client.get(URL, headers=auth(outsider)).content)
    assert {g.get("orgUnit") for g in mine.findall("a:group", NS)} == {"CAT"}
    refused = client.post(URL, b"<adx/>", content_type=adx.MIME, headers=auth(leader))
    assert refused.status_code == 403
    assert client.get(URL).status_code == 401


def test_iso_periods():
    assert adx.iso_period("2025") == "2025-01-01/P1Y"
    assert adx.iso_period("2025S1") == "2025-01-01/P6M"
    assert adx.iso_period("2025S2") == "2025-07-01/P6M"
    assert adx.iso_period("2025Q2") == "2025-04-01/P3M"
    assert adx.iso_period("202506") == "2025-06-01/P1M"
