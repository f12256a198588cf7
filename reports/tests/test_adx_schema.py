"""ADX per the profile: the export validates against the ADX schema (lxml), booleans as 1/0,
`categoryOptionCombo` attributes and `attributeOptionCombo="default"` on import."""

import datetime
from pathlib import Path

import pytest
from lxml import etree

from indicators.models import DEFAULT, DataElement, ValueType
from reports.exchange import adx
from reports.models import DataValue, Round
from reports.tests.test_api import ANNUAL, auth, fill, move_round, stored

pytestmark = pytest.mark.django_db
URL = "/api/v1/dataValueSets"
SCHEMA = Path(__file__).parent / "data" / "adx" / "adx_loose.xsd"
NS = {"a": adx.NS}


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def test_the_adx_export_is_valid_against_the_adx_schema(client, coordinator):
    move_round()
    for n, code in enumerate(["SYT", "CAT", "21025"]):
        fill(code, coordinator, n)
    body = client.get(URL, headers=auth(coordinator) | {"Accept": adx.MIME}).content
    document = etree.fromstring(body)
    validator = schema()
    assert validator.validate(document), validator.error_log
    values = document.findall("a:group/a:dataValue", NS)
    assert values and all(v.get("value") not in ("true", "false", "") for v in values)
    booleans = set(
        DataElement.objects.filter(value_type=ValueType.BOOLEAN).values_list("code", flat=True)
    )
    exported = [v for v in values if v.get("dataElement") in booleans]
    assert exported and {v.get("value") for v in exported} <= {"1", "0"}


def test_the_schema_refuses_what_the_export_used_to_write():
    """The test's schema has teeth: `true` and an empty value are not decimals, a start/end
    window is not an ISO period."""
    validator = schema()
    bad = [
        '<group orgUnit="SYT" period="2025-01-01/P1Y"><dataValue dataElement="X" value="true"/>',
        '<group orgUnit="SYT" period="2025-01-01/P1Y"><dataValue dataElement="X" value=""/>',
        '<group orgUnit="SYT" period="2025-01-01/2025-06-30">'
        '<dataValue dataElement="X" value="1"/>',
    ]
    for group in bad:
        body = f'<adx xmlns="{adx.NS}" exported="2025-01-01T00:00:00Z">{group}</group></adx>'
        assert not validator.validate(etree.fromstring(body.encode())), group
    good = bad[0].replace('value="true"', 'value="1"')
    body = f'<adx xmlns="{adx.NS}" exported="2025-01-01T00:00:00Z">{good}</group></adx>'
    assert validator.validate(etree.fromstring(body.encode()))


def test_a_window_that_is_no_dhis2_period_is_an_iso_interval():
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)
    assert adx.iso_period("BDG-X", start, end) == "2025-01-01/P181D"


def disaggregated():
    """An element of the annual form with a non-default combo, and one of its option combos:
    (element code, option combo code, {category code: option code})."""
    form = Round.objects.get(code=ANNUAL).form
    for row in form.rows().select_related("data_element__category_combo"):
        element = row.data_element
        if element.category_combo.code != DEFAULT and not element.sensitive:
            combo = element.category_combo.option_combos.prefetch_related("options__category")[0]
            options = {o.category.code: o.code for o in combo.options.all()}
            return element.code, combo.code, options
    raise AssertionError("no disaggregated element in the annual form")


def group(body: str, extra: str = "") -> bytes:
    return (
        f'<adx xmlns="{adx.NS}" exported="2025-12-01T00:00:00Z">'
        f'<group orgUnit="SYT" period="2025-01-01/P1Y" dataSet="BDG_NAM"{extra}>{body}</group>'
        "</adx>"
    ).encode()


def test_an_adx_file_with_category_option_combo_attributes_imports(client, reporter):
    move_round()
    element, combo, options = disaggregated()
    exploded = " ".join(f'{k}="{v}"' for k, v in options.items())
    body = group(
        f'<dataValue dataElement="{element}" categoryOptionCombo="{combo}" value="7"/>'
        '<dataValue dataElement="BDG_M1_CQ" categoryOptionCombo="default" value="12"/>'
    )
    response = client.post(URL, body, content_type=adx.MIME, headers=auth(reporter))
    assert response.status_code == 200, response.json()
    assert stored() == {
        (ANNUAL, "SYT", element, combo, "7", False, ""),
        (ANNUAL, "SYT", "BDG_M1_CQ", "default", "12", False, ""),
    }
    # categoryOptionCombo is used in preference to exploded categories, as DHIS2 does.
    body = group(
        f'<dataValue dataElement="{element}" categoryOptionCombo="{combo}" {exploded} value="8"/>'
    )
    response = client.post(URL, body, content_type=adx.MIME, headers=auth(reporter))
    assert response.status_code == 200, response.json()
    assert (ANNUAL, "SYT", element, combo, "8", False, "") in stored()


def test_attribute_option_combo_default_is_accepted_and_others_named(client, reporter):
    move_round()
    value = '<dataValue dataElement="BDG_M1_CQ" value="12"/>'
    headers = auth(reporter)
    ok = client.post(
        URL, group(value, ' attributeOptionCombo="default"'), content_type=adx.MIME, headers=headers
    )
    assert ok.status_code == 200, ok.json()
    assert stored() == {(ANNUAL, "SYT", "BDG_M1_CQ", "default", "12", False, "")}

    other = client.post(
        URL, group(value, ' attributeOptionCombo="DONOR_X"'), content_type=adx.MIME, headers=headers
    )
    (conflict,) = other.json()["response"]["conflicts"]
    assert conflict["errorCode"] == "E7615" and conflict["object"] == "DONOR_X"

    exploded = client.post(
        URL, group(value, ' FUNDING="DONOR_X"'), content_type=adx.MIME, headers=headers
    )
    (conflict,) = exploded.json()["response"]["conflicts"]
    assert "FUNDING=DONOR_X" in conflict["value"] and "attributeOptionCombo" in conflict["value"]


def test_adx_booleans_import_from_1_and_0(client, reporter):
    move_round()
    form = Round.objects.get(code=ANNUAL).form
    row = form.rows().filter(data_element__value_type=ValueType.BOOLEAN).first()
    assert row is not None
    body = group(f'<dataValue dataElement="{row.data_element.code}" value="1"/>')
    response = client.post(URL, body, content_type=adx.MIME, headers=auth(reporter))
    assert response.status_code == 200, response.json()
    assert DataValue.objects.get().value == "true"
