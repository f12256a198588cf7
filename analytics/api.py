"""The analytics API, in DHIS2's shape, over analytics.engine (the same figures as the pages).

`GET /api/v1/analytics?dimension=dx:CODE;CODE&dimension=pe:ROUND;ROUND&dimension=ou:CODE;LEVEL-n`

- `dx`: data element codes and computed indicator codes, mixed.
- `pe`: round codes (BDG-2025S1), or a DHIS2 period code (2025S1) naming exactly one round.
- `ou`: unit codes and `LEVEL-n`; the province is level 1, its children (communes, wards,
  agencies, old districts) level 2: `ou:51;LEVEL-2` = every level-2 unit counted into 51.
- `dimension=co` adds a "co" column (one row per option combo, the total with an empty co);
  `filter=co:MALE;FEMALE` (or `dimension=co:…`) keeps only those combos.
- `acceptedOnly=true` counts accepted reports only; the choice is echoed in metaData.
- `format=csv` (or `Accept: text/csv`), or the path `/api/v1/analytics.csv` as in DHIS2, answers
  CSV with the same columns.

Figures are live (metaData.asOf: the newest value counted). Old units shown beside a requested
unit they partly became are listed in metaData.history; old units counted into a unit in
metaData.includes. Sensitive figures 1–4 read "<5"; a total that would reveal one reads "x".
"""

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from core.spreadsheet import csv_escape
from indicators.models import ComputedIndicator
from reports.exchange.dhis2_csv import CSV_TYPES

from .engine import AnalyticsError, aggregate, displayed

router = Router(tags=["analytics"])


class ErrorOut(Schema):
    detail: str


class Request:
    def __init__(self):
        self.dx, self.pe, self.ou, self.combos, self.by_combo = [], [], [], None, False


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(";") if item.strip()]


def parse(dimensions: list[str], filters: list[str]) -> Request:
    request = Request()
    for position, spec in enumerate([*dimensions, *filters]):
        name, _sep, rest = spec.partition(":")
        name = name.strip().lower()
        is_filter = position >= len(dimensions)
        if name == "co":
            request.by_combo = request.by_combo or not is_filter
            if rest:
                request.combos = (request.combos or []) + _items(rest)
        elif name in ("dx", "pe", "ou") and not is_filter:
            getattr(request, name).extend(_items(rest))
        else:
            raise AnalyticsError(400, _("Không hỗ trợ chiều “%(spec)s”.") % {"spec": spec[:40]})
    for name in ("dx", "pe", "ou"):
        if not getattr(request, name):
            raise AnalyticsError(400, _("Thiếu chiều %(name)s.") % {"name": name})
    return request


def _answer(
    user, dimension: list[str] | None, filter_: list[str] | None, accepted_only: bool
) -> tuple[list[str], list[list[str]], dict]:
    spec = parse(dimension or [], filter_ or [])
    indicators = set(
        ComputedIndicator.objects.filter(code__in=spec.dx).values_list("code", flat=True)
    )
    result = aggregate(  # 404 for an unknown code
        user=user,
        elements=[c for c in spec.dx if c not in indicators],
        indicators=[c for c in spec.dx if c in indicators],
        rounds=spec.pe,
        units=spec.ou,
        combos=spec.combos,
        accepted_only=accepted_only,
        by_combo=spec.by_combo,
    )
    names = ["dx", "pe", "ou", *(["co"] if spec.by_combo else []), "value"]
    rows = [
        [row.dx, row.pe, row.ou, *([row.co or ""] if spec.by_combo else []), text]
        for row, text in displayed(result)
    ]
    items = {code: {"name": obj.name} for code, obj in result.dx.items()}
    items.update({code: {"name": r.name, "period": r.period} for code, r in result.rounds.items()})
    for code, unit in result.units.items():
        items[code] = {"name": unit.name}
        if code in result.history:
            items[code]["historyOf"] = result.history[code]
        if code in result.includes:
            items[code]["includes"] = result.includes[code]
    if spec.by_combo:
        items.update({code: {"name": c.name} for code, c in result.combos.items()})
    dimensions = {
        "dx": list(dict.fromkeys(spec.dx)),
        "pe": list(result.rounds),
        "ou": result.requested_units,
    }
    if spec.by_combo or spec.combos:
        dimensions["co"] = spec.combos or sorted({r.co for r in result.rows if r.co})
    return (
        names,
        rows,
        {
            "items": items,
            "dimensions": dimensions,
            "asOf": result.as_of.isoformat(),
            "acceptedOnly": result.accepted_only,
            "history": result.history,
            "includes": result.includes,
        },
    )


def _csv(names, rows) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows([csv_escape(str(cell)) for cell in row] for row in rows)
    response = HttpResponse(out.getvalue().encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="analytics.csv"'
    return response


def _respond(request, fmt, dimension, filter_, accepted_only):
    fmt = (fmt or "").lower()
    if fmt not in ("", "json", "csv"):
        return 400, {"detail": _("format chỉ nhận “json” hoặc “csv”.")}
    if not fmt:
        accept = request.headers.get("Accept", "")
        fmt = "csv" if any(kind in accept for kind in CSV_TYPES) else "json"
    try:
        names, rows, meta = _answer(request.auth, dimension, filter_, accepted_only)
    except AnalyticsError as error:
        return error.status, {"detail": error.detail}
    if fmt == "csv":
        return _csv(names, rows)
    return 200, {"headers": [{"name": n} for n in names], "rows": rows, "metaData": meta}


class AnalyticsOut(Schema):
    headers: list[dict]
    rows: list[list[str]]
    metaData: dict


DOC = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


@router.get(
    "analytics", response={200: AnalyticsOut, 400: ErrorOut, 404: ErrorOut}, openapi_extra=DOC
)
def get_analytics(
    request,
    dimension: list[str] = Query(None),  # noqa: B008
    filter: list[str] = Query(None),  # noqa: B008
    acceptedOnly: bool = False,
    format: str | None = None,
):
    """Aggregated values, live, scoped by the caller: see the module docstring."""
    return _respond(request, format, dimension, filter, acceptedOnly)


@router.get("analytics.csv", response={400: ErrorOut, 404: ErrorOut}, openapi_extra=DOC)
def get_analytics_csv(
    request,
    dimension: list[str] = Query(None),  # noqa: B008
    filter: list[str] = Query(None),  # noqa: B008
    acceptedOnly: bool = False,
):
    """The same as /analytics?format=csv, at DHIS2's path."""
    return _respond(request, "csv", dimension, filter, acceptedOnly)
