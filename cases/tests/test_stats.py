"""GBV statistics: what counts (consent now, window, type, one count per incident across agencies),
what shows (small cells protected so none can be worked out), the strategy ratios, and the unit's
report filled from its cases."""

import datetime
import io
import itertools
import json
import random
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import Action, Event
from cases import stats
from cases.models import (
    Case,
    Consent,
    ConsentGiver,
    ConsentMethod,
    ConsentPurpose,
    Incident,
    IncidentType,
    Outcome,
    Relationship,
    Risk,
    ServiceRecord,
    ServiceType,
    Survivor,
)
from conftest import make_user
from core.roles import Role
from core.spreadsheet import XLSX_MIME
from indicators.models import DataElement
from orgs.models import Unit
from reports import disclosure
from reports.models import DataValue, Form, Round, RoundKind, Submission
from reports.services import submissions as services

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
CAM_THANH, NGHIA_LO, AN_PHU = "21025", "21028", "21034"
DUPLICATE = "Nguyễn Thị Trùng Tên"


def record(
    owner,
    *,
    name,
    kind,
    day=datetime.date(2025, 3, 1),
    sex="female",
    age="26-40",
    commune=None,
    consents=(ConsentPurpose.STATISTICS,),
    withdrawn=False,
    expires=None,
    perpetrator="male",
    prosecuted=False,
    counselled=False,
    services=(),
) -> Case:
    """A survivor with one case and one incident of `kind`, its consents and service records."""
    agency = owner.unit
    survivor = Survivor.objects.create(
        agency=agency,
        name=name,
        birth_date="1990-05-06",
        phone="0905 111 222",
        address="Thôn Suối Đá",
        sex=sex,
        age_band=age,
    )
    case = Case.objects.create(
        survivor=survivor, agency=agency, owner=owner, risk=Risk.MEDIUM, safety_plan="Riêng tư"
    )
    Incident.objects.create(
        case=case,
        occurred_on=day,
        place_type="home",
        commune=Unit.objects.get(code=commune) if commune else None,
        answers={kind: True} if kind != IncidentType.NOT_GBV else {},
        survivor_age_band=age,
        perpetrator_relationship=Relationship.SPOUSE,
        perpetrator_sex=perpetrator,
        perpetrator_prosecuted=prosecuted,
        perpetrator_counselled=counselled,
        narrative="Lời kể",
    )
    for purpose in consents:
        Consent.objects.create(
            case=case,
            purpose=purpose,
            given_by=ConsentGiver.SURVIVOR,
            method=ConsentMethod.WRITTEN,
            given_on=datetime.date(2025, 1, 1),
            expires_on=expires,
            withdrawn_at=timezone.now() if withdrawn else None,
            recorded_by=owner,
        )
    for service_type, outcome, on in services:
        ServiceRecord.objects.create(
            case=case,
            service_type=service_type,
            outcome=outcome,
            on=on,
            agency=agency,
            recorded_by=owner,
        )
    return case


HEALTH = (ServiceType.HEALTH, Outcome.PROVIDED, datetime.date(2025, 4, 1))


@pytest.fixture
def world(db):
    """12 counted incidents: 6 physical (Cẩm Thành; 2 male survivors aged 41–60), 5 denial
    (Nghĩa Lộ), 1 psychological recorded by both Sở Y tế and Công an tỉnh (An Phú, aged 12–17);
    7 survivors received a service in the window. Five more that must not count."""
    syt = make_user("syt.canbo", Role.CASE_WORKER, "SYT")
    cat = make_user("cat.canbo", Role.CASE_WORKER, "CAT")
    cases = {}
    for i in range(1, 7):
        male = i > 4
        cases[f"P{i}"] = record(
            syt,
            name=f"Người thể chất {i}",
            kind=IncidentType.PHYSICAL,
            sex="male" if male else "female",
            age="41-60" if male else "26-40",
            commune=CAM_THANH,
            counselled=True,
            services=[HEALTH] if i <= 4 else [],
        )
    cases["P5"].services.create(
        service_type=ServiceType.HEALTH,
        outcome=Outcome.PROVIDED,
        on=datetime.date(2026, 1, 10),  # after the window: not served in it
        agency=syt.unit,
        recorded_by=syt,
    )
    legal = [
        (ServiceType.LEGAL, Outcome.REFERRED, datetime.date(2025, 2, 1)),
        (ServiceType.LEGAL, Outcome.PROVIDED, datetime.date(2025, 3, 1)),
    ]
    for service_type, outcome, on in legal:
        cases["P1"].services.create(
            service_type=service_type, outcome=outcome, on=on, agency=syt.unit, recorded_by=syt
        )
    declined = (ServiceType.PSYCHOSOCIAL, Outcome.DECLINED, datetime.date(2025, 5, 1))
    for i in range(1, 6):
        cases[f"D{i}"] = record(
            syt,
            name=f"Người kinh tế {i}",
            kind=IncidentType.DENIAL,
            commune=NGHIA_LO,
            perpetrator="unknown" if i == 5 else "male",
            services=[HEALTH] if i <= 3 else [declined],
        )
    for owner in (syt, cat):
        cases[f"Y-{owner.unit.code}"] = record(
            owner,
            name=DUPLICATE,
            kind=IncidentType.PSYCHOLOGICAL,
            age="12-17",
            commune=AN_PHU,
            perpetrator="female",
        )
    services_only = [ConsentPurpose.SERVICES]
    record(syt, name="Không đồng ý", kind=IncidentType.SEXUAL_ASSAULT, consents=services_only)
    record(syt, name="Đã rút", kind=IncidentType.FORCED_MARRIAGE, withdrawn=True)
    record(syt, name="Hết hạn", kind=IncidentType.RAPE, expires=datetime.date(2025, 6, 30))
    record(syt, name="Không phải BLG", kind=IncidentType.NOT_GBV)
    record(syt, name="Năm trước", kind=IncidentType.PHYSICAL, day=datetime.date(2024, 6, 1))
    return {"syt": syt, "cat": cat, "cases": cases}


def _last_event() -> int:
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def shown(result, key) -> list:
    table = result.table(key)
    return [(str(text), values) for text, values in table.rows] + [("Tổng số", table.total)]


EXPECTED = {
    "types": [
        ("Hiếp dâm", [0]),
        ("Tấn công tình dục", [0]),
        ("Tấn công thể chất", ["x"]),
        ("Cưỡng ép kết hôn", [0]),
        ("Từ chối nguồn lực, cơ hội hoặc dịch vụ", ["x"]),
        ("Bạo lực tâm lý, tinh thần", ["<5"]),
        ("Tổng số", [12]),
    ],
    "harm": [
        ("Bạo lực thể chất", ["x"]),
        ("Bạo lực tinh thần", ["<5"]),
        ("Bạo lực tình dục", [0]),
        ("Bạo lực kinh tế", ["x"]),
        ("Tổng số", [12]),
    ],
    "sex": [("Nữ", ["x"]), ("Nam", ["<5"]), ("Tổng số", [12])],
    "age": [
        ("0–11", [0]),
        ("12–17", ["<5"]),
        ("18–25", [0]),
        ("26–40", [9]),
        ("41–60", ["<5"]),
        ("61+", [0]),
        ("Tổng số", [12]),
    ],
    "communes": [
        ("Phường Cẩm Thành", ["x"]),
        ("Phường Nghĩa Lộ", ["x"]),
        ("Xã An Phú", ["<5"]),
        ("Tổng số", [12]),
    ],
    "perpetrators": [
        ("Đã bị truy cứu trách nhiệm hình sự", [0]),
        ("Chưa bị truy cứu, đã được tư vấn, tham vấn", [6]),
        ("Chưa bị truy cứu, chưa được tư vấn, tham vấn", [6]),
        ("Tổng số", [12]),
    ],
}
# Outcome columns: referred, provided, elsewhere, declined, not applicable, not available; total.
SERVICES = [
    ("Nơi tạm lánh", [0, 0, 0, 0, 0, 0, 0]),
    ("Y tế", [0, 7, 0, 0, 0, 0, 7]),
    ("Tư vấn tâm lý - xã hội", [0, 0, 0, "<5", 0, 0, "<5"]),
    ("Trợ giúp pháp lý", [0, "<5", 0, 0, 0, 0, "<5"]),
    ("Công an, bảo vệ an toàn", [0, 0, 0, 0, 0, 0, 0]),
    ("Sinh kế", [0, 0, 0, 0, 0, 0, 0]),
]
INDICATORS = [
    (
        "Nạn nhân được phát hiện đã được tiếp cận ít nhất một dịch vụ hỗ trợ cơ bản",
        [7, 12, "58,3%", "80%"],
    ),
    (
        "Người gây bạo lực chưa bị truy cứu trách nhiệm hình sự được tư vấn, tham vấn",
        [6, 12, "50,0%", "50%"],
    ),
]


def test_counts_consented_deduplicated_incidents_and_protects_small_cells(world):
    result = stats.statistics(start=START, end=END)
    assert result.total == 12
    for key, rows in EXPECTED.items():
        assert shown(result, key) == rows, key
    services_table = result.table("services")
    assert [(str(t), v) for t, v in services_table.rows] == SERVICES
    assert services_table.total is None
    assert [(str(t), v) for t, v in result.table("indicators").rows] == INDICATORS


def test_an_incident_recorded_by_two_agencies_counts_once(world):
    incidents = stats.counted_incidents(start=START, end=END)
    assert incidents.filter(case__survivor__agency__code="CAT").count() == 1
    assert incidents.count() == 13 and stats.incident_count(incidents) == 12
    assert stats.count_by(incidents, "incident_type")[IncidentType.PSYCHOLOGICAL] == 1
    # the two records are one person, too
    assert sum(n for n, _served in stats.victims(incidents, START, END).values()) == 12


def test_withdrawing_consent_changes_the_next_run(world):
    cases = world["cases"]
    Consent.objects.filter(case=cases["D1"]).update(withdrawn_at=timezone.now())
    assert stats.statistics(start=START, end=END).total == 11
    # The psychological incident still counts: Công an tỉnh's record of it has a valid consent.
    Consent.objects.filter(case=cases["Y-SYT"]).update(withdrawn_at=timezone.now())
    incidents = stats.counted_incidents(start=START, end=END)
    assert stats.count_by(incidents, "incident_type")[IncidentType.PSYCHOLOGICAL] == 1
    Consent.objects.filter(case=cases["Y-CAT"]).update(withdrawn_at=timezone.now())
    assert stats.statistics(start=START, end=END).total == 10


def test_no_hidden_cell_can_be_worked_out(world):
    result = stats.statistics(start=START, end=END)
    tables = {key: dict(enumerate(v[0] for _t, v in result.table(key).rows)) for key in EXPECTED}
    assert_protected(tables, result.total)
    for _service, values in result.table("services").rows:
        assert_protected({"row": dict(enumerate(values[:-1]))}, values[-1])


class TableParser(HTMLParser):
    """The rendered tables: data-table key → [(row header, [cells])]."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.text = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("data-table"):
            self.current = self.tables.setdefault(dict(attrs)["data-table"], [])
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("th", "td") and self.row is not None:
            self.text = ""

    def handle_data(self, data):
        if self.text is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.text is not None:
            self.row.append(self.text.strip())
            self.text = None
        elif tag == "tr" and self.row is not None:
            self.current.append((self.row[0], self.row[1:]))
            self.row = None
        elif tag == "table":
            self.current = None


def test_the_page_shows_exactly_the_protected_tables_and_logs_one_view(
    client, world, coordinator, window
):
    client.force_login(coordinator)
    since = _last_event()
    response = client.get(reverse("cases:stats"), window)
    assert response.status_code == 200
    parser = TableParser()
    parser.feed(response.content.decode())
    for key, rows in EXPECTED.items():
        rendered = parser.tables[key][1:]  # after the header row
        assert rendered == [(text, [str(v) for v in values]) for text, values in rows], key
    assert parser.tables["services"][1:] == [(t, [str(v) for v in vs]) for t, vs in SERVICES]
    assert parser.tables["indicators"][1:] == [(t, [str(v) for v in vs]) for t, vs in INDICATORS]
    event = Event.objects.get(pk__gt=since)
    assert event.action == Action.VIEW and "01/01/2025–31/12/2025" in event.object_repr
    content = response.content.decode()
    assert DUPLICATE not in content and "Thôn Suối Đá" not in content
    assert "HS-" not in content and "NN-" not in content  # no case or survivor code either


def test_case_roles_see_their_agency_only(client, world, window):
    for user in (make_user("cat.giamsat", Role.CASE_SUPERVISOR, "CAT"), world["cat"]):
        client.force_login(user)
        response = client.get(reverse("cases:stats"), window)
        assert response.context["result"].total == "<5"  # Công an tỉnh's one incident
        assert response.context["scope"] == "Công an tỉnh"


def test_only_fixed_round_windows_can_be_asked(client, world, leader, window):
    """Two free windows a day apart would isolate one incident: dates are ignored, a round that
    does not exist is refused."""
    client.force_login(leader)
    dated = client.get(reverse("cases:stats"), {"start": "2025-05-20", "end": "2025-05-20"})
    latest = client.get(reverse("cases:stats"))
    assert (dated.context["result"].start, dated.context["result"].end) == (
        latest.context["result"].start,
        latest.context["result"].end,
    )
    response = client.get(reverse("cases:stats"), {"round": "999999"})
    assert "result" not in response.context
    assert "Lựa chọn không hợp lệ" in response.content.decode() or response.context["form"].errors


def test_a_round_is_the_default_window(client, world, leader):
    client.force_login(leader)
    response = client.get(reverse("cases:stats"))
    result = response.context["result"]
    assert (result.start, result.end) == (datetime.date(2024, 12, 15), datetime.date(2025, 12, 14))


def test_each_table_downloads_as_it_is_shown(client, world, coordinator, window):
    client.force_login(coordinator)
    since = _last_event()
    response = client.get(reverse("cases:stats_xlsx", args=["communes"]), window)
    assert response["Content-Type"] == XLSX_MIME
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] in dict(EXPECTED["communes"])]
    assert [(r[0], [r[1]]) for r in rows] == EXPECTED["communes"]
    assert Event.objects.get(pk__gt=since).action == Action.EXPORT
    assert client.get(reverse("cases:stats_xlsx", args=["nothing"]), window).status_code == 404


def test_spreadsheet_cells_are_never_formulas():
    table = stats.Table("t", "=cmd|' /C calc'!A0", "+x", ["-y"], rows=[("@SUM(A1)", [3, "<5"])])
    sheet = load_workbook(io.BytesIO(stats.table_xlsx(table, ["=1+1"]))).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert cells and not [c for c in cells if c.data_type == "f"]
    risky = [c for c in cells if c.value.startswith(("=", "+", "-", "@"))]
    assert {c.value for c in risky} == {"=1+1", "+x", "-y", "@SUM(A1)"}
    assert all(c.quotePrefix for c in risky)  # shown as text, as typed


# Protection rules, checked against a brute-force reader ----------------------------------------


def _values(label, cap) -> range:
    if isinstance(label, int):
        return range(label, label + 1)
    return range(1, 5) if label == disclosure.LESS else range(5, cap + 1)


def assert_protected(tables: dict, total, cap: int = 40) -> None:
    """Try every assignment of the hidden cells that agrees with what is shown (one total for all
    tables): each hidden cell must be able to take at least two values."""
    seen = {(name, key): set() for name, cells in tables.items() for key, v in cells.items()}
    for value in _values(total, cap):
        found = {}
        for name, cells in tables.items():
            keys = list(cells)
            found[name] = [
                combo
                for combo in itertools.product(*(_values(cells[k], cap) for k in keys))
                if sum(combo) == value
            ]
        if all(found.values()):
            for name, combos in found.items():
                for combo in combos:
                    for key, v in zip(list(tables[name]), combo, strict=True):
                        seen[name, key].add(v)
    for (name, key), values in seen.items():
        if isinstance(tables[name][key], str):
            assert len(values) > 1, (tables, total, name, key, values)


def test_secondary_cells_are_added_until_nothing_can_be_worked_out():
    result = disclosure.protect_breakdowns({"t": {"a": 1, "b": 5, "c": 6, "d": 0}}, 12)
    assert (result.total, result.cells["t"]) == (12, {"a": "<5", "b": "x", "c": "x", "d": 0})
    # One small cell and nothing to hide it behind: the total goes instead.
    result = disclosure.protect_breakdowns({"t": {"a": 1, "b": 5}}, 6)
    assert (result.total, result.cells["t"]) == ("x", {"a": "<5", "b": 5})
    # … unless another table gives the total away: then the table is withheld.
    result = disclosure.protect_breakdowns({"t": {"a": 1, "b": 5}, "u": {"m": 6}}, 6)
    assert (result.total, result.withheld, result.cells["u"]) == (6, {"t"}, {"m": 6})
    # A total under five: "<5" everywhere, and four ones would pin each other.
    result = disclosure.protect_breakdowns(
        {"t": {"a": 1, "b": 1, "c": 1, "d": 1}, "u": {"m": 3, "n": 1}}, 4
    )
    assert (result.total, result.withheld, result.cells["u"]) == (
        "<5",
        {"t"},
        {"m": "<5", "n": "<5"},
    )


def test_protection_holds_for_random_tables():
    rng = random.Random(5)
    for _ in range(150):
        total = rng.randint(1, 14)
        tables = {name: _split(rng, total, rng.randint(1, 4)) for name in ("t", "u")}
        result = disclosure.protect_breakdowns(tables, total)
        shown_tables = {n: c for n, c in result.cells.items() if n not in result.withheld}
        assert_protected(shown_tables, result.total, cap=total + 6)
        for name, cells in shown_tables.items():
            for key, value in tables[name].items():
                assert cells[key] in (value, "<5" if 0 < value < 5 else "x"), (tables, result)


def _split(rng, total, parts) -> dict:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    return {f"c{i}": n for i, n in enumerate(sizes)}


def test_forms_of_harm_tell_nothing_the_types_do_not():
    cells = {"rape": 2, "assault": 3, "physical": 7, "denial": 0}
    labels = {"rape": "<5", "assault": "<5", "physical": 7, "denial": 0}
    groups = {"rape": "sexual", "assault": "sexual", "physical": "physical", "denial": "economic"}
    # 2 + 3 = 5 would show "x" rather than 5: the sum alone would give rape + assault away.
    assert disclosure.coarsen(cells, labels, groups) == {
        "sexual": "x",
        "physical": 7,
        "economic": 0,
    }


def test_ratios_over_hidden_counts_are_hidden():
    assert stats.percent(3, 12) == "25,0%"
    assert stats.percent("<5", 12) == stats.percent(6, "x") == "x"
    assert stats.percent(0, 0) == "—"


# The unit's report -----------------------------------------------------------------------------


@pytest.fixture
def window(open_round):
    """The stats page's query for the round whose window is START–END."""
    return {"round": open_round.pk}


@pytest.fixture
def open_round(db):
    today = timezone.localdate()
    return services.create_round(
        actor=None,
        code="BLG-KIEMTRA",
        name="Đợt kiểm tra",
        form=Form.objects.filter(code="BDG_NAM").order_by("-version").first(),
        kind="periodic",
        period="2025",
        window_start=START,
        window_end=END,
        opens_on=today - datetime.timedelta(days=1),
        due_on=today + datetime.timedelta(days=10),
        lock_on=today + datetime.timedelta(days=20),
        unit_kinds=["agency"],
        scope=Unit.objects.get(code="51"),
    )


FILLED = {
    ("BDG_M3_NN", "FEMALE"): "10",
    ("BDG_M3_NN", "MALE"): "2",
    ("BDG_M3_NN_DV", "FEMALE"): "7",
    ("BDG_M3_NN_DV", "MALE"): "0",
    ("BDG_M3_GBL", "FEMALE"): "1",
    ("BDG_M3_GBL", "MALE"): "10",
    ("BDG_M3_GBL_TV", "FEMALE"): "0",
    ("BDG_M3_GBL_TV", "MALE"): "6",
}


def _preview(client, submission) -> tuple[dict, str]:
    """The preview's hidden fields (cell versions, digest) as the browser would post them."""
    url = reverse("reports:prefill", args=[submission.pk, "cases"])
    response = client.get(url, HTTP_HX_REQUEST="1")
    assert response.status_code == 200
    parser = InputParser()
    parser.feed(response.content.decode())
    return parser.inputs, response.content.decode()


def _fill(client, submission, data=None, **extra):
    url = reverse("reports:prefill_fill", args=[submission.pk, "cases"])
    return client.post(url, data or {}, **extra)


def _stored(submission) -> dict:
    return {
        (v.data_element.code, v.option_combo.code): v.value
        for v in DataValue.objects.filter(submission=submission).select_related(
            "data_element", "option_combo"
        )
    }


class InputParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden":
            self.inputs[attrs["name"]] = attrs["value"]


def test_a_reporter_fills_their_units_report_from_its_cases(client, world, open_round, reporter):
    submission = Submission.objects.get(round=open_round, unit__code="SYT")
    client.force_login(reporter)
    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert "Lấy số liệu từ hồ sơ hỗ trợ nạn nhân" in page
    assert reverse("reports:prefill", args=[submission.pk, "cases"]) in page
    since = _last_event()
    previewed, preview = _preview(client, submission)
    assert DUPLICATE not in preview
    assert "người gây bạo lực không rõ giới tính" in preview
    assert len(previewed) == 9  # a version per cell, and the digest
    view = Event.objects.get(pk__gt=since)
    assert view.action == Action.VIEW and "hồ sơ hỗ trợ nạn nhân" in view.object_repr
    since = _last_event()
    response = _fill(client, submission, previewed)
    assert response.status_code == 302
    assert _stored(submission) == FILLED
    events = Event.objects.filter(pk__gt=since)
    assert events.filter(action=Action.UPDATE, object_type="reports.datavalue").count() == 8
    assert events.filter(object_type="reports.submission").get().changes == {
        "prefill": [None, "cases"]
    }
    assert DUPLICATE not in json.dumps(list(events.values("changes", "object_repr")))
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("người gây bạo lực không rõ giới tính" in m for m in messages)


def test_a_fill_without_the_preview_changes_nothing(client, world, open_round, reporter):
    submission = Submission.objects.get(round=open_round, unit__code="SYT")
    client.force_login(reporter)
    response = _fill(client, submission, follow=True)
    assert not DataValue.objects.filter(submission=submission).exists()
    assert "chưa ô nào bị thay đổi" in response.content.decode()


def test_a_case_added_since_the_preview_refuses_the_fill(client, world, open_round, reporter):
    """The fill writes what the preview showed or nothing: a consented incident recorded in
    between changes the counts, though no cell of the report changed."""
    submission = Submission.objects.get(round=open_round, unit__code="SYT")
    client.force_login(reporter)
    previewed, _page = _preview(client, submission)
    record(world["syt"], name="Ghi sau khi xem", kind=IncidentType.PHYSICAL)
    since = _last_event()
    response = _fill(client, submission, previewed, follow=True)
    assert "Số liệu nguồn đã thay đổi từ khi xem trước" in response.content.decode()
    assert not DataValue.objects.filter(submission=submission).exists()
    assert not Event.objects.filter(pk__gt=since, action=Action.UPDATE).exists()
    previewed, _page = _preview(client, submission)
    assert _fill(client, submission, previewed).status_code == 302
    assert _stored(submission)["BDG_M3_NN", "FEMALE"] == "11"


def test_a_cell_typed_since_the_preview_refuses_the_fill(client, world, open_round, reporter):
    submission = Submission.objects.get(round=open_round, unit__code="SYT")
    client.force_login(reporter)
    previewed, _page = _preview(client, submission)
    row = open_round.form.rows().get(data_element__code="BDG_M3_GBL")
    combo = row.data_element.category_combo.option_combos.get(code="MALE")
    services.save_values(
        submission=submission,
        cells=[services.CellInput(row=row, option_combo=combo, raw="9", expected_version=0)],
        actor=reporter,
    )
    response = _fill(client, submission, previewed, follow=True)
    assert "Các ô đã thay đổi từ khi xem trước" in response.content.decode()
    assert _stored(submission) == {("BDG_M3_GBL", "MALE"): "9"}


def test_a_cell_not_marked_sensitive_is_never_filled_from_cases(
    client, world, open_round, reporter
):
    """Case-derived cells are small counts about people wherever they land: the source fills
    only elements that the analytics protect as sensitive."""
    DataElement.objects.filter(code="BDG_M3_NN_DV").update(sensitive=False)
    submission = Submission.objects.get(round=open_round, unit__code="SYT")
    client.force_login(reporter)
    previewed, preview = _preview(client, submission)
    assert "BDG_M3_NN_DV chưa được đánh dấu" in preview
    response = _fill(client, submission, previewed, follow=True)
    assert "chỉ được điền vào chỉ tiêu đánh dấu “số liệu nhạy cảm”" in response.content.decode()
    assert not DataValue.objects.filter(submission=submission).exists()


def test_a_reporter_of_another_unit_gets_404(client, world, open_round, outsider):
    submission = Submission.objects.get(round=open_round, unit__code="SYT")
    client.force_login(outsider)
    url = reverse("reports:prefill", args=[submission.pk, "cases"])
    assert client.get(url).status_code == 404
    assert _fill(client, submission).status_code == 404
    assert not DataValue.objects.filter(submission=submission).exists()


def test_no_button_on_a_locked_report(client, world, reporter):
    submission = Submission.objects.get(round__code="BDG-2025", unit__code="SYT")
    client.force_login(reporter)
    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert "Lấy số liệu từ hồ sơ hỗ trợ nạn nhân" not in page


# Statistical windows ---------------------------------------------------------------------------

LATE = datetime.date(2025, 12, 20)  # in the test round (to 31/12), after Báo cáo năm 2025 (14/12)
DAY = datetime.timedelta(days=1)


def _late_incidents(world, n):
    for i in range(n):
        record(world["syt"], name=f"Cuối năm {i}", kind=IncidentType.PHYSICAL, day=LATE)


def test_a_round_a_few_incidents_away_from_an_earlier_one_is_refused(
    client, world, coordinator, window
):
    """The test round (01/01–31/12/2025) and Báo cáo 6 tháng đầu năm 2025 (15/12/2024–14/06/2025)
    both count the 12 incidents of March; two more in late December would be the difference."""
    _late_incidents(world, 2)
    client.force_login(coordinator)
    since = _last_event()
    response = client.get(reverse("cases:stats"), window)
    assert "result" not in response.context
    page = response.content.decode()
    refusal = (
        "Không hiển thị vì so với kỳ Báo cáo 6 tháng đầu năm 2025 (15/12/2024–14/06/2025) chỉ "
        "chênh lệch dưới 5 vụ việc, có thể suy ra từng vụ việc."
    )
    assert refusal in page
    assert "Chỉ thống kê theo kỳ báo cáo định kỳ" in page  # the rule, explained
    event = Event.objects.get(pk__gt=since)
    assert event.action == Action.VIEW and "không hiển thị" in event.object_repr
    since = _last_event()
    download = client.get(reverse("cases:stats_xlsx", args=["types"]), window)
    assert download.status_code == 302 and download["Location"] == reverse("cases:stats")
    assert [str(m) for m in download.wsgi_request._messages] == [refusal]
    assert not Event.objects.filter(pk__gt=since, action=Action.EXPORT).exists()
    # The earlier rounds still show, and the latest shown one is the default.
    default = client.get(reverse("cases:stats")).context["result"]
    assert (default.start, default.end) == (datetime.date(2024, 12, 15), END - 17 * DAY)


@pytest.mark.parametrize("late", [0, 5])
def test_a_round_zero_or_five_incidents_away_is_shown(client, world, coordinator, window, late):
    _late_incidents(world, late)
    client.force_login(coordinator)
    result = client.get(reverse("cases:stats"), window).context["result"]
    assert result.total == 12 + late
    download = client.get(reverse("cases:stats_xlsx", args=["types"]), window)
    assert download["Content-Type"] == XLSX_MIME


def test_the_rule_is_decided_in_the_pages_agency_scope(client, world, window):
    """The late incidents are Sở Y tế's: Công an tỉnh's windows differ by nothing."""
    _late_incidents(world, 2)
    client.force_login(world["cat"])
    assert client.get(reverse("cases:stats"), window).context["result"].total == "<5"
    client.force_login(world["syt"])
    assert "result" not in client.get(reverse("cases:stats"), window).context


def test_window_verdicts_follow_the_creation_order(world, open_round):
    _late_incidents(world, 2)
    rounds = list(stats.official_rounds())
    verdicts = stats.window_verdicts(rounds)
    half, annual = Round.objects.get(code="BDG-2025S1"), Round.objects.get(code="BDG-2025")
    assert verdicts == {half.pk: None, annual.pk: None, open_round.pk: half}
    # Without the six-month round, the annual one (also 2 away) refuses the test round.
    assert stats.window_verdicts([annual, open_round])[open_round.pk] == annual


def test_an_ad_hoc_round_is_not_offered_nor_counted(client, world, coordinator, open_round):
    adhoc = Round.objects.create(
        code="BLG-DOTXUAT",
        name="Đợt đột xuất",
        form=open_round.form,
        kind=RoundKind.ADHOC,
        period="2025",
        window_start=datetime.date(2025, 3, 1),
        window_end=datetime.date(2025, 3, 2),
        opens_on=open_round.opens_on,
        due_on=open_round.due_on,
        lock_on=open_round.lock_on,
        scope=open_round.scope,
    )
    client.force_login(coordinator)
    response = client.get(reverse("cases:stats"))
    assert adhoc not in response.context["form"].fields["round"].queryset
    assert "Đợt đột xuất" not in response.content.decode()
    asked = client.get(reverse("cases:stats"), {"round": adhoc.pk})
    assert "result" not in asked.context
    assert "chỉ thống kê theo kỳ báo cáo định kỳ" in asked.content.decode()
    download = client.get(reverse("cases:stats_xlsx", args=["types"]), {"round": adhoc.pk})
    assert download.status_code == 302


SMALL_TEXTS = {"1", "2", "3", "4"}


def _analytics_texts(client, user, accepted: bool) -> list[str]:
    from accounts.models import ApiToken

    _token, key = ApiToken.issue(user)
    dx = ";".join(stats.REPORT_ELEMENTS)
    response = client.get(
        "/api/v1/analytics",
        {
            "dimension": [f"dx:{dx}", "pe:BLG-KIEMTRA", "ou:51;LEVEL-2", "co"],
            "acceptedOnly": "true" if accepted else "false",
        },
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.content
    return [row[-1] for row in response.json()["rows"]]


@pytest.mark.parametrize("persona", ["coordinator", "leader"])
def test_cells_filled_from_cases_never_reach_others_exactly(
    client, world, open_round, reporter, coordinator, leader, persona
):
    """The unit fills its report from its cases (FILLED holds 1s and 2s); the coordinator and
    the leader then read it every way they can: no exact 1–4 of a GBV element anywhere."""
    from analytics import pivot
    from reports.exchange import adx

    submission = Submission.objects.get(round=open_round, unit__code="SYT")
    client.force_login(reporter)
    previewed, _preview_page = _preview(client, submission)
    _fill(client, submission, previewed)
    assert _stored(submission) == FILLED
    reader = {"coordinator": coordinator, "leader": leader}[persona]
    client.force_login(reader)

    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert page.count('class="cell masked"') >= len(FILLED)  # the form's other GBV rows too
    for code, _combo in FILLED:
        row = submission.round.form.rows().get(data_element__code=code)
        assert f'id="c-{row.pk}-' not in page  # no input, no value of a GBV cell

    book = load_workbook(
        io.BytesIO(client.get(reverse("reports:xlsx_download", args=[submission.pk])).content)
    )
    for sheet in book.worksheets:
        for line in sheet.iter_rows(values_only=True):
            if line and line[0] in stats.REPORT_ELEMENTS:
                assert not any(str(v) in SMALL_TEXTS for v in line[4:] if v is not None)

    from accounts.models import ApiToken

    _token, key = ApiToken.issue(reader)
    headers = {"Authorization": f"Bearer {key}"}
    exported = client.get("/api/v1/dataValueSets", headers=headers).json()["dataValues"]
    assert not [v for v in exported if v["dataElement"] in stats.REPORT_ELEMENTS]
    csv_text = client.get("/api/v1/dataValueSets.csv", headers=headers).content.decode()
    assert not any(code in csv_text for code in stats.REPORT_ELEMENTS)
    adx_text = client.get("/api/v1/adx", headers=headers).content.decode()
    assert adx.NS in adx_text and not any(code in adx_text for code in stats.REPORT_ELEMENTS)

    for accepted in (False, True):
        texts = _analytics_texts(client, reader, accepted)
        assert texts and not SMALL_TEXTS & set(texts)
    for level in ("province", "kind", "unit"):
        layout = pivot.Layout(
            rows=["dx", "ou"],
            columns=["sex"],
            dx=list(stats.REPORT_ELEMENTS),
            pe=["BLG-KIEMTRA"],
            level=level,
        )
        table = pivot.build(user=reader, layout=layout)
        texts = {table.cell(r, c).text for r in table.row_keys for c in table.column_keys}
        assert texts and not SMALL_TEXTS & texts
    # The leader's one page and the home pages (which carry its headline).
    meeting = client.get(reverse("analytics:meeting")).context
    shown = {text for _element, *texts in meeting["gbv"] for text in texts}
    assert meeting["round"] == open_round and "<5" in shown and not SMALL_TEXTS & shown
