"""Reads that assemble the reporting pages: a round's worklist (who has done what, who is late),
the counts per round of the reports list, the entry page's "x/57 ô đã nhập", and the
summaries of the home pages and the leader's page (a round by kind of unit, a unit's current
reports).

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
    Q,
    Subquery,
)
from django.utils.translation import gettext_lazy as _

from core.text import fold, vi_sort_key
from orgs.models import UnitKind

from .models import (
    EDITABLE,
    URGEABLE,
    DataValue,
    NarrativeAnswer,
    Reminder,
    ReminderKind,
    Round,
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


# --- summaries for the home pages and the leader's page -----------------------------------------


def open_rounds(user, today: datetime.date):
    """The rounds the user sees that are open today: opened, not yet locked (the soonest due
    first)."""
    return (
        Round.objects.for_user(user)
        .filter(opens_on__lte=today, lock_on__gte=today)
        .select_related("form")
        .order_by("due_on", "code")
    )


@dataclass
class KindLine:
    """Where the reports of one kind of unit stand in a round (the worklist's rule)."""

    kind: str
    label: str
    total: int = 0
    counts: Counter = field(default_factory=Counter)  # stage, LATE, NOT_SUBMITTED → how many
    behind: list = field(default_factory=list)  # the reports not yet submitted, late first

    @property
    def submitted(self) -> int:
        return self.counts[Status.SUBMITTED] + self.counts[Status.ACCEPTED]

    @property
    def entering(self) -> int:
        return self.counts[Status.DRAFT] + self.counts[Status.RETURNED]


def by_kind(work: Worklist) -> list[KindLine]:
    """A worklist's reports summed up by kind of unit, in the order of the kinds."""
    lines: dict[str, KindLine] = {}
    labels = dict(UnitKind.choices)
    for row in work.rows:
        kind = row.unit.kind
        line = lines.setdefault(kind, KindLine(kind, str(labels.get(kind, kind))))
        line.total += 1
        line.counts[row.stage] += 1
        line.counts[LATE] += row.is_late
        line.counts[NOT_SUBMITTED] += row.urgeable
        if row.urgeable:
            line.behind.append(row)
    kinds = list(UnitKind.values)
    for line in lines.values():
        line.behind.sort(key=lambda r: (not r.is_late, vi_sort_key(r.unit.name)))
    return sorted(lines.values(), key=lambda line: kinds.index(line.kind))


def round_summary(round_: Round, *, user, today: datetime.date) -> dict:
    """A round at a glance: its worklist's counts and the same by kind of unit."""
    work = worklist(Submission.objects.for_user(user).for_round(round_), today=today)
    return {"round": round_, "work": work, "kinds": by_kind(work)}


def unit_reports(user, today: datetime.date) -> list[Submission]:
    """The reports of the user's own unit that are current: in a round open today, or still
    open to the unit on its own due date (an extension, a report returned after the lock);
    each with its stage, `filled` and `cells` (x of y cells entered), `days_left`,
    `days_late` and `is_late`."""
    if user.unit_id is None:
        return []
    current = Q(round__lock_on__gte=today) | Q(due_on__gte=today, status__in=EDITABLE)
    submissions = (
        _with_start(Submission.objects.for_user(user).filter(unit_id=user.unit_id).with_fill())
        .filter(current, round__opens_on__lte=today)
        .annotate(is_late=ExpressionWrapper(late_q(today), output_field=BooleanField()))
        .select_related("round__form", "unit")
        .order_by("due_on", "round__code")
    )
    cells: dict[int, int] = {}
    found = list(submissions)
    for submission in found:
        form_id = submission.round.form_id
        if form_id not in cells:
            cells[form_id] = submission.round.form.cell_count()
        submission.cells = cells[form_id]
        submission.stage = stage_of(submission)
        submission.days_left = (submission.due_on - today).days
        submission.days_late = max(0, -submission.days_left)
    return found


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
