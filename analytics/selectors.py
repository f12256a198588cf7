"""Reads that assemble the analytics pages' data from several apps: the synthesis report (its
draft, its summary, the tables, narratives and raw values of the Word and Excel files) and the
dashboards (province, unit, leaders' meeting). Every figure comes from analytics.engine, through
analytics.figures: the code path of the API."""

import datetime
import hashlib
from collections import Counter, defaultdict

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from activities.counting import campaign_board, dashboard_figures, expected_units
from activities.models import Campaign
from indicators.models import (
    CategoryOptionCombo,
    DataElement,
    Target,
    ValueType,
    display_value,
)
from orgs.models import UnitKind
from plans import selectors as plan_selectors
from plans.models import Plan, Progress, Task
from reports import selectors as report_selectors
from reports.models import (
    DataValue,
    NarrativeAnswer,
    Round,
    Section,
    SectionKind,
    Status,
    Submission,
)

from . import engine, figures, synthesis
from .models import SectionText

# --- the synthesis report -----------------------------------------------------------------------
# The workspace (each outline section: the units' answers beside the province's text), what the
# Word and Excel files hold, and the fingerprint of the data they are made from. `basis` says
# which submissions count (analytics.synthesis.BASES: submitted and accepted by default); `kinds`
# which kinds of unit the answers come from (empty: every kind).


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


def unit_kind_choices(round_: Round) -> list[tuple[str, str]]:
    """The kinds of unit the round asks to report, as the workspace filter offers them."""
    labels = dict(UnitKind.choices)
    return [(kind, str(labels[kind])) for kind in round_.unit_kinds or [UnitKind.AGENCY]]


def synthesis_summary(round_: Round, user: User, basis: synthesis.Basis) -> dict:
    """How many units must report, how many the basis counts, and the sentence the documents
    carry about it ("Chỉ tổng hợp báo cáo đã nộp và đã được duyệt: 57/110 đơn vị.")."""
    submissions = Submission.objects.for_user(user).filter(round=round_)
    counted = _counted(submissions, basis)
    expected, units = submissions.count(), counted.count()
    counts = dict(
        submissions.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "expected": expected,
        "units": units,
        "statuses": [
            (label, counts.get(status, 0))
            for status, label in Status.choices
            if counts.get(status, 0)
        ],
        "statement": f"{basis.statement}: {units}/{expected} đơn vị phải báo cáo."
        + _sensitive_basis(round_, basis),
    }


def _sensitive_basis(round_: Round, basis: synthesis.Basis) -> str:
    """What the documents must add when they filter by status: sensitive figures are released
    from every saved value of the round whatever its report's status, the same for every
    output (reports.disclosure, docs/security.md), so that no two outputs can be subtracted."""
    sensitive = DataElement.objects.filter(rows__section__form=round_.form_id, sensitive=True)
    if basis.statuses is None or not sensitive.exists():
        return ""
    return " " + _(
        "Riêng số liệu nhạy cảm (bạo lực trên cơ sở giới) được tính trên mọi số liệu đã lưu của "
        "đợt, kể cả báo cáo chưa nộp, như ở mọi nơi khác của hệ thống: không lọc theo trạng thái "
        "để không ai suy ra được số liệu của một đơn vị."
    )


def _counted(submissions, basis: synthesis.Basis):
    return submissions if basis.statuses is None else submissions.filter(status__in=basis.statuses)


def annex_scope(round_: Round, kinds: list[str]) -> str:
    """What the annex says of the units whose words it carries, when not every kind is chosen."""
    offered = unit_kind_choices(round_)
    if not kinds or set(kinds) >= {kind for kind, _label in offered}:
        return ""
    names = ", ".join(label.lower() for kind, label in offered if kind in kinds)
    return f"Ý kiến của các đơn vị: {names}."


def synthesis_workspace(
    *, round_: Round, user: User, basis: synthesis.Basis, kinds: list[str]
) -> list[dict]:
    """Each outline (narrative) section of the round's form with its number, the units' answers
    question by question (their status shown) and the province's text (None before the first
    save)."""
    answers = defaultdict(list)
    for answer in _answers(round_, user, basis, kinds):
        answers[answer.question_id].append(answer)
    saved = SectionText.objects.for_user(user).filter(round=round_).select_related("updated_by")
    texts = {t.section_id: t for t in saved}
    sections = round_.form.sections.filter(kind=SectionKind.NARRATIVE).prefetch_related("questions")
    return [
        {
            "number": position,
            "section": section,
            "questions": [(q, answers.get(q.pk, [])) for q in section.questions.all()],
            "answers": sum(len(answers.get(q.pk, [])) for q in section.questions.all()),
            "text": texts.get(section.pk),
        }
        for position, section in enumerate(sections, start=1)
    ]


def section_text(*, round_: Round, section: Section, user: User) -> SectionText | None:
    return (
        SectionText.objects.for_user(user)
        .filter(round=round_, section=section)
        .select_related("updated_by")
        .first()
    )


def synthesis_word(
    *, round_: Round, user: User, basis: synthesis.Basis, kinds: list[str]
) -> tuple[list[synthesis.Table], list[synthesis.NarrativeSection]]:
    """What the Word report holds: the tables of figures, and each outline section with the
    province's text and the units' answers (for the annex)."""
    tables = _tables(round_, user, _values(round_, user, basis), basis)
    return tables, _narratives(round_, user, basis, kinds)


def synthesis_workbook(
    *, round_: Round, user: User, basis: synthesis.Basis
) -> tuple[list[synthesis.Table], list[dict]]:
    """What the Excel report holds: the tables of figures and every unit's own values."""
    values = _values(round_, user, basis)
    return _tables(round_, user, values, basis), _raw_values(values)


def synthesis_fingerprint(round_: Round, user: User) -> str:
    """A digest of what the synthesis files are made from: the round's values, answers and
    submission states, and the province's section texts. A file made under another digest is
    out of date (core.jobs keeps a result until the data changes)."""
    state = [
        DataValue.objects.for_user(user)
        .filter(round=round_)
        .aggregate(n=Count("id"), v=Sum("version"), t=Max("updated_at")),
        NarrativeAnswer.objects.for_user(user)
        .filter(submission__round=round_)
        .aggregate(n=Count("id"), v=Sum("version"), t=Max("updated_at")),
        list(
            Submission.objects.for_user(user)
            .filter(round=round_)
            .order_by("pk")
            .values_list("pk", "status", "version")
        ),
        list(
            SectionText.objects.for_user(user)
            .filter(round=round_)
            .order_by("section_id")
            .values_list("section_id", "version")
        ),
    ]
    return hashlib.sha256(repr(state).encode()).hexdigest()


def _values(round_: Round, user: User, basis: synthesis.Basis) -> list[DataValue]:
    values = (
        DataValue.objects.for_user(user)
        .filter(submission__round=round_)
        .filter(Q(no_data=True) | ~Q(value=""))
    )
    if basis.statuses is not None:
        values = values.filter(submission__status__in=basis.statuses)
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
    round_: Round, user: User, values: list[DataValue], basis: synthesis.Basis
) -> list[synthesis.Table]:
    """The strategy targets' table, then one table per table section of the round's form,
    numbered 1, 2… in the order the documents print them."""
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
        statuses=basis.statuses,
    )
    rows_by_key = {(r.dx, r.co): r for r in result.rows if r.ou == round_.scope.code}
    tables = [_target_table(round_, user, basis)]
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
        tables.append(synthesis.Table(number="", title=section.title, rows=rows))
    for position, table in enumerate(tables, start=1):
        table.number = str(position)
    return tables


def _target_table(round_: Round, user: User, basis: synthesis.Basis) -> synthesis.Table:
    """The strategy targets the forms measure, against the province's figures: the targets and
    suppression of the dashboard (analytics.figures), over the reports the basis counts."""
    chosen = Target.for_year(round_.window_end.year)
    result = engine.aggregate(
        user=user,
        indicators=[t.indicator.code for t in chosen.values()],
        rounds=[round_.code],
        units=[round_.scope.code],
        statuses=basis.statuses,
    )
    found = {r.dx: r for r in result.rows if r.ou == round_.scope.code}
    rows = []
    for target in sorted(chosen.values(), key=lambda t: (t.objective or 0, t.code)):
        indicator, row = target.indicator, found.get(target.indicator.code)
        hidden = row is not None and result.marker(row)
        rows.append(
            synthesis.TableRow(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit_of_measure,
                value=figures.printed(result, row),
                target=f"{target.value_text} ({target.year})",
                direction=target.get_direction_display(),
                status="" if hidden else target.assess(row.value if row else None),
            )
        )
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


def _answers(
    round_: Round, user: User, basis: synthesis.Basis, kinds: list[str]
) -> list[NarrativeAnswer]:
    answers = (
        NarrativeAnswer.objects.for_user(user)
        .filter(submission__round=round_)
        .exclude(text="")
        .select_related("submission__unit")
        .order_by("submission__unit__kind", "submission__unit__code")
    )
    if basis.statuses is not None:
        answers = answers.filter(submission__status__in=basis.statuses)
    if kinds:
        answers = answers.filter(submission__unit__kind__in=kinds)
    return list(answers)


def _narratives(
    round_: Round, user: User, basis: synthesis.Basis, kinds: list[str]
) -> list[synthesis.NarrativeSection]:
    return [
        synthesis.NarrativeSection(
            number=str(item["number"]),
            title=item["section"].title,
            text=item["text"].text if item["text"] else "",
            questions=[
                synthesis.Question(
                    text=question.text,
                    answers=[
                        synthesis.Answer(unit=a.submission.unit.name, text=a.text) for a in found
                    ],
                )
                for question, found in item["questions"]
            ],
        )
        for item in synthesis_workspace(round_=round_, user=user, basis=basis, kinds=kinds)
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
    overdue = overdue_by_plan(user)
    return {
        "completeness": Submission.objects.for_user(user).completeness(round_),
        "gbv": figures.element_figures(
            user=user,
            round_=round_,
            unit_code=round_.scope.code,
            codes=figures.GBV_SERVICES,
            accepted_only=accepted_only,
        ),
        "overdue_tasks": sum(count for _plan, count in overdue),
        "overdue_plans": overdue,
        "activities": dashboard_figures(round_, user),
    }


def overdue_by_plan(user: User) -> list[tuple[Plan, int]]:
    """[(plan, its overdue tasks the user may see)], the newest plan first, plans with none left
    out: a task of last year's plan still open is as late as this year's."""
    late = Counter(Task.objects.for_user(user).overdue().values_list("item__plan_id", flat=True))
    return [(plan, late[plan.pk]) for plan in Plan.objects.filter(pk__in=late).order_by("-year")]


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


def meeting_summary(*, user: User, today: datetime.date | None = None) -> dict:
    """The leader's one page: the newest plan's progress by body, and for the newest round with
    values where the reports stand by kind of unit, the strategy targets met, missed and
    unknown, the GBV services (protected as everywhere: analytics.engine), and the Action Month
    under way or the latest begun."""
    today = today or timezone.localdate()
    plan = Plan.objects.for_user(user).first()
    tasks = list(plan_selectors.plan_tasks(user, plan))
    rounds = Round.objects.for_user(user).order_by("-due_on")
    round_ = next((r for r in rounds if _has_values(r)), None)
    context = {
        "today": today,
        "plan": plan,
        "progress": Progress.of(tasks, today),
        "bodies": plan_selectors.progress_by_body(tasks, today),
        "round": round_,
        **_action_month(user, today),
    }
    if round_ is None:
        return context
    lines, result = figures.target_lines(user=user, round_=round_, unit_code=round_.scope.code)
    flat = [line for group in lines.values() for line in group]
    summary = report_selectors.round_summary(round_, user=user, today=today)
    counts = summary["work"].counts
    met = [line for line in flat if line.tone == "ok"]
    missed = [line for line in flat if line.tone == "late"]
    context.update(
        as_of=result.as_of,
        met=met,
        missed=missed,
        judged=len(met) + len(missed),
        unknown=[line for line in flat if line.tone == "none"],
        summary=summary,
        work=summary["work"],
        kinds=summary["kinds"],
        submitted=counts[Status.SUBMITTED] + counts[Status.ACCEPTED],
        gbv=figures.element_figures(
            user=user,
            round_=round_,
            unit_code=round_.scope.code,
            codes=figures.GBV_SERVICES,
        ),
    )
    return context


def _action_month(user: User, today: datetime.date) -> dict:
    """The Action Month under way, or the latest begun, with its board's totals and how many of
    the units expected to take part have recorded something."""
    campaign = Campaign.objects.for_user(user).filter(starts_on__lte=today).first()
    if campaign is None:
        return {"campaign": None}
    board = campaign_board(campaign, user)
    expected = expected_units(campaign).count()
    silent = len(board.silent) if board.silent is not None else None
    return {
        "campaign": campaign,
        "campaign_totals": board.province,
        "campaign_expected": expected,
        "campaign_silent": silent,
        "campaign_busy": expected - silent if silent is not None else None,
        "campaign_running": campaign.starts_on <= today <= campaign.ends_on,
    }
