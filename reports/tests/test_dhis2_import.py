"""POST /dataValueSets replayed the way DHIS2's documentation writes it (Web API, "Data values":
the data value set JSON and CSV examples, identifiers mapped to binhdang's codes), with the answer
compared field by field to DHIS2's: the WebMessage (dhis2-core WebMessageUtils.importSummary) and
its ImportSummary; the partial import and atomicMode=ALL; each import option honoured or refused.
"""

import json

import pytest

from reports.exchange import importer
from reports.models import DataValue, Round
from reports.services import submissions
from reports.tests.test_api import ANNUAL, URL, auth, move_round, stored, submission

pytestmark = pytest.mark.django_db

WEB_MESSAGE = ["httpStatus", "httpStatusCode", "status", "message", "response"]
IMPORT_SUMMARY = [
    "responseType",
    "status",
    "importOptions",
    "description",
    "importCount",
    "conflicts",
    "rejectedIndexes",
    "dataSetComplete",
]
IMPORT_OPTIONS = {  # the importOptions fields DHIS2 2.39+ returns
    "idSchemes",
    "dryRun",
    "async",
    "importStrategy",
    "mergeMode",
    "reportMode",
    "skipExistingCheck",
    "sharing",
    "skipNotifications",
    "skipAudit",
    "datasetAllowsPeriods",
    "strictPeriods",
    "strictDataElements",
    "strictCategoryOptionCombos",
    "strictAttributeOptionCombos",
    "strictOrganisationUnits",
    "requireCategoryOptionCombo",
    "requireAttributeOptionCombo",
    "skipPatternValidation",
    "ignoreEmptyCollection",
    "force",
    "firstRowIsHeader",
    "skipLastUpdated",
    "mergeDataValues",
    "skipCache",
}
CONFLICT = ["object", "objects", "value", "errorCode", "property", "indexes"]


@pytest.fixture
def annual():
    move_round()
    return Round.objects.get(code=ANNUAL)


def send(client, user, payload, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    body = payload if isinstance(payload, str) else json.dumps(payload)
    kind = "text/csv" if isinstance(payload, str) else "application/json"
    return client.post(f"{URL}?{query}", body, content_type=kind, headers=auth(user))


def check_shape(answer: dict) -> dict:
    """The WebMessage and ImportSummary fields, in DHIS2's order; the summary."""
    assert list(answer) == WEB_MESSAGE
    summary = answer["response"]
    assert list(summary) == IMPORT_SUMMARY
    assert summary["responseType"] == "ImportSummary" and summary["dataSetComplete"] == "false"
    assert IMPORT_OPTIONS <= set(summary["importOptions"])
    assert list(summary["importCount"]) == ["imported", "updated", "ignored", "deleted"]
    for conflict in summary["conflicts"]:
        assert list(conflict) == CONFLICT
    return summary


# DHIS2 docs, "Sending bulks of data values" (JSON), with binhdang's codes and ISO period.
BULK = {
    "dataValues": [
        {"dataElement": "BDG_M1_CQ", "period": "2025", "orgUnit": "SYT", "value": "12"},
        {"dataElement": "BDG_M1_CQ_LDNU", "period": "2025", "orgUnit": "SYT", "value": "4"},
    ]
}


def test_documented_bulk_json_answers_as_dhis2(client, reporter, annual):
    response = send(client, reporter, BULK)
    assert response.status_code == 200
    answer = response.json()
    summary = check_shape(answer)
    assert answer["httpStatus"] == "OK" and answer["httpStatusCode"] == 200
    assert answer["status"] == "OK" and answer["message"] == "Import was successful."
    assert summary["status"] == "SUCCESS"
    assert summary["description"] == "Import process completed successfully"
    assert summary["importCount"] == {"imported": 2, "updated": 0, "ignored": 0, "deleted": 0}
    assert summary["conflicts"] == [] and summary["rejectedIndexes"] == []
    again = send(client, reporter, BULK).json()["response"]["importCount"]
    assert again == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}


def test_documented_data_set_example_imports_and_a_reporter_cannot_complete(
    client, reporter, annual
):
    # DHIS2 docs, "Sending data values": the set carries dataSet, completeDate, period, orgUnit.
    payload = {
        "dataSet": "BDG_NAM",
        "completeDate": "2026-02-03",
        "period": "2025",
        "orgUnit": "SYT",
        "dataValues": [
            {"dataElement": "BDG_M1_CQ", "value": "1"},
            {"dataElement": "BDG_M1_CQ_LDNU", "value": "1"},
        ],
    }
    response = send(client, reporter, payload)
    assert response.status_code == 409
    summary = check_shape(response.json())
    assert summary["status"] == "WARNING" and summary["importCount"]["imported"] == 2
    (conflict,) = summary["conflicts"]
    assert conflict["object"] == "completeDate" and conflict["indexes"] == []
    assert "chưa được nộp" in conflict["value"]  # a reporter may not submit
    assert submission("SYT").status == "draft"


def test_documented_csv_example_first_row_is_a_header_and_lastupdated_is_informational(
    client, reporter, annual
):
    send(client, reporter, {"dataValues": [BULK["dataValues"][0]]})
    # DHIS2 docs' CSV example: the header spelt "strby", "lstupd", "cmt"; an old lstupd.
    body = (
        '"dataelement","period","orgunit","catoptcombo","attroptcombo","value","strby",'
        '"lstupd","cmt"\n'
        '"BDG_M1_CQ","2025","SYT","default","default","20","username","2015-04-01","comment1"\n'
        '"BDG_HD_TTHD","2025","SYT","default","default","t","username","2015-04-01",""\n'
    )
    response = send(client, reporter, body)
    assert response.status_code == 200, response.json()
    summary = check_shape(response.json())
    assert summary["importCount"] == {"imported": 1, "updated": 1, "ignored": 0, "deleted": 0}
    assert (ANNUAL, "SYT", "BDG_M1_CQ", "default", "20", False, "comment1") in stored()
    assert (ANNUAL, "SYT", "BDG_HD_TTHD", "default", "true", False, "") in stored()
    off = send(
        client, reporter, "BDG_HD_TTHD,2025,SYT,default,default,f\n", firstRowIsHeader="false"
    )
    assert off.json()["response"]["importCount"]["updated"] == 1
    assert off.json()["response"]["importOptions"]["firstRowIsHeader"] is False


def test_an_empty_set_is_ok_with_nothing_imported(client, reporter, annual):
    response = send(client, reporter, {})
    assert response.status_code == 200
    summary = check_shape(response.json())
    assert summary["status"] == "SUCCESS"
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 0, "deleted": 0}


def test_one_good_and_one_bad_value(client, reporter, annual):
    payload = {"dataValues": [BULK["dataValues"][0], {**BULK["dataValues"][1], "dataElement": "X"}]}
    atomic = send(client, reporter, payload, atomicMode="ALL")
    assert atomic.status_code == 409 and atomic.json()["status"] == "ERROR"
    summary = check_shape(atomic.json())
    assert summary["status"] == "ERROR" and summary["description"] == "Import process was aborted"
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 0}
    assert not DataValue.objects.exists()

    response = send(client, reporter, payload)
    assert response.status_code == 409
    answer = response.json()
    summary = check_shape(answer)
    assert answer["httpStatus"] == "Conflict" and answer["status"] == "WARNING"
    assert answer["message"] == "One more conflicts encountered, please check import summary."
    assert summary["status"] == "WARNING"
    assert summary["importCount"] == {"imported": 1, "updated": 0, "ignored": 1, "deleted": 0}
    (conflict,) = summary["conflicts"]
    assert conflict["object"] == "X" and conflict["objects"] == {"dataElement": "X"}
    assert conflict["errorCode"] == "E7610" and conflict["property"] == "dataElement"
    assert conflict["indexes"] == [1] and summary["rejectedIndexes"] == [1]
    assert "Giá trị số 2" in conflict["value"]
    assert stored() == {(ANNUAL, "SYT", "BDG_M1_CQ", "default", "12", False, "")}


def test_iso_periods_name_the_round_of_the_data_set(client, reporter, annual):
    move_round("BDG-2025S1")
    half = Round.objects.get(code="BDG-2025S1")
    element = half.form.rows().exclude(data_element__sensitive=True).first().data_element
    combo = element.category_combo.option_combos.first()
    raw = "true" if element.value_type == "boolean" else "2"
    entry = {"dataElement": element.code, "categoryOptionCombo": combo.code, "value": raw}
    payload = {"dataSet": half.form.code, "period": "2025S1", "orgUnit": "SYT"}
    response = send(client, reporter, {**payload, "dataValues": [entry]})
    assert response.status_code == 200, response.json()
    assert DataValue.objects.get().submission.round == half
    wrong = send(client, reporter, {**payload, "period": "2031S1", "dataValues": [entry]})
    assert wrong.json()["response"]["conflicts"][0]["errorCode"] == "E7611"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"requireCategoryOptionCombo": "true"}, "E7630"),
        ({"requireAttributeOptionCombo": "true"}, "E7631"),
    ],
)
def test_require_combo_options(client, reporter, annual, params, code):
    response = send(client, reporter, BULK, **params)
    summary = check_shape(response.json())
    assert [c["errorCode"] for c in summary["conflicts"]] == [code, code]
    assert summary["importOptions"][next(iter(params))] is True
    assert not DataValue.objects.exists()


@pytest.mark.parametrize("name", [*importer.ALWAYS_STRICT, "preheatCache"])
def test_strict_flags_are_always_in_force_and_echoed(client, reporter, annual, name):
    for raw in ("false", "true"):
        response = send(client, reporter, BULK, **{name: raw})
        assert response.status_code == 200, response.json()
        options = response.json()["response"]["importOptions"]
        # The strict flags are echoed, in force whatever was asked; preheatCache is not echoed.
        assert options[name] is True if name in importer.ALWAYS_STRICT else name not in options
    assert send(client, reporter, BULK, idScheme="CODE").status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"skipExistingCheck": "true"},
        {"force": "true"},
        {"skipAudit": "true"},
        {"idScheme": "ATTRIBUTE:abc"},
        {"orgUnitIdScheme": "UUID"},
        {"atomicMode": "OBJECT"},
        {"dryRun": "maybe"},
        {"completeDate": "2026-01-01"},
        {"mergeMode": "MERGE"},
    ],
)
def test_refused_parameters_are_conflicts(client, reporter, annual, params):
    response = send(client, reporter, BULK, **params)
    assert response.status_code == 409
    summary = check_shape(response.json())
    assert summary["status"] == "ERROR"
    (conflict,) = summary["conflicts"]
    assert conflict["object"] == next(iter(params))
    assert not DataValue.objects.exists()
    # false (DHIS2's default) is accepted for the flags binhdang does not honour
    name = next(iter(params))
    if params[name] == "true":
        assert send(client, reporter, BULK, **{name: "false"}).status_code == 200


def test_an_unknown_key_of_the_set_is_refused(client, reporter, annual):
    response = send(client, reporter, {**BULK, "categoryIdScheme": "UID"})
    assert response.status_code == 409 and response.json()["status"] == "ERROR"
    assert not DataValue.objects.exists()


def test_dry_run_is_echoed_and_stores_nothing(client, reporter, annual):
    response = send(client, reporter, BULK, dryRun="true", importStrategy="CREATE")
    summary = check_shape(response.json())
    assert summary["importOptions"]["dryRun"] is True
    assert summary["importOptions"]["importStrategy"] == "CREATE"
    assert summary["importCount"]["imported"] == 2 and not DataValue.objects.exists()


def test_partial_import_never_tells_a_hidden_sensitive_value(client, reporter, coordinator, annual):
    sub = submission("SYT")
    row = sub.round.form.rows().filter(data_element__sensitive=True).first()
    if row is None:
        pytest.skip("no sensitive element in the annual form")
    combo = row.data_element.category_combo.option_combos.first()
    entry = {
        "dataElement": row.data_element.code,
        "categoryOptionCombo": combo.code,
        "period": "2025",
        "orgUnit": "SYT",
        "value": "5",
    }
    payload = {"dataValues": [BULK["dataValues"][0], entry]}

    def answers():
        """What the coordinator (who may not see SYT's sensitive values exactly) learns."""
        result = []
        for strategy in ("CREATE_AND_UPDATE", "CREATE", "UPDATE", "DELETE"):
            summary = send(client, coordinator, payload, importStrategy=strategy, dryRun="true")
            body = summary.json()["response"]
            result.append((body["importCount"], body["conflicts"], body["rejectedIndexes"]))
        return result

    empty = answers()
    for raw in ("5", "7"):
        cell = submissions.CellInput(row=row, option_combo=combo, raw=raw)
        submissions.save_values(submission=sub, cells=[cell], actor=reporter)
        assert answers() == empty, raw
