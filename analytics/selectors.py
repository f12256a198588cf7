"""Reads that assemble the analytics pages' data from several apps: the synthesis report (its
draft, its summary, the tables, narratives and raw values of the Word and Excel files) and the
dashboards (province, unit, leaders' meeting). Every figure comes from analytics.engine, through
analytics.figures: the code path of the API."""

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from activities.counting import dashboard_figures
from indicators.models import CategoryOptionCombo, DataElement, ValueType, display_value
from plans.models import Plan, Progress, Task
from reports.models import DataValue, NarrativeAnswer, Round, SectionKind, Status, Submission

from . import engine, figures, synthesis

# --- the synthesis report -----------------------------------------------------------------------


def synthesis_initial(round_: Round) -> dict:
    """The draft's fields as first offered: the report's title for the round's period, the
    plan's document and signer."""
    draft = synthesis.Draft(title=_report_title(round_), date=timezone.localdate())
    plan = Plan.objects.filter(year=round_.window_end.year).first() or Plan.objects.first()
    return {
        "number": draft.number,
        "place": draft.place,
        "date": draft.date,
        "title": draft.title,
        "introduction": (
            f"Thực hiện {plan.title} ({plan.document_number}), UBND tỉnh báo cáo "
            f"{draft.title[:1].lower()}{draft.title[1:]} như sau:"
            if plan and plan.document_number
            else ""
        ),
        "recipients": "\n".join(draft.recipients),
        "signer_title": (plan.signer_title if plan and plan.signer_title else draft.signer_title),
        "signer": plan.signer if plan and plan.signer else "Trần Hoàng Tuấn",
    }


def _report_title(round_: Round) -> str:
    year, _sep, half = round_.period.partition("S")
    if year.isdigit() and half == "1":
        when = f"6 tháng đầu năm {year}"
    elif round_.period.isdigit():
        when = f"năm {round_.period}"
    else:
        when = round_.name[:1].lower() + round_.name[1:]
    return f"Kết quả thực hiện công tác bình đẳng giới {when}"


def synthesis_summary(round_: Round, user: User) -> dict:
    """How many units, values and narrative answers the report draws on (every saved report)."""
    values = _values(round_, user, False)
    answers = _answers(round_, user, False)
    units = {v.submission.unit_id for v in values} | {a.submission.unit_id for a in answers}
    return {"units": len(units), "values": len(values), "answers": len(answers)}


def synthesis_word(
    *, round_: Round, user: User, accepted_only: bool
) -> tuple[list[synthesis.Table], list[synthesis.NarrativeSection]]:
    """What the Word report holds: the tables of figures and the units' narrative answers."""
    values = _values(round_, user, accepted_only)
    tables = _tables(round_, user, values, accepted_only)
    return tables, _narratives(round_, user, accepted_only)


def synthesis_workbook(
    *, round_: Round, user: User, accepted_only: bool
) -> tuple[list[synthesis.Table], list[dict]]:
    """What the Excel report holds: the tables of figures and every unit's own values."""
    values = _values(round_, user, accepted_only)
    return _tables(round_, user, values, accepted_only), _raw_values(values)


def _values(round_: Round, user: User, accepted_only: bool) -> list[DataValue]:
    values = (
        DataValue.objects.for_user(user)
        .filter(submission__round=round_)
        .filter(Q(no_data=True) | ~Q(value=""))
    )
    if accepted_only:
        values = values.filter(submission__status=Status.ACCEPTED)
    return list(
        values.select_related("submission__unit", "data_element", "option_combo").order_by(
            "submission__unit__kind", "submission__unit__code", "data_element__code"
        )
    )


def _figure(
    element: DataElement,
    result: engine.Result,
    rows: dict,
    combo: CategoryOptionCombo,
    texts: list[str],
) -> tuple[str, str]:
    """(value as printed, status) of one cell over the province."""
    if element.value_type == ValueType.BOOLEAN:
        return (f"{texts.count('true')}/{len(texts)} đơn vị có", "") if texts else ("", "")
    if not element.is_numeric:
        return (f"{len(texts)} đơn vị trả lời", "") if texts else ("", "")
    row = rows.get((element.code, combo.code))
    if row is None and combo.combo.is_default:
        row = rows.get((element.code, None))
    if row is None:
        return "", "Chưa có số liệu"
    return figures.printed(result, row), ""


def _tables(
    round_: Round, user: User, values: list[DataValue], accepted_only: bool
) -> list[synthesis.Table]:
    """The strategy targets' table, then one table per table section of the round's form."""
    texts = defaultdict(list)
    for value in values:
        if not value.no_data:
            texts[(value.data_element_id, value.option_combo_id)].append(value.value)
    sections = list(
        round_.form.sections.filter(kind=SectionKind.TABLE).prefetch_related(
            "rows__data_element__category_combo__option_combos"
        )
    )
    codes = [row.data_element.code for section in sections for row in section.rows.all()]
    result = engine.aggregate(
        user=user,
        elements=codes,
        rounds=[round_.code],
        units=[round_.scope.code],
        by_combo=True,
        accepted_only=accepted_only,
    )
    rows_by_key = {(r.dx, r.co): r for r in result.rows if r.ou == round_.scope.code}
    tables = [_target_table(round_, user, accepted_only)]
    for section in sections:
        rows = []
        for row in section.rows.all():
            element = row.data_element
            for combo in element.category_combo.option_combos.all():
                shown, status = _figure(
                    element, result, rows_by_key, combo, texts[(element.pk, combo.pk)]
                )
                name = row.title if combo.combo.is_default else f"{row.title} ({combo.name})"
                rows.append(
                    synthesis.TableRow(
                        code=element.code,
                        name=name,
                        unit=element.unit_of_measure,
                        value=shown,
                        status=status,
                    )
                )
        tables.append(synthesis.Table(number=section.number, title=section.title, rows=rows))
    return tables


def _target_table(round_: Round, user: User, accepted_only: bool) -> synthesis.Table:
    """The strategy targets the forms measure, against the province's figures: the same lines,
    targets and suppression as the dashboard."""
    lines, _result = figures.target_lines(
        user=user, round_=round_, unit_code=round_.scope.code, accepted_only=accepted_only
    )
    rows = [
        synthesis.TableRow(
            code=line.code,
            name=line.name,
            unit=line.unit,
            value=line.shown,
            target=f"{line.target.value_text} ({line.target.year})",
            direction=line.target.get_direction_display(),
            status=line.status,
        )
        for number in sorted(lines)
        for line in lines[number]
    ]
    title = "Tiến độ thực hiện các chỉ tiêu của Chiến lược quốc gia về bình đẳng giới 2021–2030"
    return synthesis.Table(number="", title=title, rows=rows)


def _raw_values(values: list[DataValue]) -> list[dict]:
    """Every unit's own values. GBV (sensitive) elements are left out: beside the province
    totals, one unit's hidden small value could be recovered by subtraction."""
    rows = []
    for value in values:
        element = value.data_element
        if element.sensitive:
            continue
        rows.append(
            {
                "unit_code": value.submission.unit.code,
                "unit": value.submission.unit.name,
                "status": value.submission.get_status_display(),
                "code": element.code,
                "name": element.name,
                "combo": value.option_combo.name,
                "value": "" if value.no_data else display_value(element, value.value),
                "comment": f"Không có số liệu: {value.comment}" if value.no_data else value.comment,
            }
        )
    return rows


def _answers(round_: Round, user: User, accepted_only: bool) -> list[NarrativeAnswer]:
    answers = (
        NarrativeAnswer.objects.for_user(user)
        .filter(submission__round=round_)
        .exclude(text="")
        .select_related("submission__unit")
        .order_by("submission__unit__kind", "submission__unit__code")
    )
    if accepted_only:
        answers = answers.filter(submission__status=Status.ACCEPTED)
    return list(answers)


def _narratives(round_: Round, user: User, accepted_only: bool) -> list[synthesis.NarrativeSection]:
    by_question = defaultdict(list)
    for answer in _answers(round_, user, accepted_only):
        unit = answer.submission.unit.name
        by_question[answer.question_id].append(synthesis.Answer(unit=unit, text=answer.text))
    sections = round_.form.sections.filter(kind=SectionKind.NARRATIVE).prefetch_related("questions")
    return [
        synthesis.NarrativeSection(
            number=section.number,
            title=section.title,
            questions=[
                synthesis.Question(text=q.text, answers=by_question.get(q.pk, []))
                for q in section.questions.all()
            ],
        )
        for section in sections
    ]


# --- the dashboards -----------------------------------------------------------------------------


def _has_values(round_: Round) -> bool:
    return round_.submissions.filter(values__isnull=False).exists()


def dashboard_round(rounds: list[Round], code: str | None) -> Round | None:
    """The round the province dashboard shows: the one asked for, else the newest (first) of
    `rounds` with values."""
    return next((r for r in rounds if r.code == code), None) or next(
        (r for r in rounds if _has_values(r)), None
    )


def province_dashboard(*, user: User, round_: Round, accepted_only: bool) -> dict:
    """The province dashboard beside the targets: reporting, GBV services, overdue tasks and the
    activities of the round's window."""
    return {
        "completeness": Submission.objects.for_user(user).completeness(round_),
        "gbv": figures.element_figures(
            user=user,
            round_=round_,
            unit_code=round_.scope.code,
            codes=figures.GBV_SERVICES,
            accepted_only=accepted_only,
        ),
        "overdue_tasks": Task.objects.for_user(user).overdue().count(),
        "activities": dashboard_figures(round_, user),
    }


def unit_dashboard(*, user: User) -> dict:
    """A unit's submissions, newest first, and its figures against the strategy targets in the
    newest round it has entered values for."""
    unit = user.unit
    submissions = list(
        Submission.objects.for_user(user)
        .filter(unit=unit)
        .select_related("round")
        .order_by("-round__due_on")
    )
    round_ = next((s.round for s in submissions if s.values.exists()), None)
    context = {"unit": unit, "submissions": submissions, "round": round_}
    if round_ is not None and unit is not None:  # a round has values only with a unit
        lines, result = figures.target_lines(user=user, round_=round_, unit_code=unit.code)
        context["objectives"] = figures.by_objective(lines)
        context["as_of"] = result.as_of
    return context


def meeting_summary(*, user: User) -> dict:
    """The leaders' meeting page: the plan's progress, and for the newest round with values the
    targets met, missed and unknown, reporting and GBV services."""
    plan = Plan.objects.for_user(user).first()
    tasks = Task.objects.for_user(user).filter(item__plan=plan) if plan else Task.objects.none()
    rounds = Round.objects.for_user(user).order_by("-due_on")
    round_ = next((r for r in rounds if _has_values(r)), None)
    context = {"plan": plan, "progress": Progress.of(tasks), "round": round_}
    if round_ is None:
        return context
    lines, result = figures.target_lines(user=user, round_=round_, unit_code=round_.scope.code)
    flat = [line for group in lines.values() for line in group]
    context.update(
        as_of=result.as_of,
        met=[line for line in flat if line.tone == "ok"],
        missed=[line for line in flat if line.tone == "late"],
        unknown=[line for line in flat if line.tone == "none"],
        completeness=Submission.objects.for_user(user).completeness(round_),
        gbv=figures.element_figures(
            user=user,
            round_=round_,
            unit_code=round_.scope.code,
            codes=figures.GBV_SERVICES,
        ),
    )
    return context
