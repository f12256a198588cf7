"""The reporting rounds replayed up to today (never in production).

Each year has the two rounds of the reference data (`reports/data/reporting_2025.json`): the
6-month report (opens 15/05, due 05/06) and the annual one (opens 15/11, due 10/12), with the same
dates each year. The coordinator opens a later year's round three weeks before it opens to
entries (`reports.services.submissions.create_round`); each unit then enters its figures and its
answers, its approver submits (`submit`), the coordinator accepts or returns with a comment
(`review`), and a returned report is corrected (`save_values`, `save_answer`) and sent again. Most
units submit on time, some late, a few start only days before the deadline; every report of a
round whose lock date has passed ends accepted. What lies after today has not happened yet, so
the round open today shows units at every stage. A round closed more than ARCHIVED_AFTER days ago
is loaded as it ended (`_archive`: the same dates, snapshot and audit events, without running the
submit's checks again, which would make `make run` and the tests slow).

One unit value is wrong on purpose: in the newest round with entries, Phường Cẩm Thành
(SLIP_UNIT) typed its live births into the maternal deaths row, which puts the province's maternal
mortality ratio in the thousands per 100,000, so that the plausible-range check has something to
show; while that round is open the report stays a draft."""

import datetime
import math
import random
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from accounts.models import User
from audit.models import Action
from audit.services import record_event
from indicators.models import CategoryOptionCombo
from reports.models import (
    DataValue,
    Form,
    FormStatus,
    NarrativeAnswer,
    Question,
    Round,
    Row,
    Snapshot,
    Status,
    Submission,
)
from reports.services.submissions import (
    CellInput,
    add_attachment,
    create_round,
    review,
    save_answer,
    save_values,
    submit,
)

from . import clock
from .answers import VAGUE, answers
from .documents import document
from .figures import Figures, figures
from .people import Staff
from .places import Place

DAY = clock.DAY
REFERENCE = ("BDG-2025S1", "BDG-2025")  # the 6-month and annual rounds of the reference data
CREATED_AHEAD = 21  # days before a round opens to entries that the coordinator creates it
# Days after its lock date from which a round is loaded as it ended (_archive) rather than
# replayed through the submit and review services.
ARCHIVED_AFTER = 45
SLIP_UNIT = "21025"  # Phường Cẩm Thành, the most populous ward of the old provincial town
# Why the coordinator returns a report; what the unit then corrects.
RETURNS = {
    "kp": "Kinh phí thực hiện (mục II.14) đang ghi theo đồng, trong khi biểu quy định đơn vị tính "
    "là triệu đồng. Đề nghị đơn vị sửa lại.",
    "sex": "Số lượt người tham dự hoạt động truyền thông (mục II.13) có nam nhiều hơn nữ, ngược "
    "với phần thuyết minh; đề nghị kiểm tra lại cột Nam/Nữ.",
    "vague": "Phần “Khó khăn, vướng mắc và nguyên nhân” mới ghi “Không có”; đề nghị nêu cụ thể "
    "khó khăn và nguyên nhân để tổng hợp kiến nghị của tỉnh.",
}
# What an approver writes when the submit asks to explain a warning.
EXPLANATION = "Số liệu đã được đơn vị rà soát, đối chiếu với sổ theo dõi."


class Timeline(NamedTuple):
    """What a unit does with its report; None: not within the round."""

    enter: datetime.date
    submit: datetime.date | None
    review: datetime.date | None
    returned: str  # a key of RETURNS, or ""
    resubmit: datetime.date | None
    accept: datetime.date | None


def _shift(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year + years)


def _later(day: datetime.date, days: int) -> datetime.date:
    return clock.working_day(day + days * DAY, forward=True)


def ensure_rounds(*, coordinator: User, today: datetime.date) -> list[Round]:
    """The reference rounds and each later year's two rounds created by today, oldest first."""
    half, annual = (Round.objects.filter(code=code).first() for code in REFERENCE)
    if half is None or annual is None:
        return []
    rounds = [half, annual]
    for year in range(half.due_on.year + 1, today.year + 1):
        for template in (half, annual):
            code = template.code.replace(str(template.due_on.year), str(year))
            round_ = Round.objects.filter(code=code).first() or _create(
                template, annual, year, coordinator, today
            )
            if round_ is not None:
                rounds.append(round_)
    return rounds


def _create(template: Round, annual: Round, year: int, coordinator: User, today):
    years = year - template.due_on.year
    opens = _shift(template.opens_on, years)
    created = clock.working_day(opens - CREATED_AHEAD * DAY)
    if created >= today:
        return None
    form = (
        Form.objects.filter(code=template.form.code, status=FormStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )
    old = str(template.due_on.year)
    with clock.at(clock.office_time(created, random.Random(f"đợt/{template.code}/{year}"))):
        return create_round(
            actor=coordinator,
            code=template.code.replace(old, str(year)),
            name=template.name.replace(old, str(year)),
            form=form or template.form,
            kind=template.kind,
            period=template.period.replace(old, str(year)),
            window_start=_shift(template.window_start, years),
            window_end=_shift(template.window_end, years),
            opens_on=opens,
            due_on=_shift(template.due_on, years),
            lock_on=_shift(template.lock_on, years),
            # Since 07/2025 there are no districts: every round asks the agencies and communes.
            unit_kinds=annual.unit_kinds,
            scope=template.scope,
        )


def timeline(round_: Round, due: datetime.date, rng: random.Random, *, early: bool) -> Timeline:
    """When the unit enters, submits, is reviewed, corrects and is accepted."""
    opens, lock = round_.opens_on, round_.lock_on
    start = rng.random()
    if early:
        enter = opens + DAY
    elif start < 0.6:
        enter = opens + rng.randint(1, 12) * DAY
    elif start < 0.9:
        enter = opens + rng.randint(10, max(11, (due - opens).days - 2)) * DAY
    else:
        enter = due + rng.randint(-3, 4) * DAY
    enter = clock.working_day(enter, forward=True)
    if rng.random() < 0.85:  # on time, unless it started too late for that
        sent = max(enter, clock.working_day(max(due - rng.randint(0, 9) * DAY, enter + DAY)))
    else:
        sent = _later(max(due, enter), rng.randint(1, 10))
    sent = min(sent, clock.working_day(lock - 5 * DAY))
    reviewed = _later(sent, rng.randint(1, 4))
    returned = rng.choice(list(RETURNS)) if rng.random() < 0.15 else ""
    resubmit = _later(reviewed, rng.randint(1, 4)) if returned else None
    if resubmit is not None and resubmit > lock:
        returned, resubmit = "", None
    accept = _later(resubmit, rng.randint(1, 3)) if resubmit else reviewed
    return Timeline(enter, sent, reviewed, returned, resubmit, accept)


class FormLayout(NamedTuple):
    """A round's form, read once: rows with their option combos, and the questions."""

    rows: list[tuple[Row, list[CategoryOptionCombo]]]
    questions: list[Question]


def _form(round_: Round) -> FormLayout:
    rows = round_.form.rows().prefetch_related("data_element__category_combo__option_combos")
    return FormLayout(
        [(row, list(row.data_element.category_combo.option_combos.all())) for row in rows],
        list(
            Question.objects.filter(section__form=round_.form).order_by("section__order", "order")
        ),
    )


def _cell(row: Row, combo: CategoryOptionCombo, value) -> tuple[str, bool, str]:
    """(stored value, no data, reason) of one cell."""
    if isinstance(value, str):
        return "", True, value
    if value is None:
        return "", True, "Đơn vị chưa theo dõi chỉ tiêu này."
    index = 1 if combo.code == "FEMALE" else 0
    number = value[index] if len(value) > index else value[0]
    return row.data_element.clean_value(str(number), machine=True), False, ""


def _enter(submission, form: FormLayout, numbers: Figures, texts: dict, author: User, share: float):
    """The unit's values and answers as typed by `author` (the first `share` of the form)."""
    rows = form.rows[: math.ceil(len(form.rows) * share)]
    values = []
    for row, combos in rows:
        for combo in combos:
            value, no_data, comment = _cell(row, combo, numbers.values.get(row.data_element.code))
            values.append(
                DataValue.of(
                    submission,
                    data_element_id=row.data_element_id,
                    option_combo_id=combo.pk,
                    value=value,
                    no_data=no_data,
                    comment=comment,
                    updated_by_id=author.pk,
                )
            )
    DataValue.objects.bulk_create(values)
    questions = form.questions if share >= 0.6 else []
    NarrativeAnswer.objects.bulk_create(
        NarrativeAnswer(submission=submission, question=q, text=texts[q.code], updated_by=author)
        for q in questions
        if q.code in texts
    )
    return len(values)


def _send(submission: Submission, approver: User) -> None:
    """The approver submits; a warning that asks for an explanation gets one."""
    try:
        submit(submission=submission, actor=approver)
    except ValidationError:
        submit(submission=submission, actor=approver, warning_comment=EXPLANATION)


def _correct(submission, form: FormLayout, reason: str, numbers: Figures, texts: dict, author):
    """What the unit corrects after a return: the row, the columns or the answer at fault."""
    if reason == "vague":
        code = next(c for c in texts if c.endswith("KHO_KHAN"))
        answer = NarrativeAnswer.objects.get(submission=submission, question__code=code)
        save_answer(
            submission=submission,
            question=answer.question,
            text=texts[code],
            expected_version=answer.version,
            actor=author,
        )
        return
    element = "BDG_HD_KP" if reason == "kp" else "BDG_HD_TT_NGUOI"
    row, combos = next((r, c) for r, c in form.rows if r.data_element.code == element)
    cells = [
        CellInput(row=row, option_combo=combo, raw=_cell(row, combo, numbers.values[element])[0])
        for combo in combos
    ]
    for cell in cells:
        cell.machine = True
    save_values(submission=submission, cells=cells, actor=author)


def _faulty(numbers: Figures, texts: dict, reason: str, slip: bool) -> tuple[Figures, dict]:
    """The figures and answers as first entered: with the fault the coordinator will return,
    and the slipped row."""
    values, first = dict(numbers.values), dict(texts)
    if reason == "kp":
        kp = values["BDG_HD_KP"]
        values["BDG_HD_KP"] = tuple(n * 1_000_000 for n in kp) if isinstance(kp, tuple) else kp
    talks = values.get("BDG_HD_TT_NGUOI")
    if reason == "sex" and isinstance(talks, tuple):
        values["BDG_HD_TT_NGUOI"] = (talks[1], talks[0])
    if reason == "vague":
        first.update({code: VAGUE for code in first if code.endswith("KHO_KHAN")})
    if slip:
        values["BDG_M4_TUVONG_ME"] = (numbers.number("BDG_M4_SINH"),)
    return Figures(values), first


def _attachment(submission, place: Place, author: User, day, texts: dict, rng):
    unit = submission.unit
    number = f"{rng.randint(20, 420)}/BC-{'UBND' if place.is_local else unit.code}"
    upload, kind = document(
        filename=f"Báo cáo {number.replace('/', '-')} - {unit.label}.docx",
        issuer=f"Ủy ban nhân dân {unit.name}" if place.is_local else unit.name,
        number=number,
        place=unit.name.split(" ", 1)[-1] if place.is_local else "Quảng Ngãi",
        day=day,
        title=submission.round.name,
        paragraphs=["Kính gửi: Sở Nội vụ tỉnh Quảng Ngãi.", *texts.values()],
        signer=f"{author.position or 'Lãnh đạo đơn vị'}\n{author.full_name}",
    )
    add_attachment(submission=submission, upload=upload, kind=kind, actor=author)


class Actors(NamedTuple):
    """Who acts for a unit, and where it is."""

    place: Place
    staff: Staff


def _replay(submission, form: FormLayout, who: Actors, coordinator, today, *, slip: bool) -> int:
    """Replay one unit's report up to today; the number of values entered."""
    round_, place = submission.round, who.place
    rng = random.Random(f"báo cáo/{round_.code}/{place.unit.code}")
    plan = timeline(round_, submission.due_on, rng, early=slip)
    if slip and today <= round_.lock_on:
        plan = plan._replace(submit=None, review=None, returned="", resubmit=None, accept=None)
    if plan.enter >= today:
        return 0
    year = int(round_.period[:4])
    share = 0.5 if round_.period.endswith("S1") else 1.0
    numbers = figures(place, share=share, year=year, rng=rng)
    texts = answers(place, numbers, round_, [q.code for q in form.questions], rng)
    if round_.lock_on + ARCHIVED_AFTER * DAY < today:
        faulty, first = _faulty(numbers, texts, "", slip)
        return _archive(submission, form, (faulty, first), plan, who, coordinator, rng)
    faulty, first = _faulty(numbers, texts, plan.returned, slip)
    sent = plan.submit
    filled = 1.0
    if sent is None or sent >= today:  # still being filled in today
        end = sent or submission.due_on
        filled = min(0.95, max(0.15, (today - plan.enter).days / max(1, (end - plan.enter).days)))
    reporter, approver = who.staff
    with clock.at(clock.office_time(plan.enter, rng)):
        made = _enter(submission, form, faulty, first, reporter, filled)
    if sent is None or sent >= today:
        return made
    with clock.at(clock.office_time(sent, rng)):
        if rng.random() < 0.45:
            _attachment(submission, place, approver, sent, texts, rng)
        _send(submission, approver)
    _reviews(submission, form, plan, (numbers, texts), who, coordinator, today, rng)
    return made


def _archive(
    submission,
    form: FormLayout,
    entered: tuple[Figures, dict],
    plan: Timeline,
    who: Actors,
    coordinator: User,
    rng: random.Random,
) -> int:
    """A report of a round closed long ago, loaded as it ended: entered, submitted (on time or
    late), accepted at the first review, each step at its date and in the audit log, without
    running the submit's checks again (they are what makes the replay slow)."""
    reporter, approver = who.staff
    with clock.at(clock.office_time(plan.enter, rng)):
        made = _enter(submission, form, *entered, reporter, 1.0)
    assert plan.submit is not None and plan.review is not None  # only a draft has none
    sent = clock.office_time(plan.submit, rng)
    accepted = clock.office_time(plan.review, rng)
    with clock.at(sent):
        if rng.random() < 0.45:
            _attachment(submission, who.place, approver, plan.submit, entered[1], rng)
        values, texts = submission.payload()
        Snapshot.objects.create(
            submission=submission,
            number=1,
            taken_by=approver,
            values=values,
            answers={**texts, "_warning_comment": ""},
        )
        record_event(
            actor=approver,
            action=Action.UPDATE,
            obj=submission,
            changes={"status": [Status.DRAFT, Status.SUBMITTED]},
        )
    with clock.at(accepted):
        record_event(
            actor=coordinator,
            action=Action.UPDATE,
            obj=submission,
            changes={"status": [Status.SUBMITTED, Status.ACCEPTED]},
        )
    Submission.objects.filter(pk=submission.pk).update(
        status=Status.ACCEPTED,
        submitted_at=sent,
        first_submitted_at=sent,
        submitted_by=approver,
        reviewed_at=accepted,
        reviewed_by=coordinator,
        version=F("version") + 2,
    )
    return made


def _reviews(
    submission,
    form: FormLayout,
    plan: Timeline,
    truth: tuple[Figures, dict],
    who: Actors,
    coordinator: User,
    today: datetime.date,
    rng: random.Random,
) -> None:
    """The coordinator's review, and after a return the unit's correction and second submit."""
    reporter, approver = who.staff
    if plan.review is None or plan.review >= today:
        return
    with clock.at(clock.office_time(plan.review, rng)):
        review(
            submission=submission,
            actor=coordinator,
            accept=not plan.returned,
            comment=RETURNS.get(plan.returned, ""),
        )
    if not plan.returned or plan.resubmit is None or plan.resubmit >= today:
        return
    with clock.at(clock.office_time(plan.resubmit, rng)):
        _correct(submission, form, plan.returned, truth[0], truth[1], reporter)
        _send(submission, approver)
    if plan.accept is not None and plan.accept < today:
        with clock.at(clock.office_time(plan.accept, rng)):
            review(submission=submission, actor=coordinator, accept=True)


def _slip_round(rounds: list[Round], today: datetime.date) -> Round | None:
    """The newest round in which units have started entering by today."""
    started = [r for r in rounds if _later(r.opens_on, 1) < today]
    return max(started, key=lambda r: r.opens_on, default=None)


@transaction.atomic
def load_demo_reports(
    *, coordinator: User, staff: dict[str, Staff], places: dict[str, Place], today: datetime.date
) -> int:
    """Create the rounds due by today and replay each unit's report once; the number of values
    entered (0 on a rerun: a round that holds values is left as it is)."""
    rounds = ensure_rounds(coordinator=coordinator, today=today)
    slipped = _slip_round(rounds, today)
    made = 0
    for round_ in rounds:
        if DataValue.objects.filter(round=round_).exists():
            continue
        form = _form(round_)
        submissions = round_.submissions.select_related("unit", "round__form").order_by(
            "unit__code"
        )
        for submission in submissions:
            code = submission.unit.code
            if code not in places:
                continue
            who = Actors(places[code], staff[code])
            slip = round_ == slipped and code == SLIP_UNIT
            made += _replay(submission, form, who, coordinator, today, slip=slip)
    return made
