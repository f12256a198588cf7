"""The reporting cycle over the API: DHIS2-compatible data exchange and the lists behind it.

Identifiers are codes (DHIS2's idScheme=CODE): dataElement = DataElement.code,
categoryOptionCombo = CategoryOptionCombo.code, orgUnit = Unit.code, dataSet = Form.code.
`period` is the ROUND code (BDG-2025S1): one DHIS2 period (2025S1) may hold several exercises (a
periodic and an ad-hoc round), a round code names exactly one. A DHIS2 period code (Round.period)
is accepted as an alias where it names exactly one round the caller can see.

"No data" (a cell declared empty, with its reason) travels as DHIS2's comment-only value: an empty
`value` with the reason in `comment`. On import an empty value with a comment declares "no data";
an empty value without one clears the cell, as DHIS2 deletes it. Cleared cells are not exported.

Imports are all-or-nothing: one conflict and nothing of the payload is stored (HTTP 409, every
problem listed in Vietnamese). dryRun runs every check and the writes, then rolls them back.
"""

import csv
import datetime
import io
import json
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from indicators.models import DEFAULT, CategoryOptionCombo, DataElement
from orgs.models import Unit

from . import disclosure, services
from .models import DataValue, Form, Round, Row, Submission

router = Router(tags=["reports"])

EDITORS = services.EDITORS
CSV_HEADER = [
    "dataelement",
    "period",
    "orgunit",
    "catoptcombo",
    "attroptcombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
]
CSV_TYPES = ("text/csv", "application/csv")
# A spreadsheet runs a cell starting with these as a formula (OWASP CSV injection); the quote is
# escaped too so that reading back (strip one leading quote) restores every text exactly.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


class ErrorOut(Schema):
    detail: str


# --- dataValueSets: export ---------------------------------------------------------------------


class DataValueOut(Schema):
    dataElement: str
    period: str
    orgUnit: str
    categoryOptionCombo: str
    attributeOptionCombo: str = DEFAULT
    value: str
    comment: str
    storedBy: str
    lastUpdated: str
    followup: bool = False


class DataValueSetOut(Schema):
    dataValues: list[DataValueOut]


class ExportError(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def _resolve_rounds(user, codes) -> tuple[dict, dict]:
    """Rounds named by round code, or by a DHIS2 period code naming exactly one round the caller
    sees: ({given code: Round}, {given code: (HTTP status, Vietnamese problem)})."""
    codes = {c for c in codes if c}
    visible = list(
        Round.objects.for_user(user)
        .filter(Q(code__in=codes) | Q(period__in=codes))
        .select_related("form")
    )
    found, problems = {}, {}
    for code in codes:
        exact = [r for r in visible if r.code == code]
        by_period = [r for r in visible if r.period == code]
        if exact:
            found[code] = exact[0]
        elif len(by_period) == 1:
            found[code] = by_period[0]
        elif by_period:
            rounds = ", ".join(sorted(r.code for r in by_period))
            problems[code] = (
                400,
                _("kỳ “%(period)s” ứng với nhiều đợt báo cáo (%(rounds)s): hãy dùng mã đợt.")
                % {"period": code, "rounds": rounds},
            )
        else:
            problems[code] = (404, _("không có đợt báo cáo (kỳ) mã “%(code)s”.") % {"code": code})
    return found, problems


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _parse_since(text: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ExportError(
            400, _("lastUpdated “%(value)s” không phải ngày giờ ISO.") % {"value": text[:40]}
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _export_values(user, *, data_set, periods, org_units, children, last_updated):
    """Raw values in the user's scope; sensitive ones only of the user's own unit (disclosure)."""
    values = disclosure.exact_values(
        user, DataValue.objects.for_user(user).filter(Q(no_data=True) | ~Q(value=""))
    )
    if data_set:
        if not Form.objects.for_user(user).filter(code=data_set).exists():
            raise ExportError(404, _("Không có biểu mẫu mã “%(code)s”.") % {"code": data_set})
        values = values.filter(submission__round__form__code=data_set)
    if periods:
        rounds, problems = _resolve_rounds(user, periods)
        if problems:
            status, message = problems[min(problems)]
            raise ExportError(status, _sentence(message))
        values = values.filter(submission__round__in=rounds.values())
    if org_units:
        units = dict(
            Unit.objects.for_user(user).filter(code__in=org_units).values_list("code", "pk")
        )
        missing = sorted(set(org_units) - set(units))
        if missing:
            # Unknown and out of scope read the same: another unit's existence is not disclosed.
            raise ExportError(404, _("Không có đơn vị mã “%(code)s”.") % {"code": missing[0]})
        ids = set(units.values())
        if children:
            ids = set().union(*(Unit.subtree_ids(pk) for pk in units.values()))
        values = values.filter(submission__unit__in=ids)
    if last_updated:
        values = values.filter(updated_at__gte=_parse_since(last_updated))
    return values.select_related(
        "data_element", "option_combo", "submission__round", "submission__unit", "updated_by"
    ).order_by(
        "submission__round__code",
        "submission__unit__code",
        "data_element__code",
        "option_combo__sort_order",
        "option_combo__code",
    )


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _value_row(value: DataValue) -> dict:
    return {
        "dataElement": value.data_element.code,
        "period": value.submission.round.code,
        "orgUnit": value.submission.unit.code,
        "categoryOptionCombo": value.option_combo.code,
        "attributeOptionCombo": DEFAULT,
        "value": "" if value.no_data else value.value,
        "comment": value.comment,
        "storedBy": value.updated_by.username if value.updated_by_id else "",
        "lastUpdated": _timestamp(value.updated_at),
        "followup": False,
    }


def csv_escape(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_unescape(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] and text[1:2] in FORMULA_START else text


def export_csv(rows: list[dict]) -> bytes:
    """DHIS2's CSV columns; no cell can start a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            csv_escape(str(cell))
            for cell in (
                row["dataElement"],
                row["period"],
                row["orgUnit"],
                row["categoryOptionCombo"],
                row["attributeOptionCombo"],
                row["value"],
                row["storedBy"],
                row["lastUpdated"],
                row["comment"],
                "true" if row["followup"] else "false",
            )
        )
    return out.getvalue().encode()


def _export(request, fmt, data_set, period, org_unit, children, last_updated):
    fmt = (fmt or "").lower()
    if fmt not in ("", "json", "csv"):
        return 400, {"detail": _("format chỉ nhận “json” hoặc “csv”.")}
    if not fmt:
        accept = request.headers.get("Accept", "")
        fmt = "csv" if any(kind in accept for kind in CSV_TYPES) else "json"
    try:
        values = _export_values(
            request.auth,
            data_set=data_set,
            periods=period or [],
            org_units=org_unit or [],
            children=children,
            last_updated=last_updated,
        )
    except ExportError as error:
        return error.status, {"detail": error.detail}
    rows = [_value_row(v) for v in values.iterator(chunk_size=2000)]
    if fmt == "csv":
        response = HttpResponse(export_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="dataValueSets.csv"'
        return response
    return 200, {"dataValues": rows}


EXPORT_DOC = {
    "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
}


@router.get(
    "/dataValueSets",
    response={200: DataValueSetOut, 400: ErrorOut, 404: ErrorOut},
    openapi_extra=EXPORT_DOC,
)
def get_data_value_sets(
    request,
    dataSet: str | None = None,
    period: list[str] = Query(None),  # noqa: B008
    orgUnit: list[str] = Query(None),  # noqa: B008
    children: bool = False,
    lastUpdated: str | None = None,
    format: str | None = None,
):
    """Values the caller can see, DHIS2 JSON (or CSV: `format=csv`, `Accept: text/csv`, or
    `/dataValueSets.csv`). Every filter is optional. `period` (repeatable) is a round code, or a
    DHIS2 period code naming one round; `orgUnit` (repeatable) with `children=true` takes the
    units' subtrees; `lastUpdated` (ISO date or date-time) keeps values changed since then.
    "No data" cells: empty `value`, the reason in `comment`."""
    return _export(request, format, dataSet, period, orgUnit, children, lastUpdated)


@router.get("/dataValueSets.csv", response={400: ErrorOut, 404: ErrorOut}, openapi_extra=EXPORT_DOC)
def get_data_value_sets_csv(
    request,
    dataSet: str | None = None,
    period: list[str] = Query(None),  # noqa: B008
    orgUnit: list[str] = Query(None),  # noqa: B008
    children: bool = False,
    lastUpdated: str | None = None,
):
    """The same export as DHIS2 CSV (header
    `dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup`;
    a cell starting with = + - @ ' gets a leading quote)."""
    return _export(request, "csv", dataSet, period, orgUnit, children, lastUpdated)


# --- dataValueSets: import ---------------------------------------------------------------------


class ImportCount(Schema):
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0


class Conflict(Schema):
    object: str
    value: str
    indexes: list[int] = []


class ImportSummary(Schema):
    status: str
    importCount: ImportCount
    conflicts: list[Conflict]
    dryRun: bool


class BadPayload(Exception):
    pass


@dataclass
class Record:
    index: int  # position among the payload's values, 0-based (DHIS2's conflict "indexes")
    where: str  # how a person finds it: "Giá trị số 3" (JSON) or "Dòng 4" (CSV)
    data_element: str
    period: str
    org_unit: str
    option_combo: str
    attribute_combo: str
    value: str
    comment: str
    last_updated: str = ""  # when the sender's copy was last changed (exports carry it)


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str | int | float):
        return str(raw)
    raise ValueError


def _conflict(obj: str, where: str, message: str, indexes: list[int]) -> dict:
    return {"object": obj, "value": f"{where}: {message}" if where else message, "indexes": indexes}


def records_from_json(body: bytes) -> tuple[list[Record], list[dict], str]:
    """The values (period, orgUnit and attributeOptionCombo may sit on the set), the values that
    cannot be read, and the set's dataSet."""
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadPayload(_("Nội dung gửi lên không phải JSON hợp lệ.")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("dataValues"), list):
        raise BadPayload(_("Thiếu danh sách “dataValues”."))
    try:
        data_set = _text(payload.get("dataSet")).strip()
    except ValueError:
        raise BadPayload(_("dataSet phải là mã biểu mẫu.")) from None
    records, unreadable = [], []
    for index, item in enumerate(payload["dataValues"]):
        where = _("Giá trị số %(n)s") % {"n": index + 1}
        try:
            if not isinstance(item, dict):
                raise ValueError
            own = ("dataElement", "categoryOptionCombo", "value", "comment", "lastUpdated")
            shared = ("period", "orgUnit", "attributeOptionCombo")
            field = {key: _text(item.get(key)) for key in own} | {
                key: _text(item.get(key, payload.get(key))) for key in shared
            }
        except ValueError:
            unreadable.append(_conflict("dataValues", where, _("không đọc được."), [index]))
            continue
        records.append(
            Record(
                index=index,
                where=where,
                data_element=field["dataElement"].strip(),
                period=field["period"].strip(),
                org_unit=field["orgUnit"].strip(),
                option_combo=field["categoryOptionCombo"].strip(),
                attribute_combo=field["attributeOptionCombo"].strip(),
                value=field["value"],
                comment=field["comment"],
                last_updated=field["lastUpdated"].strip(),
            )
        )
    return records, unreadable, data_set


def records_from_csv(body: bytes) -> tuple[list[Record], list[dict], str]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadPayload(_("Tệp CSV phải mã hóa UTF-8.")) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    records, unreadable, index = [], [], 0
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if reader.line_num == 1 and cells[0].strip().lower() == CSV_HEADER[0]:
                continue  # the header row, ignored as DHIS2 does
            where = _("Dòng %(n)s") % {"n": reader.line_num}
            if len(cells) < 6:
                message = _("cần ít nhất 6 cột (dataelement, period, orgunit, …, value).")
                unreadable.append(_conflict("csv", where, message, [index]))
            else:
                cells = [csv_unescape(cell) for cell in cells] + [""] * (10 - len(cells))
                records.append(
                    Record(
                        index=index,
                        where=where,
                        data_element=cells[0].strip(),
                        period=cells[1].strip(),
                        org_unit=cells[2].strip(),
                        option_combo=cells[3].strip(),
                        attribute_combo=cells[4].strip(),
                        value=cells[5],
                        comment=cells[8],
                        last_updated=cells[7].strip(),
                    )
                )
            index += 1
    except csv.Error:
        message = _("Tệp CSV sai định dạng ở dòng %(n)s.") % {"n": reader.line_num}
        raise BadPayload(message) from None
    return records, unreadable, ""


class Lookups:
    """Everything a payload names, fetched in a few queries and scoped to the caller."""

    def __init__(self, user, records: list[Record]):
        def codes(attr):
            return {getattr(r, attr) for r in records} - {""}

        catalogue = DataElement.objects.for_user(user)
        self.elements = catalogue.in_bulk(codes("data_element"), field_name="code")
        self.combos = CategoryOptionCombo.objects.for_user(user).in_bulk(
            codes("option_combo") | {DEFAULT}, field_name="code"
        )
        # Unit codes are public reference data: looked up unscoped to tell "unknown" from "not
        # yours"; only units in the caller's scope can receive values.
        self.units = Unit.objects.in_bulk(codes("org_unit"), field_name="code")
        self.scope = set(
            Unit.objects.for_user(user).filter(code__in=self.units).values_list("pk", flat=True)
        )
        self.rounds, self.round_problems = _resolve_rounds(user, codes("period"))
        self.submissions = {
            (s.round_id, s.unit_id): s
            for s in Submission.objects.for_user(user)
            .filter(round__in=self.rounds.values(), unit__in=self.scope)
            .select_related("round", "unit")
        }
        self.rows = {}  # form id → {data element id: its (first) row in the form}
        for form_id in {r.form_id for r in self.rounds.values()}:
            rows = Row.objects.filter(section__form_id=form_id).select_related(
                "data_element", "part_of__data_element"
            )
            by_element = self.rows[form_id] = {}
            for row in rows.order_by("section__order", "section_id", "order", "id"):
                by_element.setdefault(row.data_element_id, row)


def _problems(record: Record, found: Lookups, data_set: str) -> list[tuple[str, str]]:
    """(object, Vietnamese message) for everything wrong with a value's identifiers."""
    problems = []
    element = found.elements.get(record.data_element)
    combo = found.combos.get(record.option_combo or DEFAULT)
    unit = found.units.get(record.org_unit)
    round_ = found.rounds.get(record.period)
    if element is None:
        message = _("không có chỉ tiêu mã “%(c)s”.") % {"c": record.data_element}
        problems.append((record.data_element, message))
    if combo is None:
        message = _("không có phương án phân tổ mã “%(c)s”.") % {"c": record.option_combo}
        problems.append((record.option_combo, message))
    elif element is not None and combo.combo_id != element.category_combo_id:
        message = _("phương án phân tổ “%(c)s” không dùng cho chỉ tiêu “%(e)s”.") % {
            "c": combo.code,
            "e": element.code,
        }
        problems.append((combo.code, message))
    if record.attribute_combo not in ("", DEFAULT):
        message = _("attributeOptionCombo chỉ nhận “default”.")
        problems.append((record.attribute_combo, message))
    if unit is None:
        message = _("không có đơn vị mã “%(c)s”.") % {"c": record.org_unit}
        problems.append((record.org_unit, message))
    elif unit.pk not in found.scope:
        message = _("đơn vị “%(c)s” ngoài phạm vi được phép của bạn.") % {"c": unit.code}
        problems.append((unit.code, message))
    if round_ is None:
        message = (
            found.round_problems[record.period][1]
            if record.period
            else _("thiếu kỳ báo cáo (period: mã đợt báo cáo).")
        )
        problems.append((record.period, message))
        return problems
    if data_set and round_.form.code != data_set:
        message = _("đợt “%(r)s” không dùng biểu mẫu “%(f)s”.") % {"r": round_.code, "f": data_set}
        problems.append((round_.code, message))
    if element is not None and element.pk not in found.rows[round_.form_id]:
        message = _("chỉ tiêu “%(e)s” không có trong biểu mẫu của đợt “%(r)s”.") % {
            "e": element.code,
            "r": round_.code,
        }
        problems.append((element.code, message))
    if unit is not None and unit.pk in found.scope:
        if (round_.pk, unit.pk) not in found.submissions:
            message = _("đơn vị “%(u)s” không được giao báo cáo trong đợt “%(r)s”.") % {
                "u": unit.code,
                "r": round_.code,
            }
            problems.append((unit.code, message))
    return problems


STRATEGIES = ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE")


def _same(existing: DataValue, cell: services.CellInput) -> bool:
    try:
        value = cell.row.data_element.clean_value(cell.raw, machine=cell.machine)
    except ValidationError:
        return False  # save_values names the problem
    new = (value, cell.no_data, cell.comment.strip())
    return (existing.value, existing.no_data, existing.comment) == new


def _plan(record: Record, row: Row, combo, existing: DataValue | None, strategy: str, *, exact):
    """What importing one value does: (count name, the cell to save or None). A sensitive value
    the caller may not see (`exact` False) is never reported "ignored" for being the same as the
    stored one: the summary would tell what the stored value is (reports.disclosure)."""
    filled = existing is not None and existing.is_filled
    clear = services.CellInput(row=row, option_combo=combo, raw="")
    if strategy == "DELETE":
        return ("deleted", clear) if filled else ("ignored", None)
    if (strategy == "CREATE" and filled) or (strategy == "UPDATE" and not filled):
        return "skipped", None
    value, comment = record.value.strip(), record.comment.strip()
    if not value and not comment:
        return ("deleted", clear) if filled else ("ignored", None)
    cell = services.CellInput(
        row=row, option_combo=combo, raw=value, comment=comment, no_data=not value, machine=True
    )
    if filled and (exact or not row.data_element.sensitive) and _same(existing, cell):
        return "ignored", None
    return ("updated" if filled else "imported"), cell


def import_values(
    *, user, records, strategy: str, dry_run: bool, data_set="", unreadable=(), request=None
):
    """Apply values through save_values, one submission at a time inside ONE transaction: any
    conflict (an unreadable value included) or a dry run rolls all of it back. Returns (counts,
    conflicts)."""
    found = Lookups(user, records)
    conflicts, groups, seen = list(unreadable), {}, {}
    for record in records:
        problems = _problems(record, found, data_set)
        for obj, message in problems:
            conflicts.append(_conflict(obj, record.where, message, [record.index]))
        if problems:
            continue
        round_ = found.rounds[record.period]
        submission = found.submissions[(round_.pk, found.units[record.org_unit].pk)]
        row = found.rows[round_.form_id][found.elements[record.data_element].pk]
        combo = found.combos[record.option_combo or DEFAULT]
        key = (submission.pk, row.data_element_id, combo.pk)
        if key in seen:
            message = _("trùng với %(other)s (cùng chỉ tiêu, phân tổ, kỳ và đơn vị).") % {
                "other": seen[key].where
            }
            conflicts.append(_conflict(record.data_element, record.where, message, [record.index]))
            continue
        seen[key] = record
        groups.setdefault(submission.pk, (submission, []))[1].append((record, row, combo))
    counts = Counter()
    with transaction.atomic():
        # Lock the submissions (in a fixed order) so that the counts below stay true.
        list(Submission.objects.select_for_update().filter(pk__in=groups).order_by("pk"))
        for submission, items in groups.values():
            conflicts += _apply(submission, items, strategy, counts, user, request)
        if conflicts or dry_run:
            transaction.set_rollback(True)
    return counts, conflicts


def _overtaken(record: Record, existing: DataValue | None) -> bool:
    """A value sent with the time of its copy (as exports carry it) must not overwrite a value
    changed on the web after that: nothing is silently overwritten. Without a time, DHIS2's
    rule holds: the import wins."""
    if existing is None or not record.last_updated:
        return False
    try:
        sent = _parse_since(record.last_updated)
    except ExportError:
        return False
    changed = existing.updated_at.replace(
        microsecond=existing.updated_at.microsecond // 1000 * 1000
    )
    return changed > sent  # exports give milliseconds


def _apply(submission, items, strategy, counts, user, request) -> list[dict]:
    current = {(v.data_element_id, v.option_combo_id): v for v in submission.values.all()}
    cells, by_key = [], {}
    stale = []
    for record, row, combo in items:
        key = (row.data_element_id, combo.pk)
        exact = disclosure.sees_exact(user, submission.unit_id)
        action, cell = _plan(record, row, combo, current.get(key), strategy, exact=exact)
        if cell is not None and _overtaken(record, current.get(key)):
            message = _(
                "giá trị trên hệ thống đã được sửa lúc %(at)s, sau bản gửi lên (%(sent)s); "
                "hãy xuất dữ liệu mới rồi sửa lại."
            ) % {"at": _timestamp(current[key].updated_at), "sent": record.last_updated}
            stale.append(_conflict(record.data_element, record.where, message, [record.index]))
        counts[action] += 1
        if cell is not None:
            cells.append(cell)
            by_key[key] = record
    if stale:
        return stale
    try:
        # Even with nothing to change: a locked or submitted report is a conflict.
        services.save_values(submission=submission, cells=cells, actor=user, request=request)
    except services.CellErrors as error:
        return [
            _conflict(by_key[key].data_element, by_key[key].where, message, [by_key[key].index])
            for key, message in error.cells.items()
        ]
    except ValidationError as error:  # the report cannot be edited (locked, submitted…)
        name = f"{submission.round.code}/{submission.unit.code}"
        indexes = [record.index for record, _row, _combo in items]
        return [_conflict(name, name, " ".join(error.messages), indexes)]
    return []


def _summary(counts: Counter, conflicts: list, total: int, dry_run: bool) -> dict:
    if conflicts:  # nothing was stored: every value of the payload is ignored
        totals = {"imported": 0, "updated": 0, "deleted": 0, "ignored": total}
        status = "ERROR"
    else:
        totals = {
            "imported": counts["imported"],
            "updated": counts["updated"],
            "deleted": counts["deleted"],
            "ignored": counts["ignored"] + counts["skipped"],
        }
        status = "WARNING" if counts["skipped"] else "SUCCESS"
    return {"status": status, "importCount": totals, "conflicts": conflicts, "dryRun": dry_run}


IMPORT_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/DataValueSetOut"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/dataValueSets",
    response={200: ImportSummary, 400: ImportSummary, 403: ErrorOut, 409: ImportSummary},
    openapi_extra=IMPORT_DOC,
)
def post_data_value_sets(request, dryRun: bool = False, importStrategy: str = "CREATE_AND_UPDATE"):
    """Import DHIS2 JSON, or CSV with `Content-Type: text/csv` (a header row is skipped).
    All-or-nothing: with any conflict nothing is stored and the answer is 409 listing every one.
    `importStrategy`: CREATE (keep existing values), UPDATE (only existing ones),
    CREATE_AND_UPDATE, DELETE (clear the listed cells). An empty value with a comment is a
    "no data" cell; an empty value without one clears the cell. `ignored` counts values left as
    they were (unchanged, or skipped by the strategy: status WARNING)."""
    if request.auth.role not in EDITORS:
        return 403, {"detail": _("Bạn không có quyền nhập số liệu báo cáo.")}
    strategy = importStrategy.upper()
    try:
        if strategy not in STRATEGIES:
            message = _("importStrategy phải là một trong: %(s)s.") % {"s": ", ".join(STRATEGIES)}
            raise BadPayload(message)
        parse = records_from_csv if request.content_type in CSV_TYPES else records_from_json
        records, unreadable, data_set = parse(request.body)
    except BadPayload as error:
        return 400, _summary(Counter(), [_conflict("payload", "", str(error), [])], 0, dryRun)
    counts, conflicts = import_values(
        user=request.auth,
        records=records,
        strategy=strategy,
        dry_run=dryRun,
        data_set=data_set,
        unreadable=unreadable,
        request=request,
    )
    conflicts.sort(key=lambda c: c["indexes"][:1])
    summary = _summary(counts, conflicts, len(records) + len(unreadable), dryRun)
    return (409 if conflicts else 200), summary


# --- lists -------------------------------------------------------------------------------------


class OptionComboOut(Schema):
    code: str
    name: str


class DataElementOut(Schema):
    code: str
    name: str
    short_name: str
    value_type: str
    unit_of_measure: str
    aggregation: str
    sensitive: bool
    category_combo: str
    option_combos: list[OptionComboOut]

    @staticmethod
    def resolve_category_combo(element):
        return element.category_combo.code

    @staticmethod
    def resolve_option_combos(element):
        return list(element.category_combo.option_combos.all())


@router.get("/dataElements", response=list[DataElementOut])
def list_data_elements(request, dataSet: str | None = None):
    """The catalogue; `dataSet` (a form code) keeps the elements of that form."""
    elements = DataElement.objects.for_user(request.auth).select_related("category_combo")
    if dataSet:
        forms = Form.objects.for_user(request.auth).filter(code=dataSet)
        elements = elements.filter(rows__section__form__in=forms).distinct()
    return elements.prefetch_related("category_combo__option_combos").order_by("code")


class FormOut(Schema):
    code: str
    version: int
    name: str
    status: str
    updated_at: datetime.datetime
    data_elements: list[str]

    @staticmethod
    def resolve_data_elements(form):
        codes = [row.data_element.code for s in form.sections.all() for row in s.rows.all()]
        return list(dict.fromkeys(codes))


@router.get("/forms", response=list[FormOut])
def list_forms(request, status: str | None = None):
    forms = Form.objects.for_user(request.auth).prefetch_related("sections__rows__data_element")
    if status:
        forms = forms.filter(status=status)
    return forms.order_by("code", "version")


class RoundOut(Schema):
    code: str
    name: str
    form: str
    form_version: int
    kind: str
    period: str
    window_start: datetime.date
    window_end: datetime.date
    opens_on: datetime.date
    due_on: datetime.date
    lock_on: datetime.date
    status: str
    submissions: dict[str, int]


@router.get("/rounds", response=list[RoundOut])
def list_rounds(request, dataSet: str | None = None, period: str | None = None):
    """Rounds with their state (`upcoming`, `open`, `locked`) and how many of the caller's
    submissions are at each status."""
    rounds = Round.objects.for_user(request.auth).select_related("form")
    if dataSet:
        rounds = rounds.filter(form__code=dataSet)
    if period:
        rounds = rounds.filter(Q(code=period) | Q(period=period))
    rounds = list(rounds.order_by("-due_on", "code"))
    tallies = {}
    for row in (
        Submission.objects.for_user(request.auth)
        .filter(round__in=rounds)
        .values("round_id", "status")
        .annotate(n=Count("pk"))
    ):
        tallies.setdefault(row["round_id"], {})[row["status"]] = row["n"]
    today = timezone.localdate()
    return [
        RoundOut(
            code=r.code,
            name=r.name,
            form=r.form.code,
            form_version=r.form.version,
            kind=r.kind,
            period=r.period,
            window_start=r.window_start,
            window_end=r.window_end,
            opens_on=r.opens_on,
            due_on=r.due_on,
            lock_on=r.lock_on,
            status="locked"
            if r.is_locked(today)
            else "open"
            if today >= r.opens_on
            else "upcoming",
            submissions=tallies.get(r.pk, {}),
        )
        for r in rounds
    ]


class SubmissionOut(Schema):
    round: str
    unit: str
    unit_name: str
    status: str
    due_on: datetime.date
    submitted_at: datetime.datetime | None
    first_submitted_at: datetime.datetime | None
    on_time: bool | None
    reviewed_at: datetime.datetime | None
    review_comment: str
    version: int

    @staticmethod
    def resolve_round(submission):
        return submission.round.code

    @staticmethod
    def resolve_unit(submission):
        return submission.unit.code

    @staticmethod
    def resolve_unit_name(submission):
        return submission.unit.name


@router.get("/submissions", response=list[SubmissionOut])
def list_submissions(
    request, round: str | None = None, unit: str | None = None, status: str | None = None
):
    """Each unit's report per round: `on_time` is null until first submitted."""
    submissions = Submission.objects.for_user(request.auth).select_related("round", "unit")
    if round:
        submissions = submissions.filter(round__code=round)
    if unit:
        submissions = submissions.filter(unit__code=unit)
    if status:
        submissions = submissions.filter(status=status)
    return submissions.order_by("round__code", "unit__code")


def _submission(request, round_code: str, unit_code: str) -> Submission:
    return get_object_or_404(
        Submission.objects.for_user(request.auth).select_related("round", "unit"),
        round__code=round_code,
        unit__code=unit_code,
    )


class SubmitCheckOut(Schema):
    can_submit: bool
    status: str
    errors: list[str]
    warnings: list[str]


class SubmitIn(Schema):
    warning_comment: str = ""


class SubmitRefusedOut(Schema):
    detail: str
    errors: list[str]


@router.get("/submissions/{round_code}/{unit_code}/submit", response=SubmitCheckOut)
def check_submit(request, round_code: str, unit_code: str):
    """What would stop the caller submitting now (the submit runs and is rolled back); warnings
    need a `warning_comment` when submitting."""
    submission = _submission(request, round_code, unit_code)
    warnings = services.submission_problems(submission).warnings
    errors = []
    with transaction.atomic():
        try:
            services.submit(
                submission=submission, actor=request.auth, warning_comment="-", request=request
            )
        except PermissionDenied:
            errors = [_("Chỉ lãnh đạo đơn vị hoặc Sở Nội vụ được nộp báo cáo.")]
        except ValidationError as error:
            errors = error.messages
        transaction.set_rollback(True)
    return {
        "can_submit": not errors,
        "status": submission.status,
        "errors": errors,
        "warnings": warnings,
    }


SUBMIT_DOC = {
    "requestBody": {
        "required": False,
        "content": {"application/json": {"schema": SubmitIn.model_json_schema()}},
    }
}


def _warning_comment(request) -> str:
    """`{"warning_comment": "..."}` when a body is sent; an empty POST is a plain submit."""
    if not request.body.strip():
        return ""
    try:
        return SubmitIn.model_validate(json.loads(request.body)).warning_comment
    except ValueError:
        return ""


@router.post(
    "/submissions/{round_code}/{unit_code}/submit",
    response={200: SubmissionOut, 400: ErrorOut, 403: ErrorOut, 409: SubmitRefusedOut},
    openapi_extra=SUBMIT_DOC,
)
def submit_submission(request, round_code: str, unit_code: str):
    """Submit a unit's report (the unit's approver, or the coordinator). Blocking problems answer
    409 with their Vietnamese messages; warnings need `warning_comment` in a JSON body."""
    submission = _submission(request, round_code, unit_code)
    try:
        submission = services.submit(
            submission=submission,
            actor=request.auth,
            warning_comment=_warning_comment(request),
            request=request,
        )
    except PermissionDenied:
        return 403, {"detail": _("Chỉ lãnh đạo đơn vị hoặc Sở Nội vụ được nộp báo cáo.")}
    except ValidationError as error:
        return 409, {"detail": _("Chưa nộp được báo cáo."), "errors": error.messages}
    return 200, Submission.objects.select_related("round", "unit").get(pk=submission.pk)


# --- ADX (IHE QRPH): the same exchange as XML; mapping in reports/adx.py ----------------------

ADX_EXPORT_DOC = {
    "responses": {200: {"content": {"application/adx+xml": {"schema": {"type": "string"}}}}},
}
ADX_IMPORT_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/adx+xml": {"schema": {"type": "string"}}},
    }
}


@router.get("/adx", response={400: ErrorOut, 404: ErrorOut}, openapi_extra=ADX_EXPORT_DOC)
def get_adx(
    request,
    dataSet: str | None = None,
    period: list[str] = Query(None),  # noqa: B008
    orgUnit: list[str] = Query(None),  # noqa: B008
    children: bool = False,
    lastUpdated: str | None = None,
):
    """The dataValueSets export as ADX XML (same filters): one `<group orgUnit= period=
    dataSet=>` per unit and round (`period` an ISO interval of the round's period, `dataSet` the
    form code); disaggregations as attributes named by category code (`SEX="FEMALE"`); comments
    and "no data" reasons in `<annotation>`."""
    from . import adx

    try:
        values = _export_values(
            request.auth,
            data_set=dataSet,
            periods=period or [],
            org_units=orgUnit or [],
            children=children,
            last_updated=lastUpdated,
        )
    except ExportError as error:
        return error.status, {"detail": error.detail}
    values = values.select_related("submission__round__form").prefetch_related(
        "option_combo__options__category"
    )
    body = adx.export_adx(values.iterator(chunk_size=2000), exported=timezone.now())
    response = HttpResponse(body, content_type=f"{adx.MIME}; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dataValueSets.adx.xml"'
    return response


@router.post(
    "/adx",
    response={200: ImportSummary, 400: ImportSummary, 403: ErrorOut, 409: ImportSummary},
    openapi_extra=ADX_IMPORT_DOC,
)
def post_adx(request, dryRun: bool = False, importStrategy: str = "CREATE_AND_UPDATE"):
    """Import ADX XML, with the rules of `POST /dataValueSets` (all-or-nothing, 409 listing every
    conflict, `dryRun`, `importStrategy`). XML with a DTD or entities is refused (400)."""
    from . import adx

    if request.auth.role not in EDITORS:
        return 403, {"detail": _("Bạn không có quyền nhập số liệu báo cáo.")}
    strategy = importStrategy.upper()
    try:
        if strategy not in STRATEGIES:
            message = _("importStrategy phải là một trong: %(s)s.") % {"s": ", ".join(STRATEGIES)}
            raise BadPayload(message)
        parsed = adx.parse_adx(request.body)
    except (BadPayload, adx.AdxError) as error:
        return 400, _summary(Counter(), [_conflict("payload", "", str(error), [])], 0, dryRun)
    records, unreadable = adx.to_records(parsed, user=request.auth)
    counts, conflicts = import_values(
        user=request.auth,
        records=records,
        strategy=strategy,
        dry_run=dryRun,
        unreadable=unreadable,
        request=request,
    )
    conflicts.sort(key=lambda c: c["indexes"][:1])
    summary = _summary(counts, conflicts, len(parsed), dryRun)
    return (409 if conflicts else 200), summary
