"""Importing Records: what each value does, every conflict, and the writes (through
save_values of reports.services.submissions, with its checks and audit).

Imports are all-or-nothing: one conflict and nothing of the payload is stored (every problem is
listed in Vietnamese). A dry run runs every check and the writes, then rolls them back. An empty
value with a comment declares "no data"; an empty value without one clears the cell, as DHIS2
deletes it. Nothing is silently overwritten: a value sent with the time of its copy is refused
when the stored one changed after that.
"""

from collections import Counter
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import DEFAULT, CategoryOptionCombo

from .. import disclosure
from ..models import DataValue, Row, Submission
from ..services.submissions import CellErrors, CellInput, save_values
from .records import BadPayload, Lookups, Record, conflict, parse_moment, problems, timestamp

STRATEGIES = ("CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE")


def check_strategy(name: str) -> str:
    """DHIS2's importStrategy, upper-cased; BadPayload when it is none of STRATEGIES."""
    strategy = name.upper()
    if strategy not in STRATEGIES:
        message = _("importStrategy phải là một trong: %(s)s.") % {"s": ", ".join(STRATEGIES)}
        raise BadPayload(message)
    return strategy


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
    """What importing one value does: (count name, the cell to save or None). A sensitive value
    the caller may not see (`exact` False) is never reported "ignored" for being the same as the
    stored one: the summary would tell what the stored value is (reports.disclosure)."""
    filled = existing is not None and existing.is_filled
    clear = CellInput(row=row, option_combo=combo, raw="")
    if strategy == "DELETE":
        return ("deleted", clear) if filled else ("ignored", None)
    if (strategy == "CREATE" and filled) or (strategy == "UPDATE" and not filled):
        return "skipped", None
    value, comment = record.value.strip(), record.comment.strip()
    if not value and not comment:
        return ("deleted", clear) if filled else ("ignored", None)
    cell = CellInput(
        row=row, option_combo=combo, raw=value, comment=comment, no_data=not value, machine=True
    )
    if (
        existing is not None
        and filled
        and (exact or not row.data_element.sensitive)
        and _same(existing, cell)
    ):
        return "ignored", None
    return ("updated" if filled else "imported"), cell


Item = tuple[Record, Row, CategoryOptionCombo]


def _groups(
    records: list[Record], found: Lookups, data_set: str
) -> tuple[dict[int, tuple[Submission, list[Item]]], list[dict]]:
    """The values to apply, by submission ({submission id: (submission, [(record, row, combo)])}),
    and the conflicts of the others (wrong identifiers, the same cell twice)."""
    conflicts: list[dict] = []
    groups: dict[int, tuple[Submission, list[Item]]] = {}
    seen: dict[tuple[int, int, int], Record] = {}
    for record in records:
        wrong = problems(record, found, data_set)
        for obj, message in wrong:
            conflicts.append(conflict(obj, record.where, message, [record.index]))
        if wrong:
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
            conflicts.append(conflict(record.data_element, record.where, message, [record.index]))
            continue
        seen[key] = record
        groups.setdefault(submission.pk, (submission, []))[1].append((record, row, combo))
    return groups, conflicts


def import_values(
    *,
    actor,
    records: list[Record],
    strategy: str,
    dry_run: bool,
    data_set: str = "",
    unreadable: Sequence[dict] = (),
    request=None,
) -> tuple[Counter[str], list[dict]]:
    """Apply values through save_values, one submission at a time inside ONE transaction: any
    conflict (an unreadable value included) or a dry run rolls all of it back. Returns (counts,
    conflicts in payload order)."""
    groups, conflicts = _groups(records, Lookups(actor, records), data_set)
    conflicts = list(unreadable) + conflicts
    counts: Counter[str] = Counter()
    with transaction.atomic():
        # Lock the submissions (in a fixed order) so that the counts below stay true.
        list(Submission.objects.select_for_update().filter(pk__in=groups).order_by("pk"))
        for submission, items in groups.values():
            conflicts += _apply(submission, items, strategy, counts, actor, request)
        if conflicts or dry_run:
            transaction.set_rollback(True)
    conflicts.sort(key=lambda c: c["indexes"][:1])
    return counts, conflicts


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


def _apply(
    submission: Submission,
    items: list[Item],
    strategy: str,
    counts: Counter[str],
    actor,
    request,
) -> list[dict]:
    """Plan and save one submission's values; its conflicts (stale copies first: then nothing
    is saved)."""
    current = {(v.data_element_id, v.option_combo_id): v for v in submission.values.all()}
    exact = disclosure.sees_exact(actor, submission.unit_id)
    cells, by_key, stale = [], {}, []
    for record, row, combo in items:
        key = (row.data_element_id, combo.pk)
        action, cell = _plan(record, row, combo, current.get(key), strategy, exact=exact)
        if cell is not None and _overtaken(record, current.get(key)):
            message = _(
                "giá trị trên hệ thống đã được sửa lúc %(at)s, sau bản gửi lên (%(sent)s); "
                "hãy xuất dữ liệu mới rồi sửa lại."
            ) % {"at": timestamp(current[key].updated_at), "sent": record.last_updated}
            stale.append(conflict(record.data_element, record.where, message, [record.index]))
        counts[action] += 1
        if cell is not None:
            cells.append(cell)
            by_key[key] = record
    if stale:
        return stale
    try:
        # Even with nothing to change: a locked or submitted report is a conflict.
        save_values(submission=submission, cells=cells, actor=actor, request=request)
    except CellErrors as error:
        return [
            conflict(by_key[key].data_element, by_key[key].where, message, [by_key[key].index])
            for key, message in error.cells.items()
        ]
    except ValidationError as error:  # the report cannot be edited (locked, submitted…)
        name = f"{submission.round.code}/{submission.unit.code}"
        indexes = [record.index for record, _row, _combo in items]
        return [conflict(name, name, " ".join(error.messages), indexes)]
    return []


def summary(counts: Counter[str], conflicts: list[dict], total: int, dry_run: bool) -> dict:
    """DHIS2's import summary: with any conflict nothing was stored and every value is ignored;
    `ignored` counts values left as they were (unchanged, or skipped by the strategy: WARNING)."""
    if conflicts:
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
