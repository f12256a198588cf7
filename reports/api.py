"""The reporting cycle over the API: DHIS2-compatible data exchange and the lists behind it.

The routes only read the request, call reports.exchange (formats, checks, the importer) and
reports.services, and shape the answer. Identifiers are codes by default (DHIS2's
idScheme=CODE): dataElement = DataElement.code, categoryOptionCombo = CategoryOptionCombo.code,
orgUnit = Unit.code, dataSet = Form.code. Each of these objects also has a stable DHIS2-style UID
(core.uids); DHIS2's id schemes (`idScheme`, `dataElementIdScheme`…: CODE, UID, NAME) choose how
imports read and exports write them (reports.exchange.records.IdSchemes), and the export's
filters take codes or UIDs. Exports give each value's DHIS2 ISO period (Round.period: 2025,
2025S1). Imports and filters take an ISO period where it names exactly one round the caller can
see (the one whose form is the set's `dataSet`, or else the one whose form holds the element), or
a round code (BDG-2025S1), which always names one: two exercises of one period and one form (a
periodic and an ad-hoc round) are told apart by their round codes only.

"No data" (a cell declared empty, with its reason) travels as DHIS2's comment-only value: an empty
`value` with the reason in `comment`. On import an empty value with a comment declares "no data";
an empty value without one clears the cell, as DHIS2 deletes it. Cleared cells are not exported.

Imports are DHIS2's (reports.exchange.importer): the valid values are stored and the others
reported as conflicts (409, status WARNING, every problem in Vietnamese with DHIS2's error code);
`atomicMode=ALL` stores nothing when there is a conflict. dryRun runs every check and the writes,
then rolls them back. Answers are DHIS2's WebMessage around an ImportSummary.
"""

import datetime
import json
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from core.webmessage import refuse, web_message
from indicators.models import DEFAULT, DataElement

from .exchange import adx, dxf2, importer
from .exchange import jobs as import_jobs
from .exchange.dhis2_csv import CSV_TYPES, export_csv
from .exchange.export import (
    ExportError,
    default_attribute,
    export_values,
    named_set,
    output_schemes,
    rounds_sharing_a_period,
    value_row,
)
from .models import Form, Round, Submission
from .services import submissions

router = Router(tags=["reports"])

EDITORS = submissions.EDITORS


class ErrorOut(Schema):
    """A refusal: DHIS2's WebMessage (core.webmessage.refuse)."""

    httpStatus: str
    httpStatusCode: int
    status: str
    message: str
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
    # Named when the request names one set, period and unit (export.named_set); left out otherwise.
    dataSet: str | None = None
    period: str | None = None
    orgUnit: str | None = None
    dataValues: list[DataValueOut]


FORMATS = ("json", "csv", "xml", "adx")
MEDIA = {
    "json": "application/json",
    "csv": "text/csv",
    "xml": "application/xml",
    "adx": adx.MIME,
}


def _accepted(accept: str) -> str:
    """The format an Accept header asks for: ADX, CSV, DXF2 XML, else JSON."""
    accept = accept.lower()
    if adx.MIME in accept or "application/xml+adx" in accept:
        return "adx"
    if any(kind in accept for kind in CSV_TYPES):
        return "csv"
    if any(kind in accept for kind in dxf2.XML_TYPES):
        return "xml"
    return "json"


# The GET /dataValueSets parameters binhdang reads; any other DHIS2 parameter (startDate,
# attributeOptionCombo, limit…) is refused, never ignored.
EXPORT_PARAMS = {
    "dataSet",
    "period",
    "orgUnit",
    "children",
    "dataElement",
    "lastUpdated",
    "format",
    *importer.ID_SCHEMES,
}


def _unsupported(request) -> tuple[int, dict] | None:
    """A refusal for a query parameter the export does not read, or a second data set."""
    unknown = sorted(set(request.GET) - EXPORT_PARAMS)
    if unknown:
        message = _("Tham số “%(n)s” không được hỗ trợ khi lấy số liệu; chỉ nhận: %(k)s.") % {
            "n": unknown[0][:40],
            "k": ", ".join(sorted(EXPORT_PARAMS)),
        }
        return refuse(409, message)
    if len(request.GET.getlist("dataSet")) > 1:
        return refuse(409, _("Mỗi lần lấy số liệu chỉ nhận một dataSet."))
    return None


def _export(request, fmt, data_set, period, org_unit, children, last_updated, data_element):
    fmt = (fmt or "").lower()
    if fmt and fmt not in FORMATS:
        return refuse(400, _("format chỉ nhận “json”, “csv”, “xml” hoặc “adx”."))
    if refused := _unsupported(request):
        return refused
    fmt = fmt or _accepted(request.headers.get("Accept", ""))
    try:
        schemes = output_schemes(request.GET)
        values = export_values(
            request.auth,
            data_set=data_set,
            periods=period or [],
            org_units=org_unit or [],
            children=children,
            last_updated=last_updated,
            data_elements=data_element or [],
        )
    except ExportError as error:
        return refuse(error.status, error.detail)
    if fmt == "adx":
        return _adx_response(values, schemes)
    attribute, shared = default_attribute(schemes), rounds_sharing_a_period()
    rows = [value_row(v, schemes, attribute, shared) for v in values.iterator(chunk_size=2000)]
    if fmt == "csv":
        response = HttpResponse(export_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="dataValueSets.csv"'
        return response
    if fmt == "xml":
        return HttpResponse(dxf2.export_xml(rows), content_type="application/xml; charset=utf-8")
    head = named_set(
        request.auth,
        data_set=data_set,
        periods=period or [],
        org_units=org_unit or [],
        children=children,
        schemes=schemes,
    )
    return 200, {**head, "dataValues": rows}


def _adx_response(values, schemes) -> HttpResponse:
    values = values.select_related("submission__round__form").prefetch_related(
        "option_combo__options__category"
    )
    body = adx.export_adx(
        values.iterator(chunk_size=2000), exported=timezone.now(), schemes=schemes
    )
    response = HttpResponse(body, content_type=f"{adx.MIME}; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dataValueSets.adx.xml"'
    return response


# DHIS2's output id schemes, read from the query (records.SCHEME_PARAMETERS).
SCHEME_QUERY = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
    for name in importer.ID_SCHEMES
]


EXPORT_DOC = {
    "parameters": SCHEME_QUERY,
    "responses": {
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/xml": {"schema": {"type": "string"}},
                adx.MIME: {"schema": {"type": "string"}},
            }
        }
    },
}
EXPORT_RESPONSES = {200: DataValueSetOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


@router.get(
    "/dataValueSets", response=EXPORT_RESPONSES, openapi_extra=EXPORT_DOC, exclude_none=True
)
def get_data_value_sets(
    request,
    dataSet: str | None = None,
    period: list[str] = Query(None),  # noqa: B008
    orgUnit: list[str] = Query(None),  # noqa: B008
    children: bool = False,
    lastUpdated: str | None = None,
    format: str | None = None,
    dataElement: list[str] = Query(None),  # noqa: B008
):
    """Values the caller can see, as DHIS2 JSON by default. The format, as DHIS2 chooses it: a
    suffix (`/dataValueSets.json`, `.csv`, `.xml`, `.adx`), else `format=json|csv|xml|adx`,
    else the `Accept` header (`application/adx+xml` → ADX, `text/csv` or `application/csv` →
    CSV, `application/xml` or `text/xml` → DHIS2's DXF2 XML `<dataValueSet
    xmlns="http://dhis2.org/schema/dxf/2.0">`, anything else → JSON). Every filter is optional.
    `period` (repeatable) is a round code, or a DHIS2 period code naming one round; `orgUnit`
    (repeatable) with `children=true` takes the units' subtrees; `lastUpdated` (ISO date or
    date-time) keeps values changed since then; `dataElement` (repeatable) keeps those elements.
    `dataSet`, `orgUnit` and `dataElement` take codes or UIDs (a form's code names all its
    versions, its UID one). The output names objects by code unless `idScheme` or a specific
    scheme (`dataElementIdScheme`, `orgUnitIdScheme`, `categoryOptionComboIdScheme`,
    `attributeOptionComboIdScheme`, `dataSetIdScheme`) asks for UID or NAME; ADX's exploded
    categories stay codes. "No data" cells: empty `value`, the reason in `comment` (ADX leaves
    them out: its values are decimals)."""
    return _export(request, format, dataSet, period, orgUnit, children, lastUpdated, dataElement)


def _suffixed_export(suffix: str):
    def view(
        request,
        dataSet: str | None = None,
        period: list[str] = Query(None),  # noqa: B008
        orgUnit: list[str] = Query(None),  # noqa: B008
        children: bool = False,
        lastUpdated: str | None = None,
        dataElement: list[str] = Query(None),  # noqa: B008
    ):
        return _export(
            request, suffix, dataSet, period, orgUnit, children, lastUpdated, dataElement
        )

    view.__name__ = f"get_data_value_sets_{suffix}"
    view.__doc__ = (
        f"The export of `GET /dataValueSets` as {suffix.upper()} ({MEDIA[suffix]}), same filters "
        "and id schemes."
    )
    return view


for _suffix in FORMATS:
    router.get(
        f"/dataValueSets.{_suffix}",
        response=EXPORT_RESPONSES
        if _suffix == "json"
        else {400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
        openapi_extra=EXPORT_DOC,
        exclude_none=True,
    )(_suffixed_export(_suffix))


# --- dataValueSets: import ---------------------------------------------------------------------


class ImportCount(Schema):
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0


class Conflict(Schema):
    object: str
    objects: dict[str, str] = {}
    value: str
    errorCode: str | None = None
    property: str | None = None
    indexes: list[int] = []


class ImportSummary(Schema):
    responseType: str = "ImportSummary"
    status: str
    importOptions: dict
    description: str
    importCount: ImportCount
    conflicts: list[Conflict]
    rejectedIndexes: list[int]
    dataSetComplete: str


class WebMessageOut(Schema):
    """DHIS2's WebMessage without a response (a refused request)."""

    httpStatus: str
    httpStatusCode: int
    status: str
    message: str


class ImportMessage(Schema):
    """DHIS2's WebMessage around the ImportSummary."""

    httpStatus: str
    httpStatusCode: int
    status: str
    message: str
    response: ImportSummary


def _refused(options, conflicts, failure):
    """A request refused as a whole (a refused parameter): DHIS2's 409 ERROR summary, nothing
    imported."""
    summary = importer.summary(
        counts=Counter(), conflicts=conflicts, total=0, options=options, failure=failure
    )
    return importer.web_message(summary)


IMPORT_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "schema": {"type": kind}}
    for name, kind in [
        ("dryRun", "boolean"),
        ("importStrategy", "string"),
        ("atomicMode", "string"),
        ("firstRowIsHeader", "boolean"),
        ("requireCategoryOptionCombo", "boolean"),
        ("requireAttributeOptionCombo", "boolean"),
        *((name, "boolean") for name in importer.ALWAYS_STRICT),
        *((name, "boolean") for name in importer.REFUSED_WHEN_TRUE),
        *((name, "string") for name in importer.ID_SCHEMES),
    ]
]
IMPORT_DOC = {
    "parameters": IMPORT_PARAMETERS,
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/DataValueSetOut"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/xml": {"schema": {"type": "string"}},
            adx.MIME: {"schema": {"type": "string"}},
        },
    },
}


class JobConfiguration(Schema):
    responseType: str = "JobConfigurationWebMessageResponse"
    name: str
    id: str
    created: str
    jobType: str
    relativeNotifierEndpoint: str


class JobStarted(Schema):
    """DHIS2's answer to `async=true`: the reference of the job to poll."""

    httpStatus: str
    httpStatusCode: int
    status: str
    message: str
    response: JobConfiguration


IMPORT_RESPONSES = {
    200: ImportMessage | JobStarted,
    403: ErrorOut,
    409: ImportMessage,
    415: WebMessageOut,
}


def _options(request):
    """The import options of the query; the refusal when one is refused."""
    options, refused = importer.read_options(dict(request.GET.items()))
    if refused:
        return options, _refused(options, refused, _("tham số nhập không được hỗ trợ."))
    return options, None


def _payload_format(request, suffix: str = "") -> str | None:
    """The format of a POSTed payload: its Content-Type when it names one, else the suffix; on
    `/dataValueSets` without a suffix, JSON when there is no Content-Type and None (415) when it
    names a type none of the four formats reads."""
    kind = (request.content_type or "").lower()
    if kind in CSV_TYPES:
        return "csv"
    if kind in (adx.MIME, "application/xml+adx"):
        return "adx"
    if kind in dxf2.XML_TYPES:
        return "xml"
    if kind == "application/json":
        return "json"
    if suffix:
        return suffix
    return "json" if "CONTENT_TYPE" not in request.META or not kind else None


def _unsupported_media_type(request):
    """DHIS2's answer to a Content-Type it does not read: 415 and a WebMessage."""
    message = _(
        "Không đọc được kiểu nội dung “%(kind)s”: hãy gửi application/json, text/csv, "
        "application/xml (DXF2) hoặc application/adx+xml."
    ) % {"kind": request.content_type}
    return 415, web_message(415, message)


def _import(request, suffix: str = "", *, fixed: bool = False):
    if request.auth.role not in EDITORS:
        return refuse(403, _("Bạn không có quyền nhập số liệu báo cáo."))
    options, refusal = _options(request)
    if refusal:
        return refusal
    fmt = suffix if fixed else _payload_format(request, suffix)
    if fmt is None:
        return _unsupported_media_type(request)
    if options.run_async:
        query = dict(request.GET.items())
        job = import_jobs.start(actor=request.auth, fmt=fmt, body=request.body, query=query)
        return 200, import_jobs.reference(job)
    summary = import_jobs.run(
        actor=request.auth, fmt=fmt, body=request.body, options=options, request=request
    )
    return importer.web_message(summary)


@router.post("/dataValueSets", response=IMPORT_RESPONSES, openapi_extra=IMPORT_DOC)
def post_data_value_sets(request):
    """Import a data value set as DHIS2 does. The payload's format is its `Content-Type`:
    `application/json`, `text/csv` (or `application/csv`), `application/xml` (or `text/xml`:
    DHIS2's DXF2 `<dataValueSet>`), `application/adx+xml` (ADX, as `POST /adx`); without one of
    these, the suffix (`/dataValueSets.json`, `.csv`, `.xml`, `.adx`); without a suffix, JSON
    when no Content-Type is sent and 415 Unsupported Media Type (a WebMessage) for any other
    Content-Type, as DHIS2 answers. XML is read with defusedxml, DTDs and entities refused. The
    answer is always JSON. Valid values are stored, the others reported as conflicts (409,
    status WARNING, each conflict with DHIS2's `errorCode` and the values' `indexes`); the
    answer is DHIS2's WebMessage around an ImportSummary. Parameters (DHIS2's names):
    `atomicMode=ALL` stores nothing when there is any conflict (409 ERROR; default NONE);
    `dryRun`; `importStrategy` CREATE (keep existing values), UPDATE (only existing ones),
    CREATE_AND_UPDATE, DELETE (clear the listed cells); `firstRowIsHeader` (CSV, default true:
    the first row is skipped whatever its spelling); `requireCategoryOptionCombo`,
    `requireAttributeOptionCombo`; the `strict…` flags are always in force; `idScheme` (CODE,
    the default, UID or NAME) names how identifiers are read, and `dataElementIdScheme`,
    `orgUnitIdScheme`, `categoryOptionComboIdScheme`, `attributeOptionComboIdScheme`,
    `dataSetIdScheme` override it for their objects (a name several objects share is a
    conflict); `skipExistingCheck`, `skipAudit`, `force` are
    refused when true, as is any other parameter (409 ERROR, nothing read). `async=true` runs
    the import in the background, as DHIS2 does: the answer is 200 with a
    `JobConfigurationWebMessageResponse` whose `id` is polled at
    `/system/tasks/DATAVALUE_IMPORT/{id}` (notifications, newest first) and whose ImportSummary
    is read at `/system/taskSummaries/DATAVALUE_IMPORT/{id}`; the job imports as the caller,
    whose right to import is checked again when it runs. `period` is an ISO period (with
    `dataSet`, or the element's form, naming the round) or a round code. `completeDate` (on
    the JSON or DXF2 set, on an ADX group; DHIS2's CSV has no such column) submits the reports
    of the values once they are imported, when the caller may submit them (the unit's approver;
    every blocking problem solved and no warning, since an import carries no explanation):
    `dataSetComplete` is then the date; otherwise the values still import and one conflict
    (object `completeDate`, no indexes) says why the report was not submitted. An empty value
    with a comment is a "no data" cell; an empty value without one clears the cell. `ignored`
    counts values left as they were (unchanged, skipped by the strategy, or rejected). `POST {}`
    imports nothing and answers OK."""
    return _import(request)


def _suffixed_import(suffix: str):
    def view(request):
        return _import(request, suffix)

    view.__name__ = f"post_data_value_sets_{suffix}"
    view.__doc__ = (
        f"`POST /dataValueSets` with a {suffix.upper()} payload when the Content-Type names no "
        "format (a known Content-Type wins); same parameters and answer."
    )
    return view


for _suffix in FORMATS:
    router.post(f"/dataValueSets.{_suffix}", response=IMPORT_RESPONSES, openapi_extra=IMPORT_DOC)(
        _suffixed_import(_suffix)
    )


# --- async imports: DHIS2's task endpoints ------------------------------------------------------


class TaskNotification(Schema):
    level: str
    category: str
    time: str
    message: str
    completed: bool
    id: str
    uid: str


def _import_job(request, job_id: str):
    job = import_jobs.job_of(request.auth, job_id)
    if job is None:
        message = _("Không tìm thấy việc nhập số liệu “%(id)s”.") % {"id": job_id}
        return None, (404, web_message(404, message))
    return job, None


@router.get(
    f"/system/tasks/{import_jobs.JOB_TYPE}/{{job_id}}",
    response={200: list[TaskNotification], 404: WebMessageOut},
)
def get_import_task(request, job_id: str):
    """DHIS2's task notifications of an import started with `async=true` (the `id` of its
    answer), newest first; the newest is `completed` once the job has ended (level ERROR when
    it failed). Only the caller's own jobs: any other id answers 404."""
    job, missing = _import_job(request, job_id)
    return missing or (200, import_jobs.notifications(job))


@router.get(
    f"/system/taskSummaries/{import_jobs.JOB_TYPE}/{{job_id}}",
    response={200: ImportSummary | dict, 404: WebMessageOut},
)
def get_import_task_summary(request, job_id: str):
    """The ImportSummary the synchronous import would have answered, once the job has ended
    (`{}` while it waits or runs, as DHIS2 answers; a failed job: an ERROR summary with the
    reason). Only the caller's own jobs: any other id answers 404."""
    job, missing = _import_job(request, job_id)
    return missing or (200, import_jobs.import_summary(job) or {})


# --- lists -------------------------------------------------------------------------------------


class OptionComboOut(Schema):
    code: str
    uid: str
    name: str


class DataElementOut(Schema):
    code: str
    uid: str
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
    uid: str  # DHIS2's dataSet id: one per version
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
    tallies: dict[int, dict[str, int]] = {}
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
    on_behalf_reason: str = ""  # the coordinator submitting for a unit (a paper report)


class SubmitRefusedOut(Schema):
    detail: str
    errors: list[str]


@router.get("/submissions/{round_code}/{unit_code}/submit", response=SubmitCheckOut)
def check_submit(request, round_code: str, unit_code: str):
    """What would stop the caller submitting now (the submit runs and is rolled back); warnings
    need a `warning_comment` when submitting."""
    submission = _submission(request, round_code, unit_code)
    problems = submissions.submission_problems(submission, viewer=request.auth)
    warnings = [str(issue) for issue in problems.warnings]
    try:
        errors = submissions.submit_refusals(
            submission=submission, actor=request.auth, request=request
        )
    except PermissionDenied:
        errors = [_("Chỉ lãnh đạo đơn vị hoặc Sở Nội vụ được nộp báo cáo.")]
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


def _submit_body(request) -> SubmitIn:
    """`{"warning_comment": "...", "on_behalf_reason": "..."}` when a body is sent; an empty
    POST is a plain submit."""
    if not request.body.strip():
        return SubmitIn()
    try:
        return SubmitIn.model_validate(json.loads(request.body))
    except ValueError:
        return SubmitIn()


@router.post(
    "/submissions/{round_code}/{unit_code}/submit",
    response={200: SubmissionOut, 400: ErrorOut, 403: ErrorOut, 409: SubmitRefusedOut},
    openapi_extra=SUBMIT_DOC,
)
def submit_submission(request, round_code: str, unit_code: str):
    """Submit a unit's report (the unit's approver; the coordinator only on the unit's behalf, a
    draft, with `on_behalf_reason`). Blocking problems answer 409 with their Vietnamese
    messages (every table cell filled or marked "no data" unless its row is optional, the
    blocking validation rules…); warnings need `warning_comment` in a JSON body."""
    submission = _submission(request, round_code, unit_code)
    body = _submit_body(request)
    try:
        submission = submissions.submit(
            submission=submission,
            actor=request.auth,
            warning_comment=body.warning_comment,
            on_behalf_reason=body.on_behalf_reason,
            request=request,
        )
    except PermissionDenied:
        return refuse(403, _("Chỉ lãnh đạo đơn vị hoặc Sở Nội vụ được nộp báo cáo."))
    except ValidationError as error:
        return 409, {"detail": _("Chưa nộp được báo cáo."), "errors": error.messages}
    return 200, Submission.objects.select_related("round", "unit").get(pk=submission.pk)


# --- ADX (IHE QRPH): the same exchange as XML; mapping in reports/exchange/adx.py -------------

ADX_EXPORT_DOC = {
    "parameters": SCHEME_QUERY,
    "responses": {200: {"content": {"application/adx+xml": {"schema": {"type": "string"}}}}},
}
ADX_IMPORT_DOC = {
    "parameters": IMPORT_PARAMETERS,
    "requestBody": {
        "required": True,
        "content": {"application/adx+xml": {"schema": {"type": "string"}}},
    },
}


@router.get(
    "/adx", response={400: ErrorOut, 404: ErrorOut, 409: ErrorOut}, openapi_extra=ADX_EXPORT_DOC
)
def get_adx(
    request,
    dataSet: str | None = None,
    period: list[str] = Query(None),  # noqa: B008
    orgUnit: list[str] = Query(None),  # noqa: B008
    children: bool = False,
    lastUpdated: str | None = None,
    dataElement: list[str] = Query(None),  # noqa: B008
):
    """The dataValueSets export as ADX XML (same filters and id schemes): one `<group orgUnit=
    period= dataSet=>` per unit and round (`period` an ISO interval of the round's period,
    `dataSet` the form code, or its UID or name per `dataSetIdScheme`); disaggregations as
    attributes named by category code (`SEX="FEMALE"`); values valid against the ADX schema
    (`xs:decimal`: booleans 1/0, a text element as `value="0"` with the text in `<annotation>`,
    as DHIS2 writes it); comments in `<annotation>`; "no data" cells left out. Also `GET
    /dataValueSets.adx` or `Accept: application/adx+xml`."""
    return _export(request, "adx", dataSet, period, orgUnit, children, lastUpdated, dataElement)


@router.post(
    "/adx",
    response=IMPORT_RESPONSES,
    openapi_extra=ADX_IMPORT_DOC,
)
def post_adx(request):
    """Import ADX XML through the importer of `POST /dataValueSets`, with its parameters and its
    DHIS2 answer (valid values stored, conflicts reported; `atomicMode=ALL`, `dryRun`,
    `importStrategy`…), whatever the Content-Type; the same as `POST /dataValueSets` with
    `Content-Type: application/adx+xml`. A `categoryOptionCombo` attribute names the
    disaggregation in preference to exploded categories; a group's `attributeOptionCombo` may
    only be `default`. XML with a DTD or entities is refused (409 ERROR, nothing read)."""
    return _import(request, "adx", fixed=True)
