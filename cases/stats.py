"""GBV statistics: the only code path that counts case records (security.md, "Statistics from GBV
data").

What is counted: an incident of a GBV type (not NOT_GBV) that occurred inside the window, whose case
has a valid statistics consent *at the time of the run* (withdrawing it removes the incident from
the next run) and belongs to one of the scope's agencies. One incident recorded by several agencies
(same `Incident.dedup_key`) counts once; its first record (lowest id) stands for it in every table,
so each table adds up to the same total.

What is shown: counts protected by `reports.disclosure.protect_breakdowns` (small cells "<5",
cells hidden to protect them "x", zero shown as 0: an empty cell identifies nobody). Exact counts
leave this module only into the unit's own report (`report_counts`, through the prefill source
`report_values`), which is that unit's own data.
"""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Min, OuterRef, Subquery
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.spreadsheet import put_text
from indicators.models import vi_number
from orgs.models import Unit
from reports.disclosure import HIDDEN, SMALL, Protected, coarsen, protect_breakdowns
from reports.models import Round, RoundKind

from .models import (
    RECEIVED,
    AgeBand,
    Consent,
    ConsentPurpose,
    HarmForm,
    HarmMapping,
    Incident,
    IncidentType,
    Outcome,
    PerpetratorSex,
    ServiceRecord,
    ServiceType,
    Sex,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

GBV_TYPES = [t for t in IncidentType if t != IncidentType.NOT_GBV]

# Strategy targets for 2025 (Resolution 28/NQ-CP, objective 3, target 2).
SERVED_TARGET = 80
COUNSELLED_TARGET = 50

# The reporting form's GBV data elements, filled from the unit's cases (`report_values`). They
# must be marked sensitive (the prefill source refuses others, the catalogue keeps them marked).
VICTIMS = "BDG_M3_NN"
VICTIMS_SERVED = "BDG_M3_NN_DV"
PERPETRATORS = "BDG_M3_GBL"
PERPETRATORS_COUNSELLED = "BDG_M3_GBL_TV"
REPORT_ELEMENTS = (VICTIMS, VICTIMS_SERVED, PERPETRATORS, PERPETRATORS_COUNSELLED)
SEX = {"FEMALE": Sex.FEMALE, "MALE": Sex.MALE}  # the form's option combo code → sex


# Counting (SQL) ---------------------------------------------------------------------------------


def counted_incidents(*, start: datetime.date, end: datetime.date, agencies=None):
    """Incidents that count, every agency's record of them (`first_records` de-duplicates)."""
    consented = Consent.objects.valid().filter(purpose=ConsentPurpose.STATISTICS)
    incidents = Incident.objects.filter(
        occurred_on__range=(start, end), case__in=consented.values("case_id")
    ).exclude(incident_type=IncidentType.NOT_GBV)
    if agencies is not None:
        incidents = incidents.filter(case__agency__in=agencies)
    return incidents


def first_records(incidents):
    """One record per incident however many agencies recorded it: the first one."""
    firsts = incidents.order_by().values("dedup_key").annotate(first=Min("pk")).values("first")
    return Incident.objects.filter(pk__in=firsts)


def incident_count(incidents) -> int:
    return incidents.aggregate(n=Count("dedup_key", distinct=True))["n"]


def count_by(incidents, dimension: str) -> dict:
    """Distinct incidents per value of `dimension` (counted in SQL)."""
    rows = (
        first_records(incidents)
        .order_by()
        .values(dimension)
        .annotate(n=Count("dedup_key", distinct=True))
    )
    return {row[dimension]: row["n"] for row in rows}


def service_counts(incidents, start, end) -> dict[str, dict[str, int]]:
    """Cases per service type and outcome in the window: the latest outcome recorded in the window
    for each case and service type, so a service type's outcomes add up to its cases."""
    records = ServiceRecord.objects.filter(
        case__in=incidents.values("case_id"), on__range=(start, end)
    )
    latest = (
        records.filter(case=OuterRef("case"), service_type=OuterRef("service_type"))
        .order_by("-on", "-pk")
        .values("pk")[:1]
    )
    rows = (
        records.filter(pk=Subquery(latest))
        .order_by()
        .values("service_type", "outcome")
        .annotate(n=Count("case", distinct=True))
    )
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["service_type"], {})[row["outcome"]] = row["n"]
    return counts


# A node of `people`: ("survivor", record id), ("identity", identity key) or ("incident", its
# dedup key).
Node = tuple[str, int | str]


def people(rows) -> dict:
    """Survivor record id → person, from (survivor id, identity key, dedup key) rows.

    Records of one person at several agencies share the identity key (name + birth date) or an
    incident's dedup key. Both count: redaction blanks the identity key, and the shared incidents
    keep such records one person afterwards."""
    parent: dict[Node, Node] = {}

    def root(node: Node) -> Node:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for survivor, identity, dedup in rows:
        parent[root(("survivor", survivor))] = root(("incident", dedup))
        if identity:
            parent[root(("survivor", survivor))] = root(("identity", identity))
    return {node[1]: root(node) for node in list(parent) if node[0] == "survivor"}


def victims(incidents, start, end) -> dict[str, list[int]]:
    """Survivor sex → [persons with a counted incident, of whom received ≥ 1 service in the
    window (an outcome in models.RECEIVED)]."""
    rows = list(
        incidents.values_list(
            "case__survivor_id",
            "case__survivor__identity_key",
            "dedup_key",
            "case__survivor__sex",
            "case_id",
        )
    )
    served_cases = set(
        ServiceRecord.objects.filter(
            case__in=incidents.values("case_id"), on__range=(start, end), outcome__in=RECEIVED
        ).values_list("case_id", flat=True)
    )
    person_of = people((survivor, identity, dedup) for survivor, identity, dedup, *_ in rows)
    sex: dict[Node, str] = {}
    served: dict[Node, bool] = {}
    for survivor, _identity, _dedup, survivor_sex, case in rows:
        person = person_of[survivor]
        sex.setdefault(person, survivor_sex)
        served[person] = served.get(person, False) or case in served_cases
    counts = {s: [0, 0] for s in Sex.values}
    for person, person_sex in sex.items():
        counts[person_sex][0] += 1
        counts[person_sex][1] += served[person]
    return counts


def perpetrators(incidents) -> dict[str, dict[str, int]]:
    """Perpetrator sex → incidents, of which the perpetrator was prosecuted, and of which not
    prosecuted but counselled (one perpetrator per incident: they carry no identity)."""
    rows = (
        first_records(incidents)
        .order_by()
        .values("perpetrator_sex", "perpetrator_prosecuted", "perpetrator_counselled")
        .annotate(n=Count("dedup_key", distinct=True))
    )
    counts = {s: {"all": 0, "prosecuted": 0, "counselled": 0} for s in PerpetratorSex.values}
    for row in rows:
        tally = counts[row["perpetrator_sex"]]
        tally["all"] += row["n"]
        if row["perpetrator_prosecuted"]:
            tally["prosecuted"] += row["n"]
        elif row["perpetrator_counselled"]:
            tally["counselled"] += row["n"]
    return counts


def report_counts(*, unit, start, end) -> tuple[dict[tuple[str, str], int], int]:
    """Exact counts for a unit's own report: {(data element code, sex): n}, and how many
    perpetrators of unknown sex have no column to go in."""
    incidents = counted_incidents(start=start, end=end, agencies=[unit])
    people_by_sex = victims(incidents, start, end)
    perps = perpetrators(incidents)
    counts = {}
    for sex in Sex.values:
        counts[VICTIMS, sex], counts[VICTIMS_SERVED, sex] = people_by_sex[sex]
        counts[PERPETRATORS, sex] = perps[sex]["all"]
        counts[PERPETRATORS_COUNSELLED, sex] = perps[sex]["counselled"]
    return counts, perps[PerpetratorSex.UNKNOWN]["all"]


def report_values(submission) -> tuple[dict[tuple[str, str], int], list[str]]:
    """The prefill source of the unit's report (registered in apps.py): its counts by
    (data element code, option combo code) for the round's data window, and a warning for the
    perpetrators of unknown sex, who have no column to go in."""
    round_ = submission.round
    counts, unknown = report_counts(
        unit=submission.unit, start=round_.window_start, end=round_.window_end
    )
    values = {
        (code, combo): counts[code, sex] for code in REPORT_ELEMENTS for combo, sex in SEX.items()
    }
    warnings = []
    if unknown:
        warnings.append(
            _(
                "%(n)s người gây bạo lực không rõ giới tính không có cột để điền; hãy ghi chú "
                "vào ô nếu cần."
            )
            % {"n": unknown}
        )
    return values, warnings


# Statistical windows ----------------------------------------------------------------------------


def official_rounds():
    """The rounds statistics may be asked for: the periodic (six-month, annual) reporting rounds,
    in creation order. Ad-hoc rounds are not: anyone opening one chooses its window."""
    return Round.objects.filter(kind=RoundKind.PERIODIC).order_by("pk")


def _overlap(one, other) -> bool:
    return one.window_start <= other.window_end and other.window_start <= one.window_end


def _isolates(one, other, agencies) -> bool:
    """Whether the incidents counted in one window and not in the other, either way round, are
    1 to SMALL-1: subtracting the two totals would then single incidents out."""
    first = counted_incidents(start=one.window_start, end=one.window_end, agencies=agencies)
    second = counted_incidents(start=other.window_start, end=other.window_end, agencies=agencies)
    only_first = incident_count(first.exclude(dedup_key__in=second.values("dedup_key")))
    only_second = incident_count(second.exclude(dedup_key__in=first.values("dedup_key")))
    return any(0 < n < SMALL for n in (only_first, only_second))


def window_verdicts(rounds, agencies=None) -> dict:
    """Round pk → None when the round's statistics may be shown, else the earlier shown round it
    would be subtracted from. Rounds are taken in creation order (pk); a round is shown when,
    against every earlier shown round whose window overlaps its own, the incidents counted in one
    window and not the other are 0 or at least SMALL, both ways (counted as the page counts:
    `counted_incidents` in the same agencies, one per incident)."""
    shown: list[Round] = []
    verdicts: dict[int, Round | None] = {}
    for round_ in sorted(rounds, key=lambda r: r.pk):
        other = next(
            (s for s in shown if _overlap(s, round_) and _isolates(s, round_, agencies)), None
        )
        verdicts[round_.pk] = other
        if other is None:
            shown.append(round_)
    return verdicts


def refusal(round_, other) -> str:
    """Why a round's statistics are not shown (`other`: its verdict)."""
    return _(
        "Không hiển thị vì so với kỳ %(other)s (%(start)s–%(end)s) chỉ chênh lệch dưới 5 vụ việc, "
        "có thể suy ra từng vụ việc."
    ) % {
        "other": other.name,
        "start": f"{other.window_start:%d/%m/%Y}",
        "end": f"{other.window_end:%d/%m/%Y}",
    }


def window_rule() -> str:
    return _(
        "Chỉ thống kê theo kỳ báo cáo định kỳ (6 tháng, năm). Một kỳ có thời gian trùng với kỳ "
        "đã công bố trước đó chỉ được hiển thị khi số vụ việc chỉ thuộc một trong hai kỳ bằng 0 "
        "hoặc từ 5 trở lên: nếu không, lấy kết quả hai kỳ trừ cho nhau sẽ suy ra được từng vụ việc."
    )


# Presentation -----------------------------------------------------------------------------------


@dataclass
class Table:
    key: str
    title: str
    head: str  # the label column's header
    columns: list  # the value columns' headers
    rows: list = field(default_factory=list)  # (label, [values])
    total: list | None = None
    withheld: bool = False
    note: str = ""


@dataclass
class Statistics:
    start: datetime.date
    end: datetime.date
    total: int | str
    tables: list

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def percent(numerator, denominator) -> str:
    """A ratio as displayed: "x" unless both counts show (a ratio over a hidden count could give
    it away)."""
    if isinstance(numerator, str) or isinstance(denominator, str):
        return HIDDEN
    if not denominator:
        return "—"
    return vi_number(round(Decimal(numerator * 100) / Decimal(denominator), 1)) + "%"


def _add(*values):
    """A displayed sum of displayed counts: hidden if any part is."""
    return HIDDEN if any(isinstance(v, str) for v in values) else sum(values)


def _pairs(choices) -> list:
    return [(choice.value, choice.label) for choice in choices]


def _communes(counts: dict) -> list:
    """Commune keys in Vietnamese alphabetical order, unknown last."""
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[k for k in counts if k is not None])}
    ordered = sorted(units, key=lambda pk: units[pk].sort_key)
    return [(pk, units[pk].name) for pk in ordered] + (
        [(None, _("Không rõ"))] if None in counts else []
    )


def statistics(*, start: datetime.date, end: datetime.date, agencies=None) -> Statistics:
    """Every table of the statistics page, protected."""
    incidents = counted_incidents(start=start, end=end, agencies=agencies)
    total = incident_count(incidents)
    types, sexes, ages = (
        count_by(incidents, d)
        for d in ("incident_type", "case__survivor__sex", "survivor_age_band")
    )
    communes = count_by(incidents, "commune")
    perps = perpetrators(incidents).values()
    raw = {
        "types": {t.value: types.get(t, 0) for t in GBV_TYPES},
        "sex": {s: sexes.get(s, 0) for s in Sex.values},
        "age": {a: ages.get(a, 0) for a in AgeBand.values},
        "communes": communes,
        "perpetrators": {
            "prosecuted": sum(p["prosecuted"] for p in perps),
            "counselled": sum(p["counselled"] for p in perps),
            "not_counselled": sum(p["all"] - p["prosecuted"] - p["counselled"] for p in perps),
        },
    }
    shown = protect_breakdowns(raw, total)
    count = _("Số vụ việc")
    perpetrator_rows = [
        ("prosecuted", _("Đã bị truy cứu trách nhiệm hình sự")),
        ("counselled", _("Chưa bị truy cứu, đã được tư vấn, tham vấn")),
        ("not_counselled", _("Chưa bị truy cứu, chưa được tư vấn, tham vấn")),
    ]
    tables = [
        _table(
            shown,
            "types",
            _("Theo loại vụ việc (GBVIMS)"),
            _("Loại vụ việc"),
            count,
            _pairs(GBV_TYPES),
        ),
        _harm_table(raw["types"], shown),
        _table(shown, "sex", _("Theo giới tính nạn nhân"), _("Giới tính"), count, _pairs(Sex)),
        _table(
            shown,
            "age",
            _("Theo nhóm tuổi của nạn nhân khi xảy ra vụ việc"),
            _("Nhóm tuổi"),
            count,
            _pairs(AgeBand),
        ),
        _table(
            shown,
            "communes",
            _("Theo xã, phường nơi xảy ra"),
            _("Xã, phường"),
            count,
            _communes(communes),
        ),
        _table(
            shown,
            "perpetrators",
            _("Xử lý người gây bạo lực"),
            _("Tình trạng"),
            count,
            perpetrator_rows,
        ),
        _services_table(service_counts(incidents, start, end)),
        _indicators_table(victims(incidents, start, end), shown),
    ]
    return Statistics(start, end, shown.total, tables)


def _table(shown: Protected, key, title, head, column, labels) -> Table:
    table = Table(key, title, head, [column])
    if key in shown.withheld:
        table.withheld = True
        return table
    table.rows = [(text, [shown.cells[key][value]]) for value, text in labels]
    table.total = [shown.total]
    return table


def _harm_table(types: dict, shown: Protected) -> Table:
    table = Table(
        "harm",
        _("Theo hình thức bạo lực (Luật Phòng, chống bạo lực gia đình 2022)"),
        _("Hình thức bạo lực"),
        [_("Số vụ việc")],
        note=_("Cộng từ bảng theo loại vụ việc theo bảng ánh xạ loại vụ việc → hình thức."),
    )
    if "types" in shown.withheld:
        table.withheld = True
        return table
    sums = coarsen(types, shown.cells["types"], HarmMapping.objects.as_dict())
    labels: list[tuple[str | None, StrOrPromise]] = [(h.value, h.label) for h in HarmForm]
    if None in sums:
        labels.append((None, _("Chưa xác định hình thức")))
    table.rows = [(text, [sums.get(value, 0)]) for value, text in labels]
    table.total = [shown.total]
    return table


def _services_table(counts: dict) -> Table:
    """Each service type's outcomes add up to its own total (cases): protected row by row."""
    table = Table(
        "services",
        _("Dịch vụ hỗ trợ theo kết quả (số hồ sơ)"),
        _("Loại dịch vụ"),
        [o.label for o in Outcome] + [_("Tổng số")],
        note=_("Kết quả ghi nhận sau cùng trong kỳ của mỗi hồ sơ với mỗi loại dịch vụ."),
    )
    for service in ServiceType:
        cells = {o: counts.get(service, {}).get(o, 0) for o in Outcome.values}
        row = protect_breakdowns({"row": cells}, sum(cells.values()))
        values = (
            [HIDDEN] * len(cells) if row.withheld else [row.cells["row"][o] for o in Outcome.values]
        )
        table.rows.append((service.label, [*values, row.total]))
    return table


def _indicators_table(people_by_sex: dict, shown: Protected) -> Table:
    """The strategy's two indicators; a ratio over a hidden count shows "x"."""
    detected = sum(n for n, _served in people_by_sex.values())
    served = sum(s for _n, s in people_by_sex.values())
    persons = protect_breakdowns({"people": {"served": served, "not": detected - served}}, detected)
    numerator = persons.cells["people"]["served"] if not persons.withheld else HIDDEN
    perps = shown.cells.get("perpetrators")
    counselled = perps["counselled"] if perps else HIDDEN
    not_prosecuted = _add(perps["counselled"], perps["not_counselled"]) if perps else HIDDEN
    table = Table(
        "indicators",
        _("Chỉ tiêu của Chiến lược quốc gia về bình đẳng giới (mục tiêu 3)"),
        _("Chỉ tiêu"),
        [_("Số đạt"), _("Trên tổng số"), _("Tỷ lệ"), _("Mục tiêu năm 2025")],
    )
    table.rows = [
        (
            _("Nạn nhân được phát hiện đã được tiếp cận ít nhất một dịch vụ hỗ trợ cơ bản"),
            [numerator, persons.total, percent(numerator, persons.total), f"{SERVED_TARGET}%"],
        ),
        (
            _("Người gây bạo lực chưa bị truy cứu trách nhiệm hình sự được tư vấn, tham vấn"),
            [
                counselled,
                not_prosecuted,
                percent(counselled, not_prosecuted),
                f"{COUNSELLED_TARGET}%",
            ],
        ),
    ]
    return table


def legend() -> str:
    return _(
        "“<5”: từ 1 đến 4; “x”: ẩn để không suy ra được ô nhỏ; 0: không có. Chỉ tính vụ việc có "
        "sự đồng ý đưa vào thống kê còn hiệu lực; vụ việc do nhiều cơ quan ghi nhận tính một lần."
    )


def table_xlsx(table: Table, heading: list[str]) -> bytes:
    """One table as a workbook: the heading lines, the table as displayed, the legend. Numbers
    are numbers; text goes through the one spreadsheet text rule (never a formula)."""
    lines: list[list] = [[line] for line in heading]
    lines.append([])
    lines.append([table.head, *table.columns])
    if table.withheld:
        lines.append([_("Không công bố bảng này: số liệu quá nhỏ.")])
    lines.extend([text, *values] for text, values in table.rows)
    if table.total is not None:
        lines.append([_("Tổng số"), *table.total])
    lines.append([])
    lines.append([legend()])
    if table.note:
        lines.append([table.note])
    book = Workbook()
    sheet = book.active
    sheet.title = table.key
    for number, line in enumerate(lines, start=1):
        for position, value in enumerate(line, start=1):
            cell = sheet.cell(row=number, column=position)
            if isinstance(value, int):
                cell.value = value
            else:
                put_text(cell, str(value))
    sheet.column_dimensions["A"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
