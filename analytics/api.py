"""The analytics API in DHIS2's shape, over analytics.engine (the same figures as the pages).

`GET /api/v1/analytics[.json|.csv]?dimension=dx:CODE;UID
  &dimension=pe:2025S1&dimension=ou:51;LEVEL-2`
(DHIS2 Web API, "Analytics": dhis2-docs src/developer/web-api/analytics.md). Items are codes or
DHIS2-style UIDs (core.uids: data elements, computed indicators, units, option combos; a unit's
UID only within the caller's scope, so that an unknown UID and another unit's read the same);
periods have no UIDs, as in DHIS2. Answers name objects by code unless `outputIdScheme` asks for
UID or NAME.

Dimensions (`dimension=`; a `filter=` takes one item and leaves its column out):
- `dx`: data element and computed indicator codes or UIDs, mixed.
- `pe`: ISO periods as rounds declare them (`2025`, `2025S1`; one round each), round codes
  (`BDG-2025S1`), and DHIS2's relative periods counted from today (or `relativePeriodDate`):
  THIS_YEAR, LAST_YEAR, LAST_5_YEARS, THIS_SIX_MONTH, LAST_SIX_MONTH, LAST_2_SIXMONTHS; a
  relative period stands for the rounds of its ISO periods the caller sees (none: no rows).
  Rows carry the identifier asked for.
- `ou`: unit codes or UIDs; `LEVEL-n` (the province is level 1, communes, wards, agencies and
  old districts level 2) within the units given, or within everything the caller sees;
  `LEVEL-n-<code or UID>`; USER_ORGUNIT (the province for province-wide users, else the
  user's unit), USER_ORGUNIT_CHILDREN and USER_ORGUNIT_GRANDCHILDREN (those two and
  `LEVEL-n-<unit>` alone in the dimension). A level breakdown counts each value under exactly
  one row, so its rows add up to the boundary's total (analytics.engine, `UnitTree.breakdown`).
- `co` (`dimension=co`): one row per option combo, never a total row; `dimension=co:A;B` or
  (binhdang's, DHIS2 refuses it) `filter=co:A;B` keeps only those combos (codes or UIDs).

Parameters: `skipMeta`, `displayProperty` (NAME, SHORTNAME), `outputIdScheme` (CODE, the
default; UID: rows, metaData.items (each with its `code`) and metaData.dimensions, history and
includes keyed by the UIDs of dx, ou and co, periods unchanged; NAME: names in rows and metadata),
`relativePeriodDate`, `format` (json, csv; or `Accept: text/csv`), binhdang's `acceptedOnly`.
DHIS2's `skipData`, `skipRounding`, `hierarchyMeta`, `ignoreLimit`, `tableLayout`,
`hideEmptyRows`, `hideEmptyColumns`, `showHierarchy`, `includeNumDen`, `includeMetadataDetails`
are accepted at their default (false) only. Not supported, refused with a conflict:
`aggregationType`, `measureCriteria`, `preAggregationMeasureCriteria`, `startDate`/`endDate`,
`inputIdScheme`, `outputOrgUnitIdScheme`, `outputDataElementIdScheme`, `approvalLevel`,
`userOrgUnit`, `columns`, `rows`, `order`, `timeField`, `orgUnitField`; outputIdScheme UUID,
ID, ATTRIBUTE; OU_GROUP-; other dimensions (`ao`, categories, group sets); filters of several
items; indicators with `dimension=co`.

Errors are DHIS2's: 409 `{"httpStatus": "Conflict", "httpStatusCode": 409, "status": "ERROR",
"message", "errorCode"}` with DHIS2's analytics codes (E7101–E7133). An unknown code and one
outside the caller's scope read the same (E7124), so another unit's existence is not disclosed.

Figures are live (metaData.asOf: the newest value counted). Old units shown beside a requested
unit they partly became are listed in metaData.history; old units counted into a unit in
metaData.includes. Sensitive figures 1–4 read "<5"; a total that would reveal one reads "x"
(reports.disclosure, whatever the parameters).
"""

import csv
import datetime
import io
from dataclasses import dataclass, field, replace

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from core.spreadsheet import csv_escape
from core.uids import is_uid
from core.webmessage import web_message
from indicators.models import CategoryOptionCombo, ComputedIndicator, DataElement
from orgs.models import Unit
from orgs.tree import UnitTree
from reports.exchange.dhis2_csv import CSV_TYPES
from reports.models import Round

from .engine import TOTAL, AnalyticsError, Result, aggregate, displayed

router = Router(tags=["analytics"])

HEADERS = {  # name → column, as DHIS2 titles them
    "dx": "Data",
    "pe": "Period",
    "ou": "Organisation unit",
    "co": "Category option combo",
}
HONOURED = (
    "dimension filter format acceptedOnly skipMeta displayProperty outputIdScheme "
    "relativePeriodDate"
).split()
DEFAULT_ONLY = (
    "skipData skipRounding hierarchyMeta ignoreLimit tableLayout hideEmptyRows hideEmptyColumns "
    "showHierarchy includeNumDen includeMetadataDetails"
).split()
REFUSED = (
    "aggregationType measureCriteria preAggregationMeasureCriteria startDate endDate "
    "inputIdScheme outputOrgUnitIdScheme outputDataElementIdScheme approvalLevel userOrgUnit "
    "columns rows order timeField orgUnitField"
).split()
RELATIVE = {  # relative period → (its name, its ISO periods on a given day)
    "THIS_YEAR": ("This year", lambda d: [str(d.year)]),
    "LAST_YEAR": ("Last year", lambda d: [str(d.year - 1)]),
    "LAST_5_YEARS": ("Last 5 years", lambda d: [str(y) for y in range(d.year - 5, d.year)]),
    "THIS_SIX_MONTH": ("This six-month", lambda d: [_half(d, 0)]),
    "LAST_SIX_MONTH": ("Last six-month", lambda d: [_half(d, 1)]),
    "LAST_2_SIXMONTHS": ("Last 2 six-months", lambda d: [_half(d, 2), _half(d, 1)]),
}


def _half(day: datetime.date, back: int) -> str:
    """The ISO six-month period `back` six-months before the one holding `day`."""
    index = day.year * 2 + (day.month > 6) - back
    return f"{index // 2}S{index % 2 + 1}"


class Conflict(Exception):
    """A request DHIS2 would answer 409 to, with its error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class ConflictOut(Schema):
    httpStatus: str
    httpStatusCode: int
    status: str
    message: str
    errorCode: str


@dataclass
class Spec:
    """A parsed request: each dimension's items, which are filters, the relative periods."""

    items: dict[str, list[str]] = field(default_factory=dict)
    filters: set[str] = field(default_factory=set)
    combos: list[str] | None = None
    by_combo: bool = False
    relative: dict[str, list[str]] = field(default_factory=dict)  # keyword → ISO periods

    def columns(self) -> list[str]:
        return [n for n in ("dx", "pe", "ou") if n not in self.filters] + (
            ["co"] if self.by_combo else []
        )


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def parse(dimensions: list[str], filters: list[str]) -> Spec:
    if not dimensions and not filters:
        raise Conflict("E7101", "At least one dimension must be specified")
    spec, seen = Spec(), set()
    for position, text in enumerate([*dimensions, *filters]):
        name, _sep, rest = text.partition(":")
        name, is_filter = name.strip().lower(), position >= len(dimensions)
        if name in seen and name != "co":
            code = "E7103" if is_filter and name not in spec.filters else "E7111"
            raise Conflict(code, f"Dimensions cannot be specified more than once: `{name}`")
        seen.add(name)
        if name == "co":
            spec.by_combo = spec.by_combo or not is_filter
            if rest:
                spec.combos = (spec.combos or []) + _items(rest)
        elif name in ("dx", "pe", "ou"):
            spec.items[name] = _items(rest)
            if is_filter:
                spec.filters.add(name)
        else:
            raise Conflict(
                "E7125", f"Dimension identifier does not reference any dimension: `{name[:40]}`"
            )
    _check_required(spec)
    return spec


def _check_required(spec: Spec) -> None:
    if not spec.items.get("dx"):
        raise Conflict(
            "E7102",
            "At least one data dimension item or data element group set dimension item "
            "must be specified",
        )
    if not spec.items.get("pe"):
        raise Conflict(
            "E7104",
            "At least one period as dimension or filter, or start and dates, must be specified",
        )
    if not spec.items.get("ou"):
        raise Conflict(
            "E7124",
            "Dimension is present in query without any valid dimension "
            "options: `ou` (binhdang needs the units)",
        )


def _check_parameters(params) -> None:
    """DHIS2 parameters binhdang does not honour are refused, never ignored."""
    known = {*HONOURED, *DEFAULT_ONLY, *REFUSED}
    unknown = sorted(name for name in params if name not in known)
    if unknown:
        raise Conflict("E7133", f"Parameter `{unknown[0][:40]}` is not supported by binhdang")
    for name in REFUSED:
        if name in params:
            raise Conflict("E7133", f"Parameter `{name}` is not supported by binhdang")
    for name in DEFAULT_ONLY:
        if params.get(name, "false").lower() != "false":
            raise Conflict("E7133", f"Parameter `{name}` is supported with `false` only")


def _periods(user, spec: Spec, day: datetime.date) -> list[str]:
    """pe items: relative periods expanded to the ISO periods of rounds the caller sees."""
    found = []
    for item in spec.items["pe"]:
        if item.upper() in RELATIVE:
            periods = RELATIVE[item.upper()][1](day)
            existing = set(
                Round.objects.for_user(user)
                .filter(period__in=periods)
                .values_list("period", flat=True)
            )
            spec.relative[item.upper()] = [p for p in periods if p in existing]
            found += spec.relative[item.upper()]
        else:
            found.append(item)
    return list(dict.fromkeys(found))


def _user_roots(user, tree: UnitTree) -> list[str]:
    if user.sees_whole_province:
        roots = Unit.objects.filter(parent__isnull=True, valid_to__isnull=True)
        return sorted(roots.values_list("code", flat=True))
    if user.unit_id is None:
        raise Conflict(
            "E7124",
            "Dimension is present in query without any valid dimension "
            "options: `USER_ORGUNIT` (the user has no unit)",
        )
    return [tree.code[user.unit_id]]


def _units(user, items: list[str], tree: UnitTree) -> list[str]:
    """ou items → unit codes and LEVEL-n as the engine takes them (see the module)."""
    relative = {"USER_ORGUNIT_CHILDREN": 1, "USER_ORGUNIT_GRANDCHILDREN": 2}
    upper = [i.upper() for i in items]
    alone = [i for i in upper if i in relative or (i.startswith("LEVEL-") and i.count("-") >= 2)]
    if alone and len(items) > 1:
        raise Conflict("E7133", f"`{alone[0]}` is supported alone in the ou dimension only")
    if any(i.startswith("OU_GROUP-") for i in upper):
        raise Conflict("E7133", "Organisation unit groups (OU_GROUP-) are not supported")
    if alone and alone[0] in relative:
        roots = _user_roots(user, tree)
        levels = {tree.level(pk) for pk, code in tree.code.items() if code in roots}
        return [*roots, *(f"LEVEL-{lv + relative[alone[0]]}" for lv in sorted(levels))]
    if alone:
        _level, number, boundary = items[0].split("-", 2)
        return [boundary, f"LEVEL-{number}"]
    codes = []
    for item, key in zip(items, upper, strict=True):
        codes += _user_roots(user, tree) if key == "USER_ORGUNIT" else [item]
    return list(dict.fromkeys(codes))


@dataclass
class Options:
    skip_meta: bool = False
    short_names: bool = False
    output: str = "CODE"  # outputIdScheme: CODE, UID or NAME
    accepted_only: bool = False
    day: datetime.date | None = None


def options_from(params, accepted_only: bool) -> Options:
    scheme = params.get("outputIdScheme", "CODE").upper()
    if scheme not in ("CODE", "UID", "NAME"):
        raise Conflict(
            "E7133", f"outputIdScheme `{scheme[:20]}` is not supported (use CODE, UID or NAME)"
        )
    display = params.get("displayProperty", "NAME").upper()
    if display not in ("NAME", "SHORTNAME"):
        raise Conflict("E7133", f"displayProperty `{display[:20]}` is not supported")
    day = None
    if params.get("relativePeriodDate"):
        try:
            day = datetime.date.fromisoformat(params["relativePeriodDate"])
        except ValueError:
            raise Conflict("E7133", "relativePeriodDate must be a date (YYYY-MM-DD)") from None
    return Options(
        skip_meta=params.get("skipMeta", "false").lower() == "true",
        short_names=display == "SHORTNAME",
        output=scheme,
        accepted_only=accepted_only,
        day=day,
    )


def _as_codes(objects, items: list[str]) -> list[str]:
    """Items as codes: the UID of one of `objects` becomes its code (a code stays a code);
    anything else is left for the engine to name."""
    maybe = {item for item in items if is_uid(item)}
    if not maybe:
        return items
    codes = set(objects.filter(code__in=maybe).values_list("code", flat=True))
    by_uid = dict(objects.filter(uid__in=maybe - codes).values_list("uid", "code"))
    return [by_uid.get(item, item) for item in items]


def _unit_codes(user, items: list[str]) -> list[str]:
    """ou items with units' UIDs (alone or in LEVEL-n-<uid>) as codes, within the caller's
    scope: another unit's UID reads as an unknown one."""
    visible = Unit.objects.for_user(user)
    plain = _as_codes(visible, [i.split("-", 2)[2] if _bounded(i) else i for i in items])
    return [
        f"{'-'.join(i.split('-', 2)[:2])}-{code}" if _bounded(i) else code
        for i, code in zip(items, plain, strict=True)
    ]


def _bounded(item: str) -> bool:
    """LEVEL-n-<unit>."""
    return item.upper().startswith("LEVEL-") and item.count("-") >= 2


def _translate(user, spec: Spec) -> None:
    """UIDs in dx, ou and co as the codes the engine takes."""
    dx = _as_codes(DataElement.objects.all(), spec.items["dx"])
    spec.items["dx"] = _as_codes(ComputedIndicator.objects.all(), dx)
    spec.items["ou"] = _unit_codes(user, spec.items["ou"])
    if spec.combos:
        spec.combos = _as_codes(CategoryOptionCombo.objects.all(), spec.combos)


def _query(user, spec: Spec, options: Options) -> Result:
    tree = UnitTree()
    _translate(user, spec)
    spec.items["pe"] = _periods(user, spec, options.day or timezone.localdate())
    spec.items["ou"] = _units(user, spec.items["ou"], tree)
    dx = spec.items["dx"]
    indicators = set(ComputedIndicator.objects.filter(code__in=dx).values_list("code", flat=True))
    if indicators and spec.by_combo:
        raise Conflict(
            "E7114",
            "Assigned categories can only be specified together with data elements, "
            "not indicators or reporting rates",
        )
    try:
        result = aggregate(
            user=user,
            elements=[c for c in dx if c not in indicators],
            indicators=[c for c in dx if c in indicators],
            rounds=spec.items["pe"],
            units=spec.items["ou"],
            combos=spec.combos,
            accepted_only=options.accepted_only,
            by_combo=spec.by_combo,
        )
    except AnalyticsError as error:
        raise Conflict("E7124", error.detail) from None
    _check_filters(spec, result)
    asked = {}  # round code → the identifier asked for (an ISO period, or the code)
    for code, round_ in result.rounds.items():
        asked[code] = next(i for i in spec.items["pe"] if i in (code, round_.period))
    result.rounds = {asked[code]: round_ for code, round_ in result.rounds.items()}
    result.rows = [replace(row, pe=asked[row.pe]) for row in result.rows]
    result.hidden = {(dx, asked[pe], *rest): m for (dx, pe, *rest), m in result.hidden.items()}
    return result


def _check_filters(spec: Spec, result: Result) -> None:
    """A filter of several items would need their figures added up, which the release of
    sensitive figures does not publish: refused."""
    found = {"dx": result.dx, "pe": result.rounds, "ou": result.requested_units}
    for name in spec.filters:
        if len(found[name]) > 1 or len(spec.items[name]) > 1:
            raise Conflict("E7133", f"A filter on `{name}` takes one item in binhdang")


def _label(obj, options: Options) -> str:
    short = getattr(obj, "short_name", "") if options.short_names else ""
    return short or obj.name


def _metadata(spec: Spec, result: Result, options: Options) -> dict:
    objects = {
        **result.dx,
        **result.rounds,
        **result.units,
        **(result.combos if spec.by_combo or spec.combos else {}),
    }
    items = {code: {"name": _label(obj, options)} for code, obj in objects.items()}
    for code, round_ in result.rounds.items():
        items[code]["period"] = round_.period
    for keyword in spec.relative:
        items[keyword] = {"name": RELATIVE[keyword][0]}
    for code in result.units:
        if code in result.history:
            items[code]["historyOf"] = result.history[code]
        if code in result.includes:
            items[code]["includes"] = result.includes[code]
    items.update({name: {"name": column} for name, column in HEADERS.items()})
    dimensions = {
        "dx": list(dict.fromkeys(spec.items["dx"])),
        "pe": list(result.rounds),
        "ou": result.requested_units + [c for c in result.units if c in result.history],
        "co": spec.combos or [],
    }
    if spec.by_combo and not spec.combos:
        dimensions["co"] = sorted({r.co for r in result.rows if r.co})
    return {
        "items": items,
        "dimensions": dimensions,
        "asOf": result.as_of.isoformat(),
        "acceptedOnly": result.accepted_only,
        "history": result.history,
        "includes": result.includes,
    }


def _rows(spec: Spec, result: Result) -> list[list[str]]:
    """The rows, in the spec's columns; with `co`, the combos' rows only (no total row)."""
    columns = spec.columns()
    rows = []
    for row, text in displayed(result):
        if spec.by_combo and row.co is TOTAL:
            continue
        cells = {"dx": row.dx, "pe": row.pe, "ou": row.ou, "co": row.co or ""}
        rows.append([cells[name] for name in columns] + [text])
    return rows


def _identifiers(result: Result, options: Options) -> dict[str, dict[str, str]]:
    """outputIdScheme UID or NAME: per dimension, code → what the answer says instead."""
    dimensions = {"dx": result.dx, "pe": result.rounds, "ou": result.units, "co": result.combos}
    if options.output == "UID":
        return {
            name: {code: obj.uid for code, obj in objects.items()}
            for name, objects in dimensions.items()
            if name != "pe"  # periods are ISO periods (or round codes) in every scheme
        } | {"pe": {}}
    return {
        name: {code: _label(obj, options) for code, obj in objects.items()}
        for name, objects in dimensions.items()
    }


def _renamed(body: dict, spec: Spec, result: Result, options: Options) -> dict:
    """outputIdScheme=UID or NAME: the objects' UIDs or names in place of their codes, in rows
    and metadata (UID: also binhdang's history and includes, and each item's `code`)."""
    ids = _identifiers(result, options)
    columns = spec.columns()
    body["rows"] = [
        [ids[name].get(cell, cell) for name, cell in zip(columns, row, strict=False)] + row[-1:]
        for row in body["rows"]
    ]
    if "metaData" not in body:
        return body
    meta = body["metaData"]
    every = {code: new for mapping in ids.values() for code, new in mapping.items()}
    if options.output == "UID":
        for code, item in meta["items"].items():
            if code in every:
                item["code"] = code
        units = ids["ou"]
        for key in ("history", "includes"):
            meta[key] = {
                units.get(code, code): [units.get(c, c) for c in codes]
                for code, codes in meta[key].items()
            }
        for item in meta["items"].values():
            for key in ("historyOf", "includes"):
                if key in item:
                    item[key] = [units.get(c, c) for c in item[key]]
    meta["items"] = {every.get(code, code): item for code, item in meta["items"].items()}
    meta["dimensions"] = {
        name: [ids.get(name, {}).get(code, code) for code in codes]
        for name, codes in meta["dimensions"].items()
    }
    return body


def answer(user, params, dimension, filter_, accepted_only) -> tuple[list[str], dict]:
    """(column names, the DHIS2 body) of a request; raises Conflict."""
    _check_parameters(params)
    options = options_from(params, accepted_only)
    spec = parse(dimension or [], filter_ or [])
    result = _query(user, spec, options)
    names = [*spec.columns(), "value"]
    headers = [
        {
            "name": name,
            "column": HEADERS.get(name, "Value"),
            "valueType": "NUMBER" if name == "value" else "TEXT",
            "type": "java.lang.Double" if name == "value" else "java.lang.String",
            "hidden": False,
            "meta": name != "value",
        }
        for name in names
    ]
    rows = _rows(spec, result)
    body: dict = {"headers": headers}
    if not options.skip_meta:
        body["metaData"] = _metadata(spec, result, options)
    body.update(rows=rows, height=len(rows), width=len(headers), headerWidth=len(headers))
    if options.output != "CODE":
        body = _renamed(body, spec, result, options)
    return names, body


def _csv(names, rows) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows([csv_escape(str(cell)) for cell in row] for row in rows)
    response = HttpResponse(out.getvalue().encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="analytics.csv"'
    return response


def conflict(code: str, message: str) -> tuple[int, dict]:
    """DHIS2's analytics error, field for field (no `detail`: DHIS2's clients read `message`)."""
    body = web_message(409, message, errorCode=code)
    del body["detail"]
    return 409, body


def _respond(request, fmt, dimension, filter_, accepted_only):
    fmt = (fmt or "").lower()
    if fmt not in ("", "json", "csv"):
        return conflict("E7133", _("format chỉ nhận “json” hoặc “csv”."))
    if not fmt:
        accept = request.headers.get("Accept", "")
        fmt = "csv" if any(kind in accept for kind in CSV_TYPES) else "json"
    try:
        names, body = answer(request.auth, request.GET, dimension, filter_, accepted_only)
    except Conflict as error:
        return conflict(error.code, error.message)
    if fmt == "csv":
        return _csv(names, body["rows"])
    return 200, body


class AnalyticsOut(Schema):
    headers: list[dict]
    metaData: dict | None = None
    rows: list[list[str]]
    height: int
    width: int
    headerWidth: int


DOC = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}
RESPONSES = {200: AnalyticsOut, 409: ConflictOut}


@router.get("analytics", response=RESPONSES, openapi_extra=DOC, exclude_none=True)
def get_analytics(
    request,
    dimension: list[str] = Query(None),  # noqa: B008
    filter: list[str] = Query(None),  # noqa: B008
    acceptedOnly: bool = False,
    format: str | None = None,
):
    """Aggregated values in DHIS2's analytics shape, live, scoped by the caller; the parameters
    and what is refused: see the module docstring."""
    return _respond(request, format, dimension, filter, acceptedOnly)


@router.get("analytics.json", response=RESPONSES, exclude_none=True)
def get_analytics_json(
    request,
    dimension: list[str] = Query(None),  # noqa: B008
    filter: list[str] = Query(None),  # noqa: B008
    acceptedOnly: bool = False,
):
    """The same as /analytics in JSON, at DHIS2's path."""
    return _respond(request, "json", dimension, filter, acceptedOnly)


@router.get("analytics.csv", response={409: ConflictOut}, openapi_extra=DOC)
def get_analytics_csv(
    request,
    dimension: list[str] = Query(None),  # noqa: B008
    filter: list[str] = Query(None),  # noqa: B008
    acceptedOnly: bool = False,
):
    """The same as /analytics?format=csv, at DHIS2's path."""
    return _respond(request, "csv", dimension, filter, acceptedOnly)
