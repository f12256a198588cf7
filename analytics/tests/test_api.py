"""The analytics API: DHIS2's shape, CSV, live values, scoping, suppression."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from indicators.models import CategoryCombo, CategoryOptionCombo, DataElement, ValueType
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
    assert [h["name"] for h in body["headers"]] == ["dx", "pe", "ou", "co", "value"]
    assert body["rows"] == [
        # Below the province a sensitive element publishes its totals only.
        ["T_GBV", ANNUAL, "CAT", "MALE", "x"],
        ["T_GBV", ANNUAL, "CAT", "FEMALE", "x"],
        ["T_GBV", ANNUAL, "CAT", "", "42"],
        ["T_GBV", ANNUAL, "SYT", "MALE", "x"],
        ["T_GBV", ANNUAL, "SYT", "FEMALE", "x"],
        ["T_GBV", ANNUAL, "SYT", "", "15"],
    ]
    meta = body["metaData"]
    assert meta["items"]["T_GBV"]["name"] == "Số vụ bạo lực"
    assert meta["items"]["CAT"]["name"] == "Công an tỉnh"
    assert meta["acceptedOnly"] is False and meta["asOf"]
    assert meta["dimensions"]["pe"] == [ANNUAL]

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
    assert female["rows"] == [["T_GBV", ANNUAL, "51", "x"]]


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


def test_bad_and_unknown_dimensions(client, coordinator, gbv):
    assert get(client, coordinator, "dx:T_GBV", f"pe:{ANNUAL}").status_code == 400
    assert get(client, coordinator, "dx:NOPE", f"pe:{ANNUAL}", "ou:51").status_code == 404
    assert get(client, coordinator, "dx:T_GBV", "pe:NOPE", "ou:51").status_code == 404
    assert get(client, coordinator, "dx:T_GBV", f"pe:{ANNUAL}", "ou:51;LEVEL-x").status_code == 400
    assert client.get(URL, {"dimension": "dx:T_GBV"}).status_code == 401


def test_a_reporter_cannot_ask_for_the_province_or_another_unit(client, reporter, gbv):
    put("CAT", "T_GBV", {"MALE": "9"})
    put("SYT", "T_GBV", {"MALE": "6"})
    for ou in ("ou:51", "ou:CAT"):
        response = get(client, reporter, "dx:T_GBV", f"pe:{ANNUAL}", ou)
        assert response.status_code == 404
        assert "9" not in response.content.decode()
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
