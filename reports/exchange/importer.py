"""Importing Records as DHIS2 does: what each value does, every conflict, the writes (through
save_values of reports.services.submissions, with its checks and audit), and DHIS2's answer.

By default the valid values are stored and the others reported as conflicts (status WARNING),
as DHIS2 imports; `atomicMode=ALL` (DHIS2's own parameter, default NONE) stores nothing when
there is any conflict (status ERROR). Each report (submission) is written inside its own
savepoint; a report that cannot be edited (locked, submitted…) is one conflict on its values, the
others still import. binhdang's own checks (part ≤ total, sensitive cells, stale copies) are
conflicts on the values concerned. A dry run runs every check and the writes, then rolls them
back. An empty value with a comment declares "no data"; an empty value without one clears the
cell, as DHIS2 deletes it. A value sent with the time of its copy (`lastUpdated`, JSON) is
refused when the stored one changed after that: nothing is silently overwritten.

The answer is DHIS2's WebMessage wrapping an ImportSummary (see `summary` and `web_message`).
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import CategoryOptionCombo

from .. import disclosure
from ..models import DataValue, Row, Submission
from ..services.submissions import CellErrors, CellInput, save_values, submit
from .records import (
    E_ATTRIBUTE_REQUIRED,
    E_COMBO_REQUIRED,
    E_NOT_OPEN,
    E_OUT_OF_HIERARCHY,
    E_VALUE,
    SCHEME_PARAMETERS,
    SCHEMES,
    IdSchemes,
    Lookups,
    Record,
    conflict,
    parse_moment,
    problems,
    timestamp,
)

STRATEGIES = ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE")
ATOMIC_MODES = ("NONE", "ALL")
# DHIS2's identifier schemes: CODE (binhdang's default), UID or NAME, case-insensitive; a
# specific one overrides idScheme (records.IdSchemes). DHIS2's ATTRIBUTE:… and UUID are refused.
ID_SCHEMES = tuple(SCHEME_PARAMETERS)
# DHIS2's strictness flags: binhdang always checks all of them (a value must be in a round of
# its form, for a combo of its element, the default attribute combo, a unit assigned to the
# round, a round open and its report editable), so both values are accepted and the effective
# one (true) is echoed in importOptions.
ALWAYS_STRICT = (
    "strictPeriods",
    "strictDataElements",
    "strictCategoryOptionCombos",
    "strictAttributeOptionCombos",
    "strictOrganisationUnits",
    "strictDataSetApproval",
    "strictDataSetLocking",
    "strictDataSetInputPeriods",
)
# DHIS2 flags binhdang cannot honour: false (their default) is accepted, true refused.
REFUSED_WHEN_TRUE = {
    "skipExistingCheck": _("binhdang luôn đối chiếu giá trị đã lưu (để ghi nhật ký và đếm đúng)."),
    "skipAudit": _("mọi thay đổi số liệu đều được ghi nhật ký, không bỏ qua được."),
    "force": _("không có quyền vượt khóa sổ hay trạng thái báo cáo qua API."),
}
FLAGS = (
    "dryRun",
    "firstRowIsHeader",
    "requireCategoryOptionCombo",
    "requireAttributeOptionCombo",
    "preheatCache",  # a performance hint in DHIS2: no effect on what is imported
    "async",  # a background job (reports.exchange.jobs); the API reads it
    *ALWAYS_STRICT,
    *REFUSED_WHEN_TRUE,
)


@dataclass
class Options:
    """DHIS2's import options as this import honours them."""

    strategy: str = "CREATE_AND_UPDATE"
    dry_run: bool = False
    atomic: bool = False  # atomicMode=ALL
    first_row_is_header: bool = True  # CSV
    require_combo: bool = False
    require_attribute: bool = False
    id_schemes: dict = field(default_factory=dict)  # DHIS2's idSchemes echo: those given
    run_async: bool = False  # async=true: a background job answers later

    @property
    def schemes(self) -> IdSchemes:
        """The scheme of each kind of identifier, the specific ones over idScheme."""
        return IdSchemes.of({name: given["type"] for name, given in self.id_schemes.items()})

    def echo(self) -> dict:
        """DHIS2's importOptions object (the fields DHIS2 2.39+ returns, in its order), with
        the values in effect here."""
        return {
            "idSchemes": self.id_schemes,
            "dryRun": self.dry_run,
            "async": self.run_async,
            "importStrategy": self.strategy,
            "mergeMode": "REPLACE",
            "reportMode": "FULL",
            "skipExistingCheck": False,
            "sharing": False,
            "skipNotifications": False,
            "skipAudit": False,
            "datasetAllowsPeriods": False,
            **{name: True for name in ALWAYS_STRICT},
            "requireCategoryOptionCombo": self.require_combo,
            "requireAttributeOptionCombo": self.require_attribute,
            "skipPatternValidation": False,
            "ignoreEmptyCollection": False,
            "force": False,
            "firstRowIsHeader": self.first_row_is_header,
            "skipLastUpdated": False,
            "mergeDataValues": False,
            "skipCache": False,
            "atomicMode": "ALL" if self.atomic else "NONE",
        }


def _refusal(name: str, message: str) -> dict:
    return conflict(name, "", message, [])


def _flag(options: Options, name: str, raw: str) -> dict | None:
    """Apply one boolean flag; its conflict when it is refused."""
    text = raw.strip().lower()
    if text not in ("true", "false"):
        return _refusal(name, _("%(n)s chỉ nhận true hoặc false.") % {"n": name})
    on = text == "true"
    if name in REFUSED_WHEN_TRUE and on:
        return _refusal(
            name,
            _("%(n)s=true không được hỗ trợ: %(why)s")
            % {"n": name, "why": REFUSED_WHEN_TRUE[name]},
        )
    attribute = {
        "dryRun": "dry_run",
        "firstRowIsHeader": "first_row_is_header",
        "requireCategoryOptionCombo": "require_combo",
        "requireAttributeOptionCombo": "require_attribute",
        "async": "run_async",
    }.get(name)
    if attribute:
        setattr(options, attribute, on)
    return None


def _option(options: Options, name: str, raw: str) -> dict | None:
    """Apply one query parameter; its conflict when it is refused."""
    if name in FLAGS:
        return _flag(options, name, raw)
    value = raw.strip().upper()
    if name == "importStrategy" and value in STRATEGIES:
        options.strategy = value
    elif name == "importStrategy":
        message = _("importStrategy phải là một trong: %(s)s.") % {"s": ", ".join(STRATEGIES)}
        return _refusal(name, message)
    elif name == "atomicMode" and value in ATOMIC_MODES:
        options.atomic = value == "ALL"
    elif name == "atomicMode":
        return _refusal(name, _("atomicMode chỉ nhận NONE hoặc ALL."))
    elif name in ID_SCHEMES and value in SCHEMES:
        options.id_schemes[name] = {"type": value}
    elif name in ID_SCHEMES:
        message = _("%(n)s=%(v)s không được hỗ trợ: chỉ nhận CODE (mã), UID hoặc NAME (tên).") % {
            "n": name,
            "v": raw,
        }
        return _refusal(name, message)
    else:
        message = _("tham số “%(n)s” không được hỗ trợ khi nhập số liệu.") % {"n": name}
        return _refusal(name, message)
    return None


def read_options(params: Mapping[str, str]) -> tuple[Options, list[dict]]:
    """The import options of a request's query parameters, and a conflict for each parameter
    refused (an unknown one, a value not allowed, a DHIS2 option binhdang cannot honour): the
    request is then refused as a whole, nothing is read."""
    options = Options()
    refused = [c for name, raw in params.items() if (c := _option(options, name, raw))]
    return options, refused


# --- planning -------------------------------------------------------------------------------


def _same(existing: DataValue, cell: CellInput) -> bool:
    try:
        value = cell.row.data_element.clean_value(cell.raw, machine=cell.machine)
    except ValidationError:
        return False  # save_values names the problem
    comment = existing.comment if cell.comment is None else cell.comment.strip()
    new = (value, cell.no_data, comment)
    return (existing.value, existing.no_data, existing.comment) == new


def _plan(
    record: Record,
    row: Row,
    combo: CategoryOptionCombo,
    existing: DataValue | None,
    strategy: str,
    *,
    exact: bool,
) -> tuple[str, CellInput | None]:
    """What importing one value does: (count name, the cell to save or None).

    A sensitive value the caller may not see exactly (`exact` False) always goes to save_values,
    which refuses it with one message whatever is stored: being "ignored" (same value, nothing
    to delete, skipped by CREATE/UPDATE) or not would tell what the stored value is
    (reports.disclosure)."""
    hidden = row.data_element.sensitive and not exact
    filled = existing is not None and existing.is_filled
    clear = CellInput(row=row, option_combo=combo, raw="")
    value, comment = record.value.strip(), record.comment.strip()
    cell = CellInput(
        row=row, option_combo=combo, raw=value, comment=comment, no_data=not value, machine=True
    )
    if hidden:
        return "refused", clear if strategy == "DELETE" else cell
    if strategy == "DELETE":
        return ("deleted", clear) if filled else ("ignored", None)
    if (strategy == "CREATE" and filled) or (strategy == "UPDATE" and not filled):
        return "ignored", None
    if not value and not comment:
        return ("deleted", clear) if filled else ("ignored", None)
    if existing is not None and filled and _same(existing, cell):
        return "ignored", None
    return ("updated" if filled else "imported"), cell


Item = tuple[Record, Row, CategoryOptionCombo]


def _required(record: Record, options: Options) -> list[tuple[str, str, str]]:
    """DHIS2's requireCategoryOptionCombo / requireAttributeOptionCombo."""
    missing = []
    if options.require_combo and not record.option_combo:
        message = _("thiếu categoryOptionCombo (requireCategoryOptionCombo=true).")
        missing.append((record.data_element, message, E_COMBO_REQUIRED))
    if options.require_attribute and not record.attribute_combo:
        message = _("thiếu attributeOptionCombo (requireAttributeOptionCombo=true).")
        missing.append((record.data_element, message, E_ATTRIBUTE_REQUIRED))
    return missing


def _groups(
    records: list[Record], found: Lookups, options: Options
) -> tuple[dict[int, tuple[Submission, list[Item]]], list[dict]]:
    """The values to apply, by submission ({submission id: (submission, [(record, row, combo)])}),
    and the conflicts of the others (wrong identifiers, the same cell twice)."""
    conflicts: list[dict] = []
    groups: dict[int, tuple[Submission, list[Item]]] = {}
    seen: dict[tuple[int, int, int], Record] = {}
    for record in records:
        round_, wrong = problems(record, found)
        wrong += _required(record, options)
        for obj, message, code in wrong:
            conflicts.append(conflict(obj, record.where, message, [record.index], code=code))
        unit, element, combo = found.unit(record), found.element(record), found.combo(record)
        if wrong or round_ is None or unit is None or element is None or combo is None:
            continue
        submission = found.submissions[(round_.pk, unit.pk)]
        row = found.rows[round_.form_id][element.pk]
        key = (submission.pk, row.data_element_id, combo.pk)
        if key in seen:
            message = _("trùng với %(other)s (cùng chỉ tiêu, phân tổ, kỳ và đơn vị).") % {
                "other": seen[key].where
            }
            conflicts.append(conflict(record.data_element, record.where, message, [record.index]))
            continue
        seen[key] = record
        groups.setdefault(submission.pk, (submission, []))[1].append((record, row, combo))
    return groups, conflicts


# --- writing --------------------------------------------------------------------------------


def import_values(
    *,
    actor,
    records: list[Record],
    options: Options,
    data_set: str = "",
    unreadable: Sequence[dict] = (),
    request=None,
) -> tuple[Counter[str], list[dict], str]:
    """Apply values through save_values, each submission in a savepoint of one transaction:
    the valid values are stored, the others are conflicts; with `options.atomic` any conflict
    (an unreadable value included) rolls all of it back, as does a dry run. A report whose
    values carry a `completeDate` is then submitted when the caller may (`_complete`). Returns
    (counts of imported / updated / deleted values, conflicts in payload order, the
    completeDate of the reports submitted or "")."""
    lookups = Lookups(actor, records, options.schemes, data_set)
    groups, conflicts = _groups(records, lookups, options)
    conflicts = list(unreadable) + conflicts
    counts: Counter[str] = Counter()
    completed = ""
    with transaction.atomic():
        # Lock the submissions (in a fixed order) so that the counts below stay true.
        list(Submission.objects.select_for_update().filter(pk__in=groups).order_by("pk"))
        for submission, items in groups.values():
            with transaction.atomic():  # a savepoint: one report's failure leaves the others
                found = _apply(submission, items, options.strategy, counts, actor, request)
            conflicts += found
            complete_date = next((r.complete_date for r, _r, _c in items if r.complete_date), "")
            if complete_date and not any(c["object"] == _name(submission) for c in found):
                refusal = _complete(submission, actor, request)
                if refusal:
                    conflicts.append(refusal)
                else:
                    completed = completed or complete_date
        if options.dry_run or (options.atomic and conflicts):
            transaction.set_rollback(True)
    conflicts.sort(key=lambda c: c["indexes"][:1])
    return counts, conflicts, completed


def _name(submission: Submission) -> str:
    return f"{submission.round.code}/{submission.unit.code}"


def _complete(submission: Submission, actor, request) -> dict | None:
    """DHIS2's completeDate: submit the report as `submit` does (who may submit, blocking
    problems, warnings needing a comment: an import carries none), audited and told as a
    normal submit. Its conflict (object `completeDate`, no indexes: the values stay imported)
    when the report was not submitted."""
    try:
        submit(submission=submission, actor=actor, request=request)
    except PermissionDenied:
        message = _("chỉ lãnh đạo đơn vị hoặc Sở Nội vụ được nộp báo cáo.")
    except ValidationError as error:
        message = " ".join(error.messages)
    else:
        return None
    name = _name(submission)
    text = _("completeDate: báo cáo chưa được nộp: %(why)s") % {"why": message}
    return conflict("completeDate", name, text, [])


def _overtaken(record: Record, existing: DataValue | None) -> bool:
    """A value sent with the time of its copy (as exports carry it) must not overwrite a value
    changed on the web after that: nothing is silently overwritten. Without a time, DHIS2's
    rule holds: the import wins."""
    if existing is None or not record.last_updated:
        return False
    sent = parse_moment(record.last_updated)
    if sent is None:
        return False
    changed = existing.updated_at.replace(
        microsecond=existing.updated_at.microsecond // 1000 * 1000
    )
    return changed > sent  # exports give milliseconds


@dataclass
class _Planned:
    record: Record
    key: tuple[int, int]
    action: str
    cell: CellInput


def _planned(
    submission: Submission, items: list[Item], strategy: str, actor
) -> tuple[list[_Planned], list[dict]]:
    """The cells to save for one submission, and the stale copies' conflicts."""
    current = {(v.data_element_id, v.option_combo_id): v for v in submission.values.all()}
    exact = disclosure.sees_exact(actor, submission.unit_id)
    planned, stale = [], []
    for record, row, combo in items:
        key = (row.data_element_id, combo.pk)
        action, cell = _plan(record, row, combo, current.get(key), strategy, exact=exact)
        if cell is None:
            continue
        if action != "refused" and _overtaken(record, current.get(key)):
            message = _(
                "giá trị trên hệ thống đã được sửa lúc %(at)s, sau bản gửi lên (%(sent)s); "
                "hãy xuất dữ liệu mới rồi sửa lại."
            ) % {"at": timestamp(current[key].updated_at), "sent": record.last_updated}
            stale.append(conflict(record.data_element, record.where, message, [record.index]))
            continue
        planned.append(_Planned(record, key, action, cell))
    return planned, stale


def _apply(
    submission: Submission,
    items: list[Item],
    strategy: str,
    counts: Counter[str],
    actor,
    request,
) -> list[dict]:
    """Plan and save one submission's values: the cells save_values refuses are dropped (each a
    conflict) and the rest saved; a report that cannot be edited is one conflict on all its
    values. Returns the conflicts."""
    planned, conflicts = _planned(submission, items, strategy, actor)
    while True:
        try:
            # Even with nothing to change: a locked or submitted report is a conflict.
            save_values(
                submission=submission, cells=[p.cell for p in planned], actor=actor, request=request
            )
        except CellErrors as error:
            for item in planned:
                if item.key in error.cells:
                    code = None if item.action == "refused" else E_VALUE
                    conflicts.append(
                        conflict(
                            item.record.data_element,
                            item.record.where,
                            error.cells[item.key],
                            [item.record.index],
                            code=code,
                        )
                    )
            # Dropping a cell may change another's part ≤ total check: try the rest again.
            planned = [p for p in planned if p.key not in error.cells]
            continue
        except (ValidationError, PermissionDenied) as error:  # the report cannot be edited
            name = _name(submission)
            indexes = sorted(record.index for record, _row, _combo in items)
            if isinstance(error, ValidationError):
                message, code = " ".join(error.messages), E_NOT_OPEN
            else:
                message, code = _("bạn không được sửa báo cáo này."), E_OUT_OF_HIERARCHY
            return [conflict(name, name, message, indexes, code=code, prop="period")]
        break
    counts.update(p.action for p in planned)
    return conflicts


# --- DHIS2's answer -------------------------------------------------------------------------

SUCCESS_DESCRIPTION = "Import process completed successfully"  # dhis2-core ImportSummary
ABORTED_DESCRIPTION = "Import process was aborted"  # atomicMode=ALL with conflicts
FAILED_DESCRIPTION = "The import process failed: %s"  # an unreadable payload, refused options


def summary(
    *,
    counts: Counter[str],
    conflicts: list[dict],
    total: int,
    options: Options,
    failure: str = "",
    complete_date: str = "",
) -> dict:
    """DHIS2's ImportSummary (dhis2-core dxf2/importsummary/ImportSummary.java, 2.38+ fields:
    responseType, status, importOptions, description, importCount, conflicts, rejectedIndexes,
    dataSetComplete). `ignored` counts every value neither imported, updated nor deleted:
    unchanged, skipped by the strategy, or rejected by a conflict (DHIS2 counts rejected values
    as ignored). Status ERROR when nothing was stored because of a failure or atomicMode=ALL,
    WARNING with conflicts, else SUCCESS. dataSetComplete is the completeDate of the reports
    submitted by it (`complete_date`), else "false"."""
    aborted = bool(failure) or (options.atomic and bool(conflicts))
    done = {name: 0 if aborted else counts[name] for name in ("imported", "updated", "deleted")}
    if failure:
        status, description = "ERROR", FAILED_DESCRIPTION % failure
    elif aborted:
        status, description = "ERROR", ABORTED_DESCRIPTION
    else:
        status = "WARNING" if conflicts else "SUCCESS"
        description = SUCCESS_DESCRIPTION
    rejected = sorted({index for c in conflicts for index in c["indexes"]})
    return {
        "responseType": "ImportSummary",
        "status": status,
        "importOptions": options.echo(),
        "description": description,
        "importCount": {
            "imported": done["imported"],
            "updated": done["updated"],
            "ignored": total - sum(done.values()),
            "deleted": done["deleted"],
        },
        "conflicts": conflicts,
        "rejectedIndexes": rejected,
        "dataSetComplete": complete_date if complete_date and not aborted else "false",
    }


def web_message(import_summary: dict) -> tuple[int, dict]:
    """(HTTP status, DHIS2's WebMessage around an ImportSummary), as dhis2-core
    WebMessageUtils.importSummary builds it: ERROR → 409 Conflict, "An error occurred, please
    check import summary."; any conflict → 409 Conflict, status WARNING, "One more conflicts
    encountered, please check import summary." (DHIS2's own wording); else 200 OK, "Import was
    successful."."""
    if import_summary["status"] == "ERROR":
        code, status, message = 409, "ERROR", "An error occurred, please check import summary."
    elif import_summary["conflicts"]:
        code, status = 409, "WARNING"
        message = "One more conflicts encountered, please check import summary."
    else:
        code, status, message = 200, "OK", "Import was successful."
    return code, {
        "httpStatus": "OK" if code == 200 else "Conflict",
        "httpStatusCode": code,
        "status": status,
        "message": message,
        "response": import_summary,
    }
