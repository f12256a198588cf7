"""A data value set imported in the background, as DHIS2's `async=true` does it: the payload is
kept with a core.jobs job (`Job.payload`, dropped when the job ends), the worker runs the same
import as the synchronous call (`run`: same format, same options) as the user who sent it, whose
right to import is checked again when the job runs, and the ImportSummary is the job's file.

DHIS2's names: the job type is DATAVALUE_IMPORT; the caller polls
`/system/tasks/DATAVALUE_IMPORT/{id}` (the job's notifications, newest first) and reads the
answer at `/system/taskSummaries/DATAVALUE_IMPORT/{id}`. A job is its starter's alone."""

import datetime
import json
import uuid
from collections import Counter
from dataclasses import replace

from django.utils import timezone
from django.utils.translation import gettext as _

from core import jobs
from core.models import Job, JobState

from . import adx, dxf2, importer
from .dhis2_csv import records_from_csv
from .dhis2_json import records_from_json
from .records import BadPayload, conflict

KIND = "reports.datavalue_import"  # the core.jobs kind (registered by reports.apps)
JOB_TYPE = "DATAVALUE_IMPORT"  # DHIS2's JobType
SUMMARY_NAME = "importSummary.json"
# How long an ended import's summary stays to be read (DHIS2 keeps its task summaries in memory,
# until the server restarts).
KEPT = datetime.timedelta(days=7)


def run(*, actor, fmt: str, body: bytes, options: importer.Options, request=None) -> dict:
    """Read a payload of `fmt` (json, csv, xml, adx) and import it as `actor`: DHIS2's
    ImportSummary (an unreadable payload is an ERROR summary, nothing imported). Id schemes a
    JSON or DXF2 set carries win over the query's, as in DHIS2."""
    try:
        if fmt == "adx":
            parsed = adx.parse_adx(body)
            records, unreadable = adx.to_records(parsed, user=actor, schemes=options.schemes)
            data_set, total = "", len(parsed)
        else:
            carried: dict[str, str] = {}
            if fmt == "csv":
                records, unreadable, data_set = records_from_csv(
                    body, first_row_is_header=options.first_row_is_header
                )
            elif fmt == "xml":
                records, unreadable, data_set, carried = dxf2.records_from_xml(body)
            else:
                records, unreadable, data_set, carried = records_from_json(body)
            if carried:
                given = {name: {"type": value} for name, value in carried.items()}
                options = replace(options, id_schemes={**options.id_schemes, **given})
            total = len(records) + sum(1 for c in unreadable if c["indexes"])
    except BadPayload as error:
        return importer.summary(
            counts=Counter(),
            conflicts=[conflict("payload", "", str(error), [])],
            total=0,
            options=options,
            failure=str(error),
        )
    counts, conflicts, complete_date = importer.import_values(
        actor=actor,
        records=records,
        options=options,
        data_set=data_set,
        unreadable=unreadable,
        request=request,
    )
    return importer.summary(
        counts=counts,
        conflicts=conflicts,
        total=total,
        options=options,
        complete_date=complete_date,
    )


def start(*, actor, fmt: str, body: bytes, query: dict[str, str]) -> Job:
    """Queue the import of `body` for `actor` with the request's query (its import options):
    every call is a job of its own. The sender's imports that ended more than KEPT ago are
    dropped (their summaries answer 404 from then on)."""
    jobs.forget_finished(actor=actor, kind=KIND, before=timezone.now() - KEPT)
    key = uuid.uuid4().hex
    return jobs.start(
        actor=actor,
        kind=KIND,
        subject=f"reports.import:{key}",
        fingerprint=key,
        params={"format": fmt, "query": query},
        payload=body,
    )


def handle(job: Job, progress: jobs.Progress) -> jobs.Outcome:
    """core.jobs handler: the import, as its starter may do it now."""
    from ..services.submissions import EDITORS

    user = job.user
    if not user.is_active or user.role not in EDITORS:
        raise jobs.JobRefused(_("Tài khoản không còn quyền nhập số liệu báo cáo."))
    body = Job.objects.filter(pk=job.pk).values_list("payload", flat=True).first()
    if body is None:
        raise jobs.JobRefused(_("Không còn nội dung cần nhập."))
    options, refused = importer.read_options(job.params.get("query", {}))
    if refused:  # checked when the job was started; the rules may have changed since
        raise jobs.JobRefused(" ".join(c["value"] for c in refused))
    progress.expect(1, _("Đang nhập số liệu"))
    fmt = job.params.get("format", "json")
    summary = run(actor=user, fmt=fmt, body=bytes(body), options=options)
    counts = summary.get("response", summary).get("importCount", {})
    told = _(
        "Đã nhập xong số liệu gửi qua API (việc %(id)s): %(imported)s giá trị mới, %(updated)s "
        "cập nhật, %(ignored)s bỏ qua, %(conflicts)s xung đột."
    ) % {
        "id": job.pk,
        "imported": counts.get("imported", 0),
        "updated": counts.get("updated", 0),
        "ignored": counts.get("ignored", 0),
        "conflicts": len(summary.get("response", summary).get("conflicts", [])),
    }
    return jobs.Outcome(json.dumps(summary).encode(), SUMMARY_NAME, "application/json", told)


def job_of(user, job_id: str) -> Job | None:
    """The caller's own import job `job_id`; None for anyone else's, or none."""
    if not job_id.isdigit():
        return None
    return Job.objects.for_user(user).filter(kind=KIND, pk=int(job_id)).defer("payload").first()


def reference(job: Job) -> dict:
    """DHIS2's answer to an async import: a WebMessage with a JobConfigurationWebMessageResponse."""
    return {
        "httpStatus": "OK",
        "httpStatusCode": 200,
        "status": "OK",
        "message": f"Initiated {JOB_TYPE}",
        "response": {
            "responseType": "JobConfigurationWebMessageResponse",
            "name": JOB_TYPE,
            "id": str(job.pk),
            "created": _moment(job.created_at),
            "jobType": JOB_TYPE,
            "relativeNotifierEndpoint": f"/api/v1/system/tasks/{JOB_TYPE}/{job.pk}",
        },
    }


def _moment(at) -> str:
    return at.isoformat(timespec="milliseconds") if at else ""


def notifications(job: Job) -> list[dict]:
    """The job's notifications as DHIS2's task endpoint lists them, newest first; the last one
    `completed` when the job has ended."""
    steps: list[tuple[str, datetime.datetime | None, str, bool]] = [
        ("INFO", job.created_at, _("Đã nhận yêu cầu nhập số liệu, đang chờ xử lý."), False)
    ]
    if job.started_at:
        steps.append(("INFO", job.started_at, _("Đang nhập số liệu."), False))
    if job.state == JobState.DONE:
        steps.append(("INFO", job.finished_at, _("Đã nhập xong số liệu."), True))
    elif job.state == JobState.FAILED:
        steps.append(("ERROR", job.finished_at, job.error, True))
    return [
        {
            "level": level,
            "category": JOB_TYPE,
            "time": _moment(at),
            "message": message,
            "completed": completed,
            "id": f"{job.pk}-{number}",
            "uid": f"{job.pk}-{number}",
        }
        for number, (level, at, message, completed) in reversed(list(enumerate(steps, 1)))
    ]


def import_summary(job: Job) -> dict | None:
    """The ImportSummary of a finished job (a failed one: an ERROR summary saying why); None
    while it runs."""
    if job.state == JobState.DONE and job.result is not None:
        return json.loads(bytes(job.result))
    if job.state == JobState.FAILED:
        options, _refused = importer.read_options(job.params.get("query", {}))
        return importer.summary(
            counts=Counter(),
            conflicts=[conflict("job", "", job.error, [])],
            total=0,
            options=options,
            failure=job.error,
        )
    return None
