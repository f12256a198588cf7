"""The analytics API: DHIS2's shape, CSV, live values, scoping, suppression."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from indicators.models import (
    CategoryCombo,
    CategoryOptionCombo,
    ComputedIndicator,
    DataElement,
    ValueType,
)
from orgs.models import Unit
from reports.models import DataValue, Round, Status, Submission
from reports.services import submissions as services

pytestmark = pytest.mark.django_db
URL = "/api/v1/analytics"
ANNUAL = "BDG-2025"


def auth(user) -> dict:
    _, key = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def put(unit_code, code, values, status=Status.DRAFT):
    round_ = Round.objects.get(code=ANNUAL)
    submission, _ = Submission.objects.get_or_create(
        round=round_, unit=Unit.objects.get(code=unit_code), defaults={"due_on": round_.due_on}
    )
    Submission.objects.filter(pk=submission.pk).update(status=status)
    for combo, text in values.items():
        DataValue.objects.update_or_create(
            submission=submission,
            data_element=DataElement.objects.get(code=code),
            option_combo=CategoryOptionCombo.objects.get(code=combo),
            defaults={"value": text},
        )


@pytest.fixture
def gbv(db):
    return DataElement.objects.create(
        code="T_GBV",
        name="Số vụ bạo lực",
        value_type=ValueType.INTEGER,
        category_combo=CategoryCombo.objects.get(code="SEX"),
        sensitive=True,
    )


def get(client, user, *dimensions, **params):
    query = {"dimension": list(dimensions), **params}
    return client.get(URL, query, **auth(user))


def test_dhis2_shape_with_combo_column_and_metadata(client, coordinator, gbv):
    put("CAT", "T_GBV", {"MALE": "2", "FEMALE": "40"}, status=Status.ACCEPTED)
    put("SYT", "T_GBV", {"MALE": "7", "FEMALE": "8"})
    response = get(client, coordinator, "dx:T_GBV", f"pe:{ANNUAL}", "ou:51;LEVEL-2", "co")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["headers", "metaData", "rows", "height", "width", "headerWidth"]
    assert body["headers"][0] == {
        "name": "dx",
        "column": "Data",
        "valueType": "TEXT",
        "type": "java.lang.String",
        "hidden": False,
        "meta": True,
    }
    assert body["headers"][-1] == {
        "name": "value",
        "column": "Value",
        "valueType": "NUMBER",
        "type": "java.lang.Double",
        "hidden": False,
        "meta": False,
    }
    assert [h["name"] for h in body["headers"]] == ["dx", "pe", "ou", "co", "value"]
    # Below the province a sensitive element publishes its totals only; with `co` DHIS2 gives
    # the combos' rows and no total row (a client summing them would count twice).
    assert body["rows"] == [
        ["T_GBV", ANNUAL, "CAT", "MALE", "x"],
        ["T_GBV", ANNUAL, "CAT", "FEMALE", "x"],
        ["T_GBV", ANNUAL, "SYT", "MALE", "x"],
        ["T_GBV", ANNUAL, "SYT", "FEMALE", "x"],
    ]
    assert (body["height"], body["width"], body["headerWidth"]) == (4, 5, 5)
    meta = body["metaData"]
    assert meta["items"]["T_GBV"]["name"] == "Số vụ bạo lực"
    assert meta["items"]["CAT"]["name"] == "Công an tỉnh"
    assert meta["items"][ANNUAL]["period"] == "2025" and meta["items"]["MALE"]["name"]
    assert meta["items"]["ou"] == {"name": "Organisation unit"}
    assert meta["acceptedOnly"] is False and meta["asOf"]
    dimensions = meta["dimensions"]
    assert (dimensions["dx"], dimensions["pe"]) == (["T_GBV"], [ANNUAL])
    assert dimensions["co"] == ["FEMALE", "MALE"]
    # Every level-2 unit of the breakdown, the old district of Lý Sơn not among them (it is
    # counted into Đặc khu Lý Sơn: analytics/tests/test_breakdown.py).
    assert {"CAT", "SYT", "21548"} <= set(dimensions["ou"]) and "536" not in dimensions["ou"]
    assert all(code in meta["items"] for code in dimensions["ou"])

    accepted = get(
        client, coordinator, "dx:T_GBV", f"pe:{ANNUAL}", "ou:51", acceptedOnly="true"
    ).json()
    # Sensitive figures are published over every saved value whatever acceptedOnly says, so the
    # two answers cannot be subtracted.
    assert accepted["rows"] == [["T_GBV", ANNUAL, "51", "57"]]
    assert accepted["metaData"]["acceptedOnly"] is True

    female = get(client, coordinator, "dx:T_GBV", "pe:2025", "ou:51", filter="co:FEMALE").json()
    # Province Nam is 9: Sở Y tế's staff (7) would learn the other units' 2, so Nam is hidden,
    # and Nữ with it (57 − 48 would give Nam back).
    assert female["rows"] == [["T_GBV", "2025", "51", "x"]]


def test_csv(client, coordinator, gbv):
    put("SYT", "T_GBV", {"MALE": "7"})
    response = get(client, coordinator, "dx:T_GBV", f"pe:{ANNUAL}", "ou:SYT", format="csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["dx", "pe", "ou", "value"], ["T_GBV", ANNUAL, "SYT", "7"]]


def test_the_dhis2_csv_path_answers_the_same_csv(client, coordinator, gbv):
    put("SYT", "T_GBV", {"MALE": "7"})
    query = {"dimension": ["dx:T_GBV", f"pe:{ANNUAL}", "ou:SYT"]}
    by_path = client.get("/api/v1/analytics.csv", query, **auth(coordinator))
    by_format = client.get("/api/v1/analytics", {**query, "format": "csv"}, **auth(coordinator))
    assert by_path["Content-Type"].startswith("text/csv")
    assert by_path.content == by_format.content
    assert client.get("/api/v1/analytics.csv", query).status_code == 401


def conflict(response) -> str:
    """The DHIS2 error code of a 409 answer (DHIS2's WebMessage shape checked)."""
    assert response.status_code == 409
    body = response.json()
    assert set(body) == {"httpStatus", "httpStatusCode", "status", "message", "errorCode"}
    assert (body["httpStatus"], body["httpStatusCode"], body["status"]) == (
        "Conflict",
        409,
        "ERROR",
    )
    return body["errorCode"]


def test_bad_and_unknown_dimensions(client, coordinator, gbv):
    pe = f"pe:{ANNUAL}"
    assert conflict(get(client, coordinator)) == "E7101"
    assert conflict(get(client, coordinator, pe, "ou:51")) == "E7102"
    assert conflict(get(client, coordinator, "dx:T_GBV", "ou:51")) == "E7104"
    assert conflict(get(client, coordinator, "dx:T_GBV", pe)) == "E7124"
    assert conflict(get(client, coordinator, "dx:NOPE", pe, "ou:51")) == "E7124"
    assert conflict(get(client, coordinator, "dx:T_GBV", "pe:NOPE", "ou:51")) == "E7124"
    assert conflict(get(client, coordinator, "dx:T_GBV", pe, "ou:51;LEVEL-x")) == "E7124"
    assert conflict(get(client, coordinator, "dx:T_GBV", pe, "ou:51", "ao")) == "E7125"
    assert conflict(get(client, coordinator, "dx:T_GBV", pe, pe, "ou:51")) == "E7111"
    assert conflict(get(client, coordinator, "dx:T_GBV", pe, "ou:51", filter=pe)) == "E7103"
    assert conflict(get(client, coordinator, "dx:T_GBV", pe, "ou:OU_GROUP-x")) == "E7133"
    assert client.get(URL, {"dimension": "dx:T_GBV"}).status_code == 401


def test_a_reporter_cannot_ask_for_the_province_or_another_unit(client, reporter, gbv):
    put("CAT", "T_GBV", {"MALE": "9"})
    put("SYT", "T_GBV", {"MALE": "6"})
    for ou in ("ou:51", "ou:CAT", "ou:LEVEL-2-51"):
        response = get(client, reporter, "dx:T_GBV", f"pe:{ANNUAL}", ou)
        assert conflict(response) == "E7124"  # as for a code that does not exist
        assert '"9"' not in response.content.decode()
    own = get(client, reporter, "dx:T_GBV", f"pe:{ANNUAL}", "ou:SYT").json()
    assert own["rows"] == [["T_GBV", ANNUAL, "SYT", "6"]]


def test_a_value_saved_appears_on_the_very_next_request(client, reporter):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    Round.objects.filter(code=ANNUAL).update(
        opens_on=today - 60 * day, due_on=today + 10 * day, lock_on=today + 30 * day
    )
    submission = Submission.objects.select_related("round__form").get(
        round__code=ANNUAL, unit__code="SYT"
    )
    row = next(
        r
        for r in submission.round.form.rows()
        if r.data_element.value_type == ValueType.INTEGER and not r.part_of_id
    )
    combo = row.data_element.category_combo.option_combos.first()
    code = row.data_element.code
    before = get(client, reporter, f"dx:{code}", f"pe:{ANNUAL}", "ou:SYT").json()
    assert before["rows"] == []
    services.save_values(
        submission=submission,
        cells=[services.CellInput(row=row, option_combo=combo, raw="123")],
        actor=reporter,
    )
    after = get(client, reporter, f"dx:{code}", f"pe:{ANNUAL}", "ou:SYT").json()
    assert after["rows"] == [[code, ANNUAL, "SYT", "123"]]
    stored = DataValue.objects.get(submission=submission, data_element=row.data_element)
    assert after["metaData"]["asOf"] == stored.updated_at.isoformat()


# --- DHIS2's parameters, each honoured or refused (issue 13) -------------------------------------


def rows(client, user, *dimensions, **params) -> list:
    response = get(client, user, *dimensions, **params)
    assert response.status_code == 200, response.content
    return response.json()["rows"]


@pytest.fixture
def labour(db):
    """A summable, non-sensitive element with values in two units."""
    element = DataElement.objects.create(
        code="T_LD",
        name="Số lao động",
        short_name="Lao động",
        value_type=ValueType.INTEGER,
        category_combo=CategoryCombo.objects.get(code="SEX"),
    )
    put("CAT", "T_LD", {"MALE": "30", "FEMALE": "12"})
    put("SYT", "T_LD", {"MALE": "5", "FEMALE": "8"})
    return element


def test_relative_periods(client, coordinator, labour, monkeypatch):
    dx, ou = "dx:T_LD", "ou:51"
    expected = [["T_LD", "2025", "51", "55"]]
    assert rows(client, coordinator, dx, "pe:THIS_YEAR", ou, relativePeriodDate="2025-08-01") == (
        expected
    )
    assert rows(client, coordinator, dx, "pe:LAST_YEAR", ou, relativePeriodDate="2026-03-01") == (
        expected
    )
    body = get(client, coordinator, dx, "pe:LAST_5_YEARS", ou, relativePeriodDate="2026-01-01")
    assert body.json()["rows"] == expected  # 2021–2024 have no round
    assert body.json()["metaData"]["items"]["LAST_5_YEARS"]["name"] == "Last 5 years"
    assert body.json()["metaData"]["dimensions"]["pe"] == ["2025"]
    half = rows(client, coordinator, dx, "pe:LAST_SIX_MONTH", ou, relativePeriodDate="2025-08-01")
    assert half == []  # 2025S1 has a round but no value of T_LD
    this_half = get(
        client, coordinator, dx, "pe:THIS_SIX_MONTH", ou, relativePeriodDate="2025-03-01"
    )
    assert this_half.json()["metaData"]["dimensions"]["pe"] == ["2025S1"]
    both = get(client, coordinator, dx, "pe:LAST_2_SIXMONTHS", ou, relativePeriodDate="2026-03-01")
    assert both.json()["metaData"]["dimensions"]["pe"] == ["2025S1"]  # 2025S2 has no round
    assert both.json()["metaData"]["items"]["LAST_2_SIXMONTHS"]["name"] == "Last 2 six-months"
    assert half == rows(client, coordinator, dx, "pe:2025S1", ou)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: datetime.date(2025, 12, 31))
    assert rows(client, coordinator, dx, "pe:THIS_YEAR", ou) == expected
    bad = get(client, coordinator, dx, "pe:THIS_YEAR", ou, relativePeriodDate="soon")
    assert conflict(bad) == "E7133"


def test_user_org_units_and_levels(client, coordinator, reporter, labour):
    dx, pe = "dx:T_LD", f"pe:{ANNUAL}"
    assert rows(client, coordinator, dx, pe, "ou:USER_ORGUNIT") == [["T_LD", ANNUAL, "51", "55"]]
    assert rows(client, reporter, dx, pe, "ou:USER_ORGUNIT") == [["T_LD", ANNUAL, "SYT", "13"]]
    children = rows(client, coordinator, dx, pe, "ou:USER_ORGUNIT_CHILDREN")
    assert children == [["T_LD", ANNUAL, "CAT", "42"], ["T_LD", ANNUAL, "SYT", "13"]]
    assert rows(client, coordinator, dx, pe, "ou:LEVEL-2-51") == children
    assert rows(client, coordinator, dx, pe, "ou:51;LEVEL-2") == children
    assert rows(client, coordinator, dx, pe, "ou:USER_ORGUNIT_GRANDCHILDREN") == []
    mixed = get(client, coordinator, dx, pe, "ou:USER_ORGUNIT_CHILDREN;CAT")
    assert conflict(mixed) == "E7133"


def test_filters_leave_their_column_out(client, coordinator, labour, gbv):
    put("CAT", "T_GBV", {"MALE": "2", "FEMALE": "40"})
    put("SYT", "T_GBV", {"MALE": "7", "FEMALE": "8"})
    response = client.get(
        URL, {"dimension": ["dx:T_LD;T_GBV"], "filter": ["pe:2025", "ou:51"]}, **auth(coordinator)
    )
    body = response.json()
    assert [h["name"] for h in body["headers"]] == ["dx", "value"]
    # The sensitive figure is the one `dimension=ou:51` publishes.
    published = rows(client, coordinator, "dx:T_GBV", "pe:2025", "ou:51")[0][-1]
    assert body["rows"] == [["T_LD", "55"], ["T_GBV", published]]
    assert body["metaData"]["dimensions"]["ou"] == ["51"]
    several = client.get(
        URL, {"dimension": ["dx:T_LD", "ou:51"], "filter": ["pe:2025;2025S1"]}, **auth(coordinator)
    )
    assert conflict(several) == "E7133"
    level = client.get(
        URL, {"dimension": ["dx:T_LD", "pe:2025"], "filter": ["ou:51;LEVEL-2"]}, **auth(coordinator)
    )
    assert conflict(level) == "E7133"


def test_skip_meta_display_property_and_output_id_scheme(client, coordinator, labour):
    args = (client, coordinator, "dx:T_LD", f"pe:{ANNUAL}", "ou:CAT")
    assert "metaData" not in get(*args, skipMeta="true").json()
    assert get(*args, skipMeta="false").json()["metaData"]
    items = get(*args, displayProperty="SHORTNAME").json()["metaData"]["items"]
    assert items["T_LD"]["name"] == "Lao động"
    assert get(*args, displayProperty="NAME").json()["metaData"]["items"]["T_LD"]["name"] == (
        "Số lao động"
    )
    assert conflict(get(*args, displayProperty="FORMNAME")) == "E7133"
    named = get(*args, outputIdScheme="NAME").json()
    round_name = Round.objects.get(code=ANNUAL).name
    assert named["rows"] == [["Số lao động", round_name, "Công an tỉnh", "42"]]
    assert named["metaData"]["dimensions"]["dx"] == ["Số lao động"]
    assert "Công an tỉnh" in named["metaData"]["items"]
    assert get(*args, outputIdScheme="CODE").json()["rows"] == [["T_LD", ANNUAL, "CAT", "42"]]
    for scheme in ("UUID", "ID", "ATTRIBUTE:abc"):
        assert conflict(get(*args, outputIdScheme=scheme)) == "E7133"


def test_the_json_path_and_unsupported_parameters(client, coordinator, labour):
    query = {"dimension": ["dx:T_LD", f"pe:{ANNUAL}", "ou:CAT"]}
    by_path = client.get("/api/v1/analytics.json", query, **auth(coordinator))
    assert by_path.json()["rows"] == client.get(URL, query, **auth(coordinator)).json()["rows"]
    assert client.get(URL, {**query, "skipData": "false"}, **auth(coordinator)).status_code == 200
    for name, value in (("skipData", "true"), ("aggregationType", "SUM"), ("startDate", "x")):
        refused = client.get(URL, {**query, name: value}, **auth(coordinator))
        assert conflict(refused) == "E7133" and name in refused.json()["message"]
    indicator = ComputedIndicator.objects.create(
        code="T_RATE",
        name="Tỷ lệ",
        numerator=[{"element": "T_LD"}],
        denominator=[{"element": "T_LD"}],
        factor=100,
    )
    with_co = get(client, coordinator, f"dx:{indicator.code}", f"pe:{ANNUAL}", "ou:CAT", "co")
    assert conflict(with_co) == "E7114"


def test_parameters_analytics_does_not_read_are_refused(client, coordinator, gbv):
    for name, raw in (
        ("completedOnly", "true"),
        ("outputDataItemIdScheme", "UID"),
        ("paging", "true"),
    ):
        response = get(client, coordinator, "dx:BDG_M1_CQ", "pe:2025", "ou:SYT", **{name: raw})
        assert conflict(response) == "E7133" and name in response.json()["message"]
