"""DHIS2's identifier schemes on dataValueSets: every exchanged object has a stable UID
(core.uids); imports read identifiers as CODE (the default), UID or NAME (`idScheme`, overridden
by `dataElementIdScheme`, `orgUnitIdScheme`, `categoryOptionComboIdScheme`,
`attributeOptionComboIdScheme`, `dataSetIdScheme`); exports write them in the scheme asked for
and their filters take codes or UIDs. Unknown identifiers are the usual conflicts; a name several
objects share is a conflict naming them."""

import csv
import datetime
import io
import json
import unicodedata

import pytest

from indicators.models import CategoryOptionCombo, DataElement, ValueType
from orgs.models import Unit, UnitKind
from reports.exchange import adx
from reports.models import DataValue, Form
from reports.tests.test_api import ANNUAL, URL, auth, fill, move_round, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def annual():
    move_round()


def uid(model, code: str) -> str:
    return model.objects.get(code=code).uid


def send(client, user, payload, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(
        f"{URL}?{query}", json.dumps(payload), content_type="application/json", headers=auth(user)
    )


def summary_of(response) -> dict:
    return response.json()["response"]


# --- export, then import, in UIDs --------------------------------------------------------------


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_json_export_in_uids_imports_back_with_idscheme_uid(client, coordinator, annual):
    count = fill("SYT", coordinator) + fill("CAT", coordinator, 3)
    before = stored()
    headers = auth(coordinator)
    exported = client.get(URL, {"idScheme": "UID"}, headers=headers).json()
    rows = exported["dataValues"]
    assert len(rows) == count
    elements = set(DataElement.objects.values_list("uid", flat=True))
    units = {uid(Unit, "SYT"), uid(Unit, "CAT")}
    combos = set(CategoryOptionCombo.objects.values_list("uid", flat=True))
    assert {r["dataElement"] for r in rows} <= elements
    assert {r["orgUnit"] for r in rows} == units
    assert {r["categoryOptionCombo"] for r in rows} <= combos
    # DHIS2's default attribute option combo, by DHIS2's own UID.
    assert {r["attributeOptionCombo"] for r in rows} == {"HllvX50cXC0"}

    DataValue.objects.all().delete()
    refused = send(client, coordinator, exported)  # read as codes, the UIDs name nothing
    assert summary_of(refused)["importCount"]["imported"] == 0
    assert {c["errorCode"] for c in summary_of(refused)["conflicts"]} >= {"E7610", "E7612"}
    response = send(client, coordinator, exported, idScheme="uid")  # any case, as DHIS2
    assert response.status_code == 200, response.json()
    summary = summary_of(response)
    assert summary["importCount"]["imported"] == count and summary["conflicts"] == []
    assert summary["importOptions"]["idSchemes"] == {"idScheme": {"type": "UID"}}
    assert stored() == before


@pytest.mark.parametrize("fmt", ["csv", "xml", "adx"])
def test_other_formats_round_trip_in_uids(client, coordinator, annual, fmt):
    fill("SYT", coordinator)
    before = stored()
    headers = auth(coordinator)
    body = client.get(f"{URL}.{fmt}", {"idScheme": "UID"}, headers=headers).content
    text = body.decode()
    assert "SYT" not in text and uid(Unit, "SYT") in text
    if fmt == "adx":  # "no data" cells are not decimals: ADX leaves them out
        before = {v for v in before if not v[5]}
        assert uid(Form, "BDG_NAM") in text
    DataValue.objects.all().delete()
    response = client.post(
        f"{URL}.{fmt}?idScheme=UID", body, content_type="application/octet-stream", headers=headers
    )
    assert response.status_code == 200, response.json()
    assert stored() == before


def test_export_filters_take_uids_and_name_the_set_in_the_output_scheme(
    client, coordinator, annual
):
    fill("SYT", coordinator)
    fill("CAT", coordinator, 2)
    headers = auth(coordinator)
    form, unit = Form.objects.get(code="BDG_NAM"), Unit.objects.get(code="SYT")
    element = DataElement.objects.get(code="BDG_M2_DN")
    by_code = client.get(
        URL, {"dataSet": "BDG_NAM", "period": "2025", "orgUnit": "SYT"}, headers=headers
    ).json()
    assert (by_code["dataSet"], by_code["orgUnit"]) == ("BDG_NAM", "SYT")
    by_uid = client.get(
        URL, {"dataSet": form.uid, "period": "2025", "orgUnit": unit.uid}, headers=headers
    ).json()
    assert by_uid["dataValues"] == by_code["dataValues"]
    named = client.get(
        URL,
        {"dataSet": "BDG_NAM", "period": "2025", "orgUnit": "SYT", "idScheme": "UID"},
        headers=headers,
    ).json()
    assert (named["dataSet"], named["period"], named["orgUnit"]) == (form.uid, "2025", unit.uid)
    # dataElement (repeatable), by code or UID; a specific scheme overrides idScheme.
    rows = client.get(
        URL,
        {"dataElement": [element.uid], "idScheme": "UID", "dataElementIdScheme": "CODE"},
        headers=headers,
    ).json()["dataValues"]
    assert {r["dataElement"] for r in rows} == {"BDG_M2_DN"}
    assert {r["orgUnit"] for r in rows} == {unit.uid, uid(Unit, "CAT")}
    assert client.get(URL, {"dataElement": "BDG_M2_DN"}, headers=headers).json()["dataValues"]
    # NAME: names of elements, units and combos.
    rows = client.get(
        URL, {"dataElement": "BDG_M2_DN", "orgUnit": "SYT", "idScheme": "NAME"}, headers=headers
    ).json()["dataValues"]
    assert {(r["dataElement"], r["orgUnit"], r["categoryOptionCombo"]) for r in rows} == {
        (element.name, unit.name, "Nam"),
        (element.name, unit.name, "Nữ"),
    }
    # Unknown identifiers and schemes are refused, not ignored.
    missing = client.get(URL, {"orgUnit": "aaaaaaaaaaa"}, headers=headers)
    assert missing.status_code == 404 and "aaaaaaaaaaa" in missing.json()["message"]
    assert client.get(URL, {"dataElement": "NOPE"}, headers=headers).status_code == 404
    refused = client.get(URL, {"orgUnitIdScheme": "ATTRIBUTE:x"}, headers=headers)
    assert refused.status_code == 400 and "orgUnitIdScheme" in refused.json()["message"]


def test_csv_export_by_name(client, coordinator, annual):
    fill("SYT", coordinator)
    body = client.get(
        f"{URL}.csv", {"orgUnitIdScheme": "NAME", "orgUnit": "SYT"}, headers=auth(coordinator)
    ).content.decode()
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert {row[2] for row in rows} == {"Sở Y tế"}


# --- import by UID and NAME ------------------------------------------------------------------


def by(element="BDG_M2_DN", unit="SYT", combo="MALE", raw="7", period="2025"):
    return {
        "dataElement": element,
        "period": period,
        "orgUnit": unit,
        "categoryOptionCombo": combo,
        "value": raw,
    }


def test_import_by_name_and_by_mixed_schemes(client, reporter, annual):
    element = DataElement.objects.get(code="BDG_M2_DN")
    payload = {"dataValues": [by(element.name, "Sở Y tế", "Nam", "7")]}
    response = send(client, reporter, payload, idScheme="NAME")
    assert response.status_code == 200, response.json()
    assert summary_of(response)["importCount"]["imported"] == 1
    # The specific schemes override idScheme: the element by UID, the unit by code, the combo
    # by name; all echoed as DHIS2 echoes the schemes given.
    payload = {"dataValues": [by(element.uid, "SYT", "Nữ", "9")]}
    response = send(
        client,
        reporter,
        payload,
        idScheme="NAME",
        dataElementIdScheme="UID",
        orgUnitIdScheme="CODE",
    )
    assert response.status_code == 200, response.json()
    assert summary_of(response)["importOptions"]["idSchemes"] == {
        "idScheme": {"type": "NAME"},
        "dataElementIdScheme": {"type": "UID"},
        "orgUnitIdScheme": {"type": "CODE"},
    }
    values = DataValue.objects.filter(data_element=element, submission__unit__code="SYT")
    assert sorted(values.values_list("option_combo__code", "value")) == [
        ("FEMALE", "9"),
        ("MALE", "7"),
    ]
    # The attribute option combo and the data set in their own schemes.
    form = Form.objects.get(code="BDG_NAM")
    payload = {
        "dataSet": form.uid,
        "dataValues": [{**by(raw="8"), "attributeOptionCombo": "HllvX50cXC0"}],
    }
    response = send(client, reporter, payload, dataSetIdScheme="UID")
    assert summary_of(response)["conflicts"][0]["errorCode"] == "E7615"  # default read as a code
    response = send(
        client, reporter, payload, dataSetIdScheme="UID", attributeOptionComboIdScheme="UID"
    )
    assert response.status_code == 200, response.json()
    assert values.get(option_combo__code="MALE").value == "8"


def test_unknown_uids_are_the_usual_conflicts(client, reporter, annual):
    element, unit = uid(DataElement, "BDG_M2_DN"), uid(Unit, "SYT")
    male = uid(CategoryOptionCombo, "MALE")
    payload = {
        "dataValues": [
            by(element="aaaaaaaaaaa", unit=unit, combo=male),
            by(element=element, unit="bbbbbbbbbbb", combo=male),
            by(element=element, unit=unit, combo="MALE"),
            by(element="BDG_M2_DN", unit=unit, combo=male),
            by(element=element, unit=uid(Unit, "CAT"), combo=male),
        ]
    }
    response = send(client, reporter, payload, idScheme="UID")
    assert response.status_code == 409
    conflicts = summary_of(response)["conflicts"]
    found = [(c["indexes"], c["errorCode"], c["object"]) for c in conflicts]
    assert found == [
        ([0], "E7610", "aaaaaaaaaaa"),
        ([1], "E7612", "bbbbbbbbbbb"),
        ([2], "E7613", "MALE"),  # a code where a UID is expected names nothing
        ([3], "E7610", "BDG_M2_DN"),
        ([4], "E7612", uid(Unit, "CAT")),  # another unit's UID reads as an unknown one
    ]
    assert "không có chỉ tiêu UID “aaaaaaaaaaa”" in conflicts[0]["value"]
    assert "không có đơn vị UID “bbbbbbbbbbb”" in conflicts[1]["value"]
    assert conflicts[0]["objects"] == {"dataElement": "aaaaaaaaaaa"}
    assert not DataValue.objects.exists()


def test_a_name_several_objects_share_is_a_conflict_naming_them(
    client, reporter, coordinator, annual
):
    element = DataElement.objects.get(code="BDG_M2_DN")
    DataElement.objects.create(
        code="T_SAME_NAME",
        name=element.name,
        value_type=ValueType.INTEGER,
        category_combo=element.category_combo,
    )
    Unit.objects.create(code="T_SYT_2", name="Sở Y tế", kind=UnitKind.AGENCY)
    payload = {
        "dataValues": [
            by(element=element.name, unit="SYT", combo="MALE"),
            by(element="BDG_M2_DN", unit="Sở Y tế", combo="MALE"),
        ]
    }
    response = send(client, reporter, payload, dataElementIdScheme="NAME", orgUnitIdScheme="NAME")
    conflicts = summary_of(response)["conflicts"]
    # T_SYT_2 lies outside the reporter's scope: by name the reporter's "Sở Y tế" is SYT alone.
    assert [(c["indexes"], c["errorCode"]) for c in conflicts] == [
        ([0], "E7610"),
        ([0], "E7612"),  # "SYT" is no unit's name
        ([1], "E7610"),  # "BDG_M2_DN" is no element's name
    ]
    assert "ứng với nhiều chỉ tiêu (mã BDG_M2_DN, T_SAME_NAME)" in conflicts[0]["value"]
    assert "T_SYT_2" not in json.dumps(conflicts, ensure_ascii=False)
    # For a province-wide coordinator, who sees both, the name is ambiguous.
    response = send(client, coordinator, payload, orgUnitIdScheme="NAME")
    (conflict,) = [c for c in summary_of(response)["conflicts"] if c["indexes"] == [1]]
    assert "ứng với nhiều đơn vị (mã SYT, T_SYT_2)" in conflict["value"]
    # By code the same values import; by name, an unshared name does.
    payload = {"dataValues": [by(element=element.name, unit="SYT", combo="Nam")]}
    DataElement.objects.filter(code="T_SAME_NAME").update(name="Tên khác")
    response = send(
        client, reporter, payload, dataElementIdScheme="NAME", categoryOptionComboIdScheme="NAME"
    )
    assert response.status_code == 200, response.json()


def test_names_match_in_decomposed_unicode_and_only_among_units_in_force_and_in_scope(
    client, reporter, annual
):
    element = DataElement.objects.get(code="BDG_M2_DN")
    nfd = unicodedata.normalize("NFD", element.name)
    assert nfd != element.name
    closed = Unit.objects.create(
        code="T_OLD_SYT", name="Sở Y tế", kind=UnitKind.AGENCY, valid_to=datetime.date(2020, 1, 1)
    )
    closed.parent = Unit.objects.get(code="SYT")  # in the reporter's scope, but closed
    closed.save()
    payload = {"dataValues": [by(element=nfd, unit=unicodedata.normalize("NFD", "Sở Y tế"))]}
    response = send(client, reporter, payload, dataElementIdScheme="NAME", orgUnitIdScheme="NAME")
    assert response.status_code == 200, response.json()
    # Another unit's name reads as a name nobody has: no code, no "not yours".
    outside = send(
        client, reporter, {"dataValues": [by(unit="Công an tỉnh")]}, orgUnitIdScheme="NAME"
    )
    nobody = send(
        client, reporter, {"dataValues": [by(unit="Không có đơn vị")]}, orgUnitIdScheme="NAME"
    )
    (seen,) = summary_of(outside)["conflicts"]
    (unknown,) = summary_of(nobody)["conflicts"]
    assert seen["errorCode"] == unknown["errorCode"] == "E7612"
    assert "CAT" not in seen["value"]


def test_a_data_set_name_several_forms_share_is_a_conflict(client, reporter, annual):
    form = Form.objects.get(code="BDG_NAM")
    Form.objects.filter(code="BDG_6T").update(name=form.name)
    payload = {"dataSet": form.name, "dataValues": [by()]}
    response = send(client, reporter, payload, dataSetIdScheme="NAME")
    (conflict,) = summary_of(response)["conflicts"]
    assert conflict["errorCode"] == "E7600" and conflict["property"] == "dataSet"
    assert "ứng với nhiều biểu mẫu (mã BDG_6T, BDG_NAM)" in conflict["value"]
    # A form's UID names its version; a version of another form is a conflict on the round.
    other = Form.objects.get(code="BDG_6T")
    payload = {"dataSet": other.uid, "dataValues": [by(period=ANNUAL)]}
    response = send(client, reporter, payload, dataSetIdScheme="UID")
    assert summary_of(response)["conflicts"][0]["errorCode"] == "E7611"
    assert not DataValue.objects.exists()


def test_adx_exploded_categories_whatever_the_combo_scheme(client, reporter, annual):
    form = Form.objects.get(code="BDG_NAM")
    element = DataElement.objects.get(code="BDG_M2_DN")
    male = uid(CategoryOptionCombo, "MALE")
    body = (
        f'<adx xmlns="{adx.NS}"><group orgUnit="{uid(Unit, "SYT")}" period="2025-01-01/P1Y" '
        f'dataSet="{form.uid}"><dataValue dataElement="{element.uid}" SEX="FEMALE" value="6"/>'
        f'<dataValue dataElement="{element.uid}" categoryOptionCombo="{male}" value="4"/>'
        "</group></adx>"
    )
    response = client.post(
        f"{URL}?idScheme=UID", body, content_type=adx.MIME, headers=auth(reporter)
    )
    assert response.status_code == 200, response.json()
    values = DataValue.objects.filter(data_element=element)
    assert sorted(values.values_list("option_combo__code", "value")) == [
        ("FEMALE", "6"),
        ("MALE", "4"),
    ]


def test_schemes_on_the_set_win_over_the_query_as_in_dhis2(client, reporter, annual):
    element = DataElement.objects.get(code="BDG_M2_DN")
    payload = {
        "idScheme": "uid",
        "orgUnitIdScheme": "CODE",
        "dataValues": [by(element.uid, "SYT", uid(CategoryOptionCombo, "MALE"), "3")],
    }
    response = send(client, reporter, payload, idScheme="NAME")
    assert response.status_code == 200, response.json()
    assert summary_of(response)["importOptions"]["idSchemes"] == {
        "idScheme": {"type": "UID"},
        "orgUnitIdScheme": {"type": "CODE"},
    }
    xml = (
        '<dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataElementIdScheme="NAME" '
        f'orgUnitIdScheme="UID" orgUnit="{uid(Unit, "SYT")}" period="2025">'
        f'<dataValue dataElement="{element.name}" categoryOptionCombo="FEMALE" value="4"/>'
        "</dataValueSet>"
    )
    response = client.post(URL, xml, content_type="application/xml", headers=auth(reporter))
    assert response.status_code == 200, response.json()
    values = DataValue.objects.filter(data_element=element)
    assert sorted(values.values_list("option_combo__code", "value")) == [
        ("FEMALE", "4"),
        ("MALE", "3"),
    ]
    refused = send(client, reporter, {**payload, "idScheme": "ATTRIBUTE:x"})
    assert refused.status_code == 409 and summary_of(refused)["status"] == "ERROR"
