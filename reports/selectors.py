"""Reads that assemble the reporting pages: a round's worklist (who has done what, who is late),
the counts per round of the reports list, and the entry page's "x/57 ô đã nhập".

One rule says where a unit's report stands (`stage_of`): not started, being entered, submitted,
returned, accepted; and one says it is late (`Submission.late`'s rule: never submitted although
its own, possibly extended, due date has passed). The counts, the filters, the "late" marks and
the selection the coordinator may urge (`reminders.URGEABLE`: not submitted) all follow them."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Subquery,
)
from django.utils.translation import gettext_lazy as _

from core.text import fold, vi_sort_key
from orgs.models import UnitKind

from .models import (
    URGEABLE,
    DataValue,
    NarrativeAnswer,
    Reminder,
    ReminderKind,
    Status,
    Submission,
    late_q,
)

NOT_STARTED = "not_started"
# Stages in the order a report goes through them (and the worklist sorts them).
STAGES = {
    NOT_STARTED: _("Chưa bắt đầu"),
    Status.DRAFT: _("Đang nhập"),
    Status.RETURNED: _("Bị trả lại"),
    Status.SUBMITTED: _("Đã nộp"),
    Status.ACCEPTED: _("Đã duyệt"),
}
NOT_SUBMITTED = "not_submitted"
LATE = "late"
# The status filter: the stages, plus "not submitted" (what may be urged) and "late".
STATUS_FILTERS = {
    NOT_SUBMITTED: _("Chưa nộp (chưa bắt đầu, đang nhập, bị trả lại)"),
    LATE: _("Quá hạn chưa nộp"),
    **STAGES,
}
SORTS = {
    "unit": _("Tên đơn vị"),
    "status": _("Trạng thái"),
    "kind": _("Loại đơn vị"),
    "activity": _("Hoạt động gần nhất"),
    "due": _("Hạn nộp"),
}


def stage_of(submission: Submission) -> str:
    """Where the report stands; a draft with no value and no written answer yet is "not
    started". Needs the annotations of `_with_start` (`worklist`, `round_counts`)."""
    started = submission.has_values or submission.has_answers  # type: ignore[attr-defined]
    if submission.status == Status.DRAFT and not started:
        return NOT_STARTED
    return submission.status


def _with_start(submissions):
    return submissions.annotate(
        has_values=Exists(DataValue.objects.filter(submission=OuterRef("pk"))),
        has_answers=Exists(
            NarrativeAnswer.objects.filter(submission=OuterRef("pk")).exclude(text="")
        ),
    )


@dataclass
class Worklist:
    rows: list = field(default_factory=list)  # the rows the filters keep, sorted
    counts: Counter = field(default_factory=Counter)  # over every row of the round
    total: int = 0


def _latest(model, fieldname: str):
    return Subquery(
        model.objects.filter(submission=OuterRef("pk"))
        .order_by()
        .values("submission")
        .annotate(latest=Max(fieldname))
        .values("latest")[:1]
    )


def worklist(submissions, *, today: datetime.date, status="", kind="", q="", sort="unit"):
    """The round's reports (`submissions`, already scoped to the reader and the round) in one
    query: each with its stage, late flag, cells filled, last activity (a value or answer
    saved, a submission, a review) and the last reminder or urge, filtered and sorted."""
    queryset = _with_start(submissions.with_fill()).annotate(
        is_late=ExpressionWrapper(late_q(today), output_field=BooleanField()),
        urgeable=ExpressionWrapper(URGEABLE, output_field=BooleanField()),
        last_value=_latest(DataValue, "updated_at"),
        last_answer=_latest(NarrativeAnswer, "updated_at"),
        last_reminder=_latest(Reminder, "sent_at"),
        urged_today=Exists(
            Reminder.objects.filter(
                submission=OuterRef("pk"), kind=ReminderKind.URGE, sent_on=today
            )
        ),
    )
    result = Worklist()
    needle = fold(q.strip())
    for row in queryset.select_related("unit"):
        row.stage = stage_of(row)
        row.days_late = (today - row.due_on).days if row.is_late else 0
        moments = [row.last_value, row.last_answer, row.submitted_at, row.reviewed_at]
        row.last_activity = max((m for m in moments if m is not None), default=None)
        result.total += 1
        result.counts[row.stage] += 1
        result.counts[LATE] += row.is_late
        result.counts[NOT_SUBMITTED] += row.urgeable
        if _kept(row, status=status, kind=kind, needle=needle):
            result.rows.append(row)
    result.rows.sort(key=_sort_key(sort))
    return result


def _kept(row, *, status: str, kind: str, needle: str) -> bool:
    if status == NOT_SUBMITTED and not row.urgeable:
        return False
    if status == LATE and not row.is_late:
        return False
    if status in STAGES and row.stage != status:
        return False
    if kind and row.unit.kind != kind:
        return False
    return not needle or needle in fold(f"{row.unit.name} {row.unit.code}")


def _sort_key(sort: str):
    order = list(STAGES)
    kinds = list(UnitKind.values)
    keys = {
        "unit": lambda r: (),
        "status": lambda r: (not r.is_late, order.index(r.stage)),
        "kind": lambda r: (kinds.index(r.unit.kind),),
        # Most recent first; never touched last.
        "activity": lambda r: (
            r.last_activity is None,
            -(r.last_activity.timestamp() if r.last_activity else 0),
        ),
        "due": lambda r: (r.due_on,),
    }
    first = keys.get(sort, keys["unit"])
    return lambda r: (*first(r), vi_sort_key(r.unit.name))


def round_counts(rounds, *, today: datetime.date, user) -> dict[int, Counter]:
    """round id → its counts by stage, "late" and "not submitted", over the reports `user`
    sees, in one query for every round of the list."""
    submissions = (
        _with_start(Submission.objects.for_user(user).filter(round__in=rounds))
        .annotate(
            is_late=ExpressionWrapper(late_q(today), output_field=BooleanField()),
            urgeable=ExpressionWrapper(URGEABLE, output_field=BooleanField()),
        )
        .only("round_id", "status")
    )
    counts: dict[int, Counter] = {}
    for submission in submissions:
        count = counts.setdefault(submission.round_id, Counter())
        count[stage_of(submission)] += 1
        count[LATE] += submission.is_late
        count[NOT_SUBMITTED] += submission.urgeable
        count["total"] += 1
    return counts


def entry_progress(sections: list[dict]) -> tuple[int, int]:
    """(cells filled, cells of the form) over `Submission.entry_sections`: a cell counts as
    filled when it holds a value or is marked "no data" (the submit gate's notion of missing,
    optional rows included in both counts)."""
    cells = [
        value
        for block in sections
        for line in block.get("rows", ())
        for _combo, value, _notes in line["cells"]
    ]
    filled = sum(1 for value in cells if value is not None and (value.value or value.no_data))
    return filled, len(cells)
