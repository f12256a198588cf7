"""The reporting API: DHIS2 dataValueSets round trips, conflicts, scoping, lists and submit."""

import csv
import datetime
import io
import json
import re
from dataclasses import replace

import pytest
from django.test import RequestFactory, modify_settings
from django.utils import timezone

from accounts.models import ApiToken
from core.spreadsheet import csv_escape, csv_unescape
from orgs.models import Unit
from reports.exchange.dhis2_csv import CSV_HEADER
from reports.models import DataValue, Question, Round, Status, Submission
from reports.services import submissions
from reports.tests.factories import fill as fill_every_cell

pytestmark = pytest.mark.django_db
ANNUAL = "BDG-2025"
URL = "/api/v1/dataValueSets"


def auth(user) -> dict:
    _, key = ApiToken.issue(user)
    return {"Authorization": f"Bearer {key}"}


def move_round(code=ANNUAL, *, locked=False):
    """The 2025 rounds lie in the past: put one before or after its lock date."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    due, lock = (
        (today - 20 * day, today - 10 * day) if locked else (today + 10 * day, today + 30 * day)
    )
    Round.objects.filter(code=code).update(opens_on=today - 60 * day, due_on=due, lock_on=lock)
    Submission.objects.filter(round__code=code).update(due_on=due)


@pytest.fixture
def open_round():
    move_round()
    return Round.objects.get(code=ANNUAL)


def submission(unit_code, round_code=ANNUAL) -> Submission:
    return Submission.objects.select_related("round__form").get(
        round__code=round_code, unit__code=unit_code
    )


def fill(unit_code, actor, offset=0):
    """Every cell of a unit's annual report, parts below their totals, with comments that a
    spreadsheet would run as formulas and one "no data" cell."""
    sub = submission(unit_code)
    cells = []
    rows = sub.round.form.rows().order_by("section__order", "order")
    # Sensitive values leave raw exports only to their own unit (test_disclosure.py): the round
    # trips here are the coordinator's, over everything else.
    for position, row in enumerate(rows.exclude(data_element__sensitive=True)):
        for combo in row.data_element.category_combo.option_combos.all():
            kind = row.data_element.value_type
            if kind == "boolean":
                raw = "true"
            elif kind == "number":
                raw = f"{1234.5 + offset}"
            elif row.part_of_id:
                raw = str(3 + combo.sort_order + offset)
            else:
                raw = str(100 + position + offset)
            cells.append(submissions.CellInput(row=row, option_combo=combo, raw=raw))
    cells[0].comment = '=HYPERLINK("http://evil.example","x")'
    cells[1] = replace(cells[1], raw="", no_data=True, comment="-không thống kê được")
    cells[2].comment = "@chú thích, có dấu phẩy"
    cells[3].comment = "'trích dẫn"
    cells[4].comment = "+1 dòng\nhai dòng"
    submissions.save_values(submission=sub, cells=cells, actor=actor)
    return len(cells)


def stored() -> set:
    return {
        (
            v.submission.round.code,
            v.submission.unit.code,
            v.data_element.code,
            v.option_combo.code,
            v.value,
            v.no_data,
            v.comment,
        )
        for v in DataValue.objects.select_related(
            "submission__round", "submission__unit", "data_element", "option_combo"
        )
    }


def post(client, headers, payload, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(
        f"{URL}?{query}", json.dumps(payload), content_type="application/json", headers=headers
    )


def value(element, combo="default", unit="SYT", period=ANNUAL, raw="1", **extra):
    return {
        "dataElement": element,
        "categoryOptionCombo": combo,
        "orgUnit": unit,
        "period": period,
        "value": raw,
        **extra,
    }


# --- round trips -----------------------------------------------------------------------------


def test_json_export_then_import_into_an_empty_set_reproduces_every_value(
    client, coordinator, open_round
):
    count = sum(fill(code, coordinator, n) for n, code in enumerate(["SYT", "CAT", "21025"]))
    before = stored()
    assert len(before) == count
    headers = auth(coordinator)
    exported = client.get(URL, headers=headers).json()
    assert len(exported["dataValues"]) == count
    no_data = [v for v in exported["dataValues"] if v["comment"] == "-không thống kê được"]
    assert len(no_data) == 3 and all(v["value"] == "" for v in no_data)
    first = exported["dataValues"][0]
    assert set(first) == {
        "dataElement",
        "period",
        "orgUnit",
        "categoryOptionCombo",
        "attributeOptionCombo",
        "value",
        "comment",
        "storedBy",
        "lastUpdated",
        "followup",
    }
    assert first["period"] == "2025" and first["storedBy"] == "coordinator"  # DHIS2's ISO period
    assert first["attributeOptionCombo"] == "default" and first["followup"] is False

    DataValue.objects.all().delete()
    response = post(client, headers, exported)
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert {k: answer[k] for k in ("httpStatus", "httpStatusCode", "status")} == {
        "httpStatus": "OK",
        "httpStatusCode": 200,
        "status": "OK",
    }
    assert answer["response"]["status"] == "SUCCESS"
    assert answer["response"]["importCount"] == {
        "imported": count,
        "updated": 0,
        "ignored": 0,
        "deleted": 0,
    }
    assert answer["response"]["conflicts"] == [] and answer["response"]["rejectedIndexes"] == []
    assert answer["response"]["importOptions"]["dryRun"] is False
    assert stored() == before
    # The same payload again changes nothing.
    again = post(client, headers, exported).json()["response"]
    assert again["importCount"] == {"imported": 0, "updated": 0, "ignored": count, "deleted": 0}


def test_csv_export_then_import_into_an_empty_set_reproduces_every_value(
    client, coordinator, open_round
):
    count = fill("SYT", coordinator) + fill("21025", coordinator, 7)
    before = stored()
    headers = auth(coordinator)
    response = client.get(URL, {"format": "csv"}, headers=headers)
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    assert client.get(URL, headers={**headers, "Accept": "text/csv"}).content == body
    assert client.get(f"{URL}.csv", headers=headers).content == body
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0] == CSV_HEADER and len(rows) == count + 1
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    comments = {row[8] for row in rows[1:]}
    assert '\'=HYPERLINK("http://evil.example","x")' in comments
    assert {"'-không thống kê được", "'@chú thích, có dấu phẩy", "''trích dẫn"} <= comments

    DataValue.objects.all().delete()
    response = client.post(URL, body, content_type="text/csv", headers=headers)
    assert response.status_code == 200, response.json()
    assert response.json()["response"]["importCount"]["imported"] == count
    assert stored() == before


def test_csv_escaping_reads_back_exactly():
    for text in ["=1+1", "-5", "+x", "@a", "'", "''=", "'abc", "\tx", "a=b", "", "12"]:
        assert csv_unescape(csv_escape(text)) == text
        assert not csv_escape(text).startswith(("=", "+", "-", "@", "\t"))
    assert csv_unescape("'abc") == "'abc"  # a quote written by someone else is kept


def test_csv_import_reads_dhis2_rows_without_header_and_short_rows(client, reporter, open_round):
    headers = auth(reporter)
    body = f"BDG_M1_CQ,{ANNUAL},SYT,default,,12\nBDG_M1_CQ_LDNU,2025,SYT,,default,,,,Không có\n"
    url = f"{URL}?firstRowIsHeader=false"  # DHIS2 skips the first row unless told
    response = client.post(url, body, content_type="text/csv", headers=headers)
    assert response.status_code == 200, response.json()
    assert stored() == {
        (ANNUAL, "SYT", "BDG_M1_CQ", "default", "12", False, ""),
        (ANNUAL, "SYT", "BDG_M1_CQ_LDNU", "default", "", True, "Không có"),
    }
    bad = client.post(url, "BDG_M1_CQ,BDG-2025,SYT\n", content_type="text/csv", headers=headers)
    assert bad.status_code == 409 and "Dòng 1" in bad.json()["response"]["conflicts"][0]["value"]
    garbage = client.post(URL, b"\xff\xfe\x00", content_type="text/csv", headers=headers)
    assert garbage.status_code == 409 and garbage.json()["status"] == "ERROR"


# --- conflicts -------------------------------------------------------------------------------

GOOD = [
    value("BDG_M1_CQ", raw="10"),
    value("BDG_M1_CQ_LDNU", raw="4"),
    value("BDG_M2_LD", "MALE", raw="1234"),
    value("BDG_M2_LD", "FEMALE", raw="1200"),
]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (value("KHONG_CO"), "không có chỉ tiêu mã “KHONG_CO”"),
        (value("BDG_M2_DN", "NAM_NU"), "không có phương án phân tổ mã “NAM_NU”"),
        (value("BDG_M2_DN", "default"), "không dùng cho chỉ tiêu"),
        (value("BDG_M2_DN", "MALE", unit="99999"), "không có đơn vị mã “99999”"),
        (value("BDG_M2_DN", "MALE", unit="CAT"), "ngoài phạm vi"),
        (value("BDG_M2_DN", "MALE", period="2031Q1"), "không có đợt báo cáo"),
        (value("BDG_M2_DN", "MALE", raw="mười"), "không phải là số"),
        (value("BDG_M2_DN", "MALE", raw="-3"), "số âm"),
        (value("BDG_M2_LD_LUONG", "MALE", raw="5000"), "lớn hơn dòng tổng"),
        (value("BDG_M2_DN", "MALE", attributeOptionCombo="X"), "attributeOptionCombo"),
        (value("BDG_M2_DN", "MALE", raw="", comment=""), None),  # clears: no conflict
        (value("BDG_M1_CQ", raw="11"), "trùng với Giá trị số 1"),
        (value("BDG_HD_TTHD", raw="có lẽ"), "Có"),
        ("không phải một giá trị", "không đọc được"),
    ],
)
def test_one_bad_value_among_good_ones_is_a_conflict_and_the_rest_imports(
    client, reporter, open_round, bad, expected
):
    headers = auth(reporter)
    if expected is None:
        response = post(client, headers, {"dataValues": [*GOOD, bad]})
        assert response.status_code == 200
        assert response.json()["response"]["importCount"]["imported"] == 4
        return
    # All or nothing on request (DHIS2's atomicMode=ALL): nothing stored, status ERROR.
    response = post(client, headers, {"dataValues": [*GOOD, bad]}, atomicMode="ALL")
    assert response.status_code == 409, response.json()
    summary = response.json()["response"]
    assert summary["status"] == "ERROR" and summary["importOptions"]["atomicMode"] == "ALL"
    assert summary["importCount"] == {"imported": 0, "updated": 0, "ignored": 5, "deleted": 0}
    assert DataValue.objects.count() == 0
    # By default, as DHIS2: the good values are stored, the bad one is a conflict (WARNING).
    response = post(client, headers, {"dataValues": [*GOOD, bad]})
    assert response.status_code == 409 and response.json()["status"] == "WARNING"
    summary = response.json()["response"]
    assert summary["status"] == "WARNING"
    # A part over its total flags both cells (the check runs on the state after the import).
    conflict = next(c for c in summary["conflicts"] if 4 in c["indexes"])
    assert all(c["indexes"] == [4] or "dòng" in c["value"] for c in summary["conflicts"]), summary
    assert expected in conflict["value"] and "Giá trị số 5" in conflict["value"]
    assert conflict["indexes"] == [4]
    rejected = summary["rejectedIndexes"]
    assert 4 in rejected
    imported = 5 - len(rejected)
    assert summary["importCount"] == {
        "imported": imported,
        "updated": 0,
        "ignored": len(rejected),
        "deleted": 0,
    }
    assert DataValue.objects.count() == imported


def test_a_total_below_its_parts_names_the_cell(client, reporter, open_round):
    response = post(
        client,
        auth(reporter),
        {"dataValues": [value("BDG_M1_CQ_LDNU", raw="9"), value("BDG_M1_CQ", raw="5")]},
    )
    assert response.status_code == 409
    conflicts = response.json()["response"]["conflicts"]
    assert any("nhỏ hơn dòng thành phần" in c["value"] for c in conflicts)
    assert DataValue.objects.count() == 0


def test_every_problem_is_listed_at_once(client, reporter, open_round):
    payload = {
        "dataValues": [value("X1"), *GOOD, value("X2", unit="CAT"), value("BDG_M1_CQ", raw="abc")]
    }
    conflicts = post(client, auth(reporter), payload).json()["response"]["conflicts"]
    assert [c["indexes"] for c in conflicts] == [[0], [5], [5], [6]]
    assert [c["object"] for c in conflicts] == ["X1", "X2", "CAT", "BDG_M1_CQ"]


def test_locked_round_is_a_conflict_and_keeps_the_stored_values(client, coordinator, reporter):
    move_round()
    fill("SYT", coordinator)
    before = stored()
    move_round(locked=True)
    response = post(client, auth(reporter), {"dataValues": [value("BDG_M1_CQ", raw="777")]})
    assert response.status_code == 409
    (conflict,) = response.json()["response"]["conflicts"]
    assert conflict["object"] == f"{ANNUAL}/SYT" and "khóa sổ" in conflict["value"]
    assert stored() == before
    # The coordinator may still correct a locked round, as in the data-entry page.
    corrected = post(client, auth(coordinator), {"dataValues": [value("BDG_M1_CQ", raw="777")]})
    assert corrected.status_code == 200
    assert corrected.json()["response"]["importCount"]["updated"] == 1


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.SUBMITTED])
def test_submitted_or_accepted_report_is_a_conflict(client, coordinator, open_round, status):
    fill("SYT", coordinator)
    before = stored()
    Submission.objects.filter(round__code=ANNUAL, unit__code="SYT").update(status=status)
    # Even the coordinator (who may correct a locked round) cannot change a sent report.
    response = post(client, auth(coordinator), {"dataValues": [value("BDG_M1_CQ", raw="1")]})
    assert response.status_code == 409
    assert "không sửa được" in response.json()["response"]["conflicts"][0]["value"]
    deleting = post(
        client, auth(coordinator), {"dataValues": [value("BDG_M1_CQ")]}, importStrategy="DELETE"
    )
    assert deleting.status_code == 409
    assert stored() == before


def test_dry_run_stores_nothing_and_reports_what_would_happen(client, reporter, open_round):
    headers = auth(reporter)
    response = post(client, headers, {"dataValues": GOOD}, dryRun="true")
    assert response.status_code == 200
    assert response.json()["response"]["importOptions"]["dryRun"] is True
    assert response.json()["response"]["importCount"]["imported"] == 4
    assert DataValue.objects.count() == 0
    bad = post(client, headers, {"dataValues": [*GOOD, value("KHONG_CO")]}, dryRun="true")
    assert bad.status_code == 409 and bad.json()["response"]["importOptions"]["dryRun"] is True
    assert bad.json()["response"]["importCount"]["imported"] == 4
    assert DataValue.objects.count() == 0


def test_malformed_payloads_answer_409_error_with_a_summary(client, reporter, open_round):
    headers = auth(reporter)
    for body in ["{", "[]", '{"dataValues": 3}']:
        response = client.post(URL, body, content_type="application/json", headers=headers)
        assert response.status_code == 409  # DHIS2: an ERROR import summary is a 409
        assert response.json()["status"] == "ERROR" and response.json()["response"]["conflicts"]
    wrong = post(client, headers, {"dataValues": GOOD}, importStrategy="MERGE")
    assert wrong.status_code == 409
    assert "importStrategy" in wrong.json()["response"]["conflicts"][0]["value"]
    assert DataValue.objects.count() == 0


def test_data_set_on_the_payload_must_match_the_round(client, reporter, open_round):
    payload = {"dataSet": "BDG_6T", "dataValues": GOOD[:1]}
    response = post(client, auth(reporter), payload)
    assert response.status_code == 409
    assert "không dùng biểu mẫu" in response.json()["response"]["conflicts"][0]["value"]
    payload = {
        "dataSet": "BDG_NAM",
        "period": ANNUAL,
        "orgUnit": "SYT",
        "dataValues": [{"dataElement": "BDG_M1_CQ", "value": 3}],
    }
    assert post(client, auth(reporter), payload).status_code == 200


# --- strategies and aliases ------------------------------------------------------------------


def test_import_strategies(client, reporter, open_round):
    headers = auth(reporter)
    assert post(client, headers, {"dataValues": GOOD[:2]}).status_code == 200
    create = post(
        client,
        headers,
        {"dataValues": [value("BDG_M1_CQ", raw="20"), GOOD[2]]},
        importStrategy="CREATE",
    ).json()["response"]
    # A value skipped by the strategy is ignored without a conflict (DHIS2): SUCCESS.
    assert create["status"] == "SUCCESS"
    assert create["importCount"] == {"imported": 1, "updated": 0, "ignored": 1, "deleted": 0}
    update = post(
        client,
        headers,
        {"dataValues": [value("BDG_M1_CQ", raw="20"), GOOD[3]]},
        importStrategy="UPDATE",
    ).json()["response"]
    assert update["importCount"] == {"imported": 0, "updated": 1, "ignored": 1, "deleted": 0}
    delete = post(client, headers, {"dataValues": GOOD}, importStrategy="DELETE").json()["response"]
    assert delete["importCount"] == {"imported": 0, "updated": 0, "ignored": 1, "deleted": 3}
    assert client.get(URL, headers=headers).json() == {"dataValues": []}
    again = post(client, headers, {"dataValues": GOOD}).json()["response"]
    assert again["importCount"]["imported"] == 4
    cleared = post(client, headers, {"dataValues": [value("BDG_M1_CQ_LDNU", raw="")]}).json()[
        "response"
    ]
    assert cleared["importCount"]["deleted"] == 1


def test_a_dhis2_period_naming_one_round_is_an_alias(client, coordinator, open_round):
    fill("SYT", coordinator)
    headers = auth(coordinator)
    by_code = client.get(URL, {"period": ANNUAL}, headers=headers).json()["dataValues"]
    assert (
        by_code
        and client.get(URL, {"period": "2025"}, headers=headers).json()["dataValues"] == by_code
    )
    assert client.get(URL, {"period": "BDG-2025S1"}, headers=headers).json()["dataValues"] == []
    both = client.get(URL + f"?period={ANNUAL}&period=2025S1", headers=headers).json()
    assert len(both["dataValues"]) == len(by_code)
    assert client.get(URL, {"period": "2030"}, headers=headers).status_code == 404


def test_an_ambiguous_period_is_refused(client, coordinator, open_round):
    round_ = Round.objects.get(code=ANNUAL)
    round_.pk, round_.code = None, "BDG-2025-DX"
    round_.save()
    response = client.get(URL, {"period": "2025"}, headers=auth(coordinator))
    assert response.status_code == 400 and "BDG-2025-DX" in response.json()["detail"]
    imported = post(client, auth(coordinator), {"dataValues": [value("BDG_M1_CQ", period="2025")]})
    assert imported.status_code == 409
    assert "nhiều đợt" in imported.json()["response"]["conflicts"][0]["value"]


@pytest.mark.untraced  # every arc it runs is covered by other tests (docs/architecture.md)
def test_two_exercises_of_one_period_travel_by_round_code_and_come_back(
    client, coordinator, open_round
):
    """A periodic and an ad-hoc round of the same form and period: an ISO period would name both
    (and DHIS2 keeps one value per element, period and unit), so their values carry the round
    code, and the export re-imports value for value."""
    round_ = Round.objects.get(code=ANNUAL)
    round_.pk, round_.code = None, "BDG-2025-DX"
    round_.save()
    Submission.objects.create(round=round_, unit=Unit.objects.get(code="SYT"), due_on=round_.due_on)
    fill("SYT", coordinator)
    sub = submission("SYT", "BDG-2025-DX")
    row = sub.round.form.rows().exclude(data_element__sensitive=True).first()
    combo = row.data_element.category_combo.option_combos.first()
    raw = "true" if row.data_element.value_type == "boolean" else "7"
    cell = submissions.CellInput(row=row, option_combo=combo, raw=raw)
    submissions.save_values(submission=sub, cells=[cell], actor=coordinator)
    before = stored()
    headers = auth(coordinator)
    exported = client.get(URL, headers=headers).json()
    assert {v["period"] for v in exported["dataValues"]} == {ANNUAL, "BDG-2025-DX"}
    DataValue.objects.all().delete()
    response = post(client, headers, exported)
    assert response.status_code == 200, response.json()
    assert stored() == before


def test_parameters_the_export_does_not_read_are_refused(client, reporter, open_round):
    for params in (
        {"startDate": "2030-01-01", "endDate": "2030-12-31"},
        {"limit": "1"},
        {"attributeOptionCombo": "XYZ"},
        {"dataSet": ["BDG_6T", "BDG_NAM"]},
    ):
        for url in (URL, URL + ".csv", "/api/v1/adx"):
            response = client.get(url, params, headers=auth(reporter))
            assert response.status_code == 409, (url, params)
            assert response.json()["status"] == "ERROR"


# --- export filters and scoping --------------------------------------------------------------


def test_export_filters(client, coordinator, open_round):
    fill("SYT", coordinator)
    fill("21025", coordinator)
    headers = auth(coordinator)

    def units(**params):
        response = client.get(URL, params, headers=headers)
        assert response.status_code == 200, response.json()
        return {v["orgUnit"] for v in response.json()["dataValues"]}

    assert units() == {"SYT", "21025"}
    assert units(orgUnit="21025") == {"21025"}
    assert units(orgUnit="51") == set()
    assert units(orgUnit="51", children="true") == {"SYT", "21025"}
    assert units(dataSet="BDG_NAM") == {"SYT", "21025"}
    assert units(dataSet="BDG_6T") == set()
    assert units(lastUpdated=timezone.localdate().isoformat()) == {"SYT", "21025"}
    assert units(lastUpdated="2099-01-01T00:00:00+07:00") == set()
    assert client.get(URL, {"lastUpdated": "hôm qua"}, headers=headers).status_code == 400
    assert client.get(URL, {"dataSet": "KHONG"}, headers=headers).status_code == 404
    assert client.get(URL, {"format": "pdf"}, headers=headers).status_code == 400


def test_a_reporter_token_exports_only_its_unit(
    client, coordinator, reporter, outsider, open_round
):
    fill("SYT", coordinator)
    fill("CAT", coordinator)
    mine = client.get(URL, headers=auth(reporter)).json()["dataValues"]
    assert mine and {v["orgUnit"] for v in mine} == {"SYT"}
    other = client.get(URL, {"orgUnit": "SYT"}, headers=auth(outsider))
    assert other.status_code == 404 and "SYT" in other.json()["detail"]
    assert client.get(URL).status_code == 401


def test_roles_that_do_not_enter_data_cannot_import(
    client, leader, admin_user, case_worker, open_round
):
    for user in (leader, admin_user, case_worker):
        response = post(client, auth(user), {"dataValues": GOOD})
        assert response.status_code == 403
    assert client.get(URL, headers=auth(case_worker)).json() == {"dataValues": []}
    assert DataValue.objects.count() == 0


# --- lists and submit ------------------------------------------------------------------------


def test_lists(client, reporter, coordinator):
    headers = auth(reporter)
    elements = client.get("/api/v1/dataElements", {"dataSet": "BDG_NAM"}, headers=headers).json()
    codes = {e["code"] for e in elements}
    assert "BDG_HD_TTHD" in codes and len(codes) == 36
    sex = next(e for e in elements if e["code"] == "BDG_M2_LD")
    assert {c["code"] for c in sex["option_combos"]} == {"MALE", "FEMALE"}
    forms = client.get("/api/v1/forms", headers=headers).json()
    assert {f["code"] for f in forms} == {"BDG_6T", "BDG_NAM"}
    assert "BDG_M1_CQ" in forms[0]["data_elements"]
    rounds = {r["code"]: r for r in client.get("/api/v1/rounds", headers=headers).json()}
    assert rounds[ANNUAL]["period"] == "2025" and rounds[ANNUAL]["status"] == "locked"
    assert rounds[ANNUAL]["submissions"] == {"draft": 1}
    everyone = client.get("/api/v1/rounds", {"period": "2025"}, headers=auth(coordinator)).json()
    assert everyone[0]["submissions"] == {"draft": 13 + 96}
    subs = client.get("/api/v1/submissions", headers=headers).json()
    assert {(s["round"], s["unit"]) for s in subs} == {(ANNUAL, "SYT"), ("BDG-2025S1", "SYT")}
    assert subs[0]["status"] == "draft" and subs[0]["on_time"] is None
    assert subs[0]["due_on"] and "submitted_at" in subs[0]
    filtered = client.get(
        "/api/v1/submissions", {"round": ANNUAL, "status": "draft"}, headers=auth(coordinator)
    ).json()
    assert len(filtered) == 13 + 96


def _answer_required_questions(unit_code, actor):
    sub = submission(unit_code)
    for question in Question.objects.filter(section__form=sub.round.form, required=True):
        submissions.save_answer(
            submission=sub, question=question, text="Đã thực hiện.", expected_version=0, actor=actor
        )


def test_submit_through_the_api(client, reporter, approver, outsider, open_round):
    url = f"/api/v1/submissions/{ANNUAL}/SYT/submit"
    check = client.get(url, headers=auth(approver)).json()
    assert check["can_submit"] is False and any("Chưa trả lời" in e for e in check["errors"])
    # The submit gate: every table cell filled or marked "no data" (none is optional here).
    cells = sum(
        r.data_element.category_combo.option_combos.count()
        for r in submission("SYT").round.form.rows()
    )
    assert sum(e.startswith("Chưa nhập") for e in check["errors"]) == cells
    refused = client.post(url, headers=auth(approver))
    assert refused.status_code == 409 and refused.json()["errors"]
    _answer_required_questions("SYT", reporter)
    fill_every_cell(submission("SYT"), reporter)
    stored = DataValue.objects.count()
    assert client.post(url, headers=auth(reporter)).status_code == 403
    assert client.get(url, headers=auth(reporter)).json()["can_submit"] is False
    assert (
        client.post(f"/api/v1/submissions/{ANNUAL}/CAT/submit", headers=auth(approver)).status_code
        == 404
    )
    assert client.post(url, headers=auth(outsider)).status_code == 404
    assert client.get(url, headers=auth(approver)).json()["can_submit"] is True
    assert Submission.objects.get(round__code=ANNUAL, unit__code="SYT").status == Status.DRAFT
    done = client.post(
        url,
        json.dumps({"warning_comment": "Một số mục chưa có số liệu."}),
        content_type="application/json",
        headers=auth(approver),
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "submitted" and done.json()["on_time"] is True
    # Submitted: no value can change through the API any more.
    response = post(client, auth(reporter), {"dataValues": GOOD})
    assert response.status_code == 409 and DataValue.objects.count() == stored


# --- docs ------------------------------------------------------------------------------------


def test_docs_page_is_served_locally_without_inline_script(client, reporter, settings):
    from binhdang.api import api

    with modify_settings(INSTALLED_APPS={"append": "ninja"}):
        request = RequestFactory().get("/api/v1/docs")
        request.user = reporter
        html = api.docs.render_page(request, api).content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # no third-party origin
    for attributes, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attributes or 'type="application/json"' in attributes
    assert '"validatorUrl": null' in html
    if "ninja" in settings.INSTALLED_APPS:
        assert client.get("/api/v1/docs").status_code == 302
        client.force_login(reporter)
        assert client.get("/api/v1/docs").status_code == 200
    else:  # without the app ninja would load a CDN page: no docs page at all
        assert client.get("/api/v1/docs").status_code == 404


def test_machine_numbers_keep_their_decimals(client, reporter, open_round):
    """DHIS2 sends 1.234 as one point two three four, never as a thousand separator."""
    response = post(client, auth(reporter), {"dataValues": [value("BDG_HD_KP", raw="1.234")]})
    assert response.status_code == 200, response.json()
    assert DataValue.objects.get(data_element__code="BDG_HD_KP").value == "1.234"


def test_an_old_export_does_not_overwrite_a_later_web_edit(
    client, coordinator, reporter, open_round
):
    fill("SYT", coordinator)
    exported = client.get(URL, headers=auth(reporter)).json()["dataValues"]
    target = next(v for v in exported if v["dataElement"] == "BDG_M1_CQ")
    sub = submission("SYT")
    row = sub.round.form.rows().get(data_element__code="BDG_M1_CQ")
    combo = row.data_element.category_combo.option_combos.get()
    submissions.save_values(  # someone corrects the value on the web after the export
        submission=sub,
        cells=[submissions.CellInput(row=row, option_combo=combo, raw="500")],
        actor=reporter,
    )
    target["value"] = "999"
    response = post(client, auth(reporter), {"dataValues": [target]})
    assert response.status_code == 409
    assert "đã được sửa lúc" in response.json()["response"]["conflicts"][0]["value"]
    assert DataValue.objects.get(submission=sub, data_element=row.data_element).value == "500"
    # Without a time the import wins, as in DHIS2.
    target.pop("lastUpdated")
    assert post(client, auth(reporter), {"dataValues": [target]}).status_code == 200
