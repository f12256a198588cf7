"""The coordinator's synthesis report for a round: edit the draft, download Word or Excel."""

import csv
import io
import re
from collections import defaultdict

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from activities.counting import dashboard_figures
from audit.models import Action
from audit.services import record_event
from core.access import allow
from core.roles import PROVINCE_WIDE, UNIT_STAFF
from core.spreadsheet import XLSX_MIME
from indicators.models import ValueType, display_value
from plans.models import Plan, Progress, Task
from reports.models import DataValue, NarrativeAnswer, Round, SectionKind, Status, Submission

from . import dashboard as figures
from . import engine, pivot, synthesis
from .forms import DraftForm, PivotForm


@require_http_methods(["GET", "POST"])
@allow(PROVINCE_WIDE)
def synthesis_report(request, pk):
    round_ = get_object_or_404(Round.objects.for_user(request.user).select_related("form"), pk=pk)
    form = DraftForm(request.POST or None, initial=None if request.POST else _initial(round_))
    if request.method == "POST" and form.is_valid():
        return _download(request, round_, form)
    summary = _summary(round_, request.user)
    return render(
        request, "analytics/synthesis.html", {"round": round_, "form": form, "summary": summary}
    )


def _download(request, round_, form):
    accepted_only = form.cleaned_data["accepted_only"]
    values = _values(round_, request.user, accepted_only)
    tables = _tables(round_, request.user, values, accepted_only)
    if request.POST.get("format") == "xlsx":
        data, mime, ext = (
            synthesis.build_xlsx(round_, tables, _raw_values(values)),
            XLSX_MIME,
            "xlsx",
        )
    else:
        narratives = _narratives(round_, request.user, accepted_only)
        data, mime, ext = (
            synthesis.build_docx(form.draft(), narratives, tables),
            synthesis.DOCX_MIME,
            "docx",
        )
    # The files hold every unit's figures: who took a copy is recorded.
    record_event(actor=request.user, action=Action.DOWNLOAD, obj=round_, request=request)
    response = HttpResponse(data, content_type=mime)
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", f"Báo cáo tổng hợp - {round_.name}")
    response["Content-Disposition"] = content_disposition_header(True, f"{name[:150]}.{ext}")
    return response


def report_title(round_: Round) -> str:
    year, _sep, half = round_.period.partition("S")
    if year.isdigit() and half == "1":
        when = f"6 tháng đầu năm {year}"
    elif round_.period.isdigit():
        when = f"năm {round_.period}"
    else:
        when = round_.name[:1].lower() + round_.name[1:]
    return f"Kết quả thực hiện công tác bình đẳng giới {when}"


def _initial(round_: Round) -> dict:
    draft = synthesis.Draft(title=report_title(round_), date=timezone.localdate())
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


# --- Figures: every number comes from analytics.engine, the code path of the API ----------------


def _values(round_, user, accepted_only: bool):
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


def _summary(round_, user) -> dict:
    values = _values(round_, user, False)
    answers = _answers(round_, user, False)
    units = {v.submission.unit_id for v in values} | {a.submission.unit_id for a in answers}
    return {"units": len(units), "values": len(values), "answers": len(answers)}


def _figure(element, result, rows: dict, combo, texts: list[str]) -> tuple[str, str]:
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


def _tables(round_, user, values, accepted_only: bool) -> list[synthesis.Table]:
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
                value, status = _figure(
                    element, result, rows_by_key, combo, texts[(element.pk, combo.pk)]
                )
                name = row.title if combo.combo.is_default else f"{row.title} ({combo.name})"
                rows.append(
                    synthesis.TableRow(
                        code=element.code,
                        name=name,
                        unit=element.unit_of_measure,
                        value=value,
                        status=status,
                    )
                )
        tables.append(synthesis.Table(number=section.number, title=section.title, rows=rows))
    return tables


def _target_table(round_, user, accepted_only: bool) -> synthesis.Table:
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


def _raw_values(values) -> list[dict]:
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


def _answers(round_, user, accepted_only: bool):
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


def _narratives(round_, user, accepted_only: bool) -> list[synthesis.NarrativeSection]:
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


@allow(PROVINCE_WIDE)
def dashboard(request):
    """The province at a glance: strategy targets, reporting, GBV services, overdue tasks."""
    rounds = list(Round.objects.for_user(request.user).order_by("-due_on"))
    round_ = next((r for r in rounds if r.code == request.GET.get("round")), None) or next(
        (r for r in rounds if r.submissions.filter(values__isnull=False).exists()), None
    )
    if round_ is None:
        return render(request, "analytics/dashboard.html", {"rounds": rounds})
    accepted_only = request.GET.get("accepted") == "1"
    scope = round_.scope.code
    lines, result = figures.target_lines(
        user=request.user, round_=round_, unit_code=scope, accepted_only=accepted_only
    )
    if request.GET.get("format") == "csv":
        return _targets_csv(round_, lines)
    names = figures.objective_names()
    context = {
        "rounds": rounds,
        "round": round_,
        "accepted_only": accepted_only,
        "as_of": result.as_of,
        "objectives": [(names.get(number, ""), lines[number]) for number in sorted(lines)],
        "completeness": Submission.objects.for_user(request.user).completeness(round_),
        "gbv": figures.element_figures(
            user=request.user,
            round_=round_,
            unit_code=scope,
            codes=figures.GBV_SERVICES,
            accepted_only=accepted_only,
        ),
        "overdue_tasks": Task.objects.for_user(request.user).overdue().count(),
        "activities": dashboard_figures(round_, request.user),
    }
    return render(request, "analytics/dashboard.html", context)


def _targets_csv(round_, lines) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["ma", "chi_tieu", "don_vi", "ket_qua", "muc_tieu", "nam", "chieu", "danh_gia"])
    for group in lines.values():
        for line in group:
            writer.writerow(
                [
                    line.code,
                    line.name,
                    line.unit,
                    line.shown,
                    line.target.value_text,
                    line.target.year,
                    line.target.get_direction_display(),
                    line.status,
                ]
            )
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")
    name = f"chi-tieu-chien-luoc-{round_.code}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@allow(PROVINCE_WIDE)
def pivot_table(request):
    """Pick indicators × units × rounds (× Nam/Nữ), see the table, download it."""
    form = PivotForm(request.GET or None, user=request.user)
    context = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        try:
            header, lines, result = pivot.build(
                user=request.user,
                dx=data["dx"],
                rounds=data["rounds"],
                units=data["units"],
                by_combo=data["by_combo"],
                accepted_only=data["accepted_only"],
            )
        except engine.AnalyticsError as error:
            form.add_error(None, error.detail)
        else:
            fmt = request.GET.get("format")
            if fmt in ("csv", "xlsx"):
                body = pivot.to_csv(header, lines) if fmt == "csv" else pivot.to_xlsx(header, lines)
                mime = "text/csv" if fmt == "csv" else XLSX_MIME
                response = HttpResponse(body, content_type=mime)
                response["Content-Disposition"] = content_disposition_header(
                    True, f"bang-tong-hop.{fmt}"
                )
                return response
            context.update(
                header=header, lines=lines, as_of=result.as_of, query=request.GET.urlencode()
            )
    return render(request, "analytics/pivot.html", context)


@allow(UNIT_STAFF)
def unit_dashboard(request):
    """A unit's own figures against the strategy targets, and its reporting deadlines."""
    unit = request.user.unit
    submissions = list(
        Submission.objects.for_user(request.user)
        .filter(unit=unit)
        .select_related("round")
        .order_by("-round__due_on")
    )
    round_ = next((s.round for s in submissions if s.values.exists()), None)
    context = {"unit": unit, "submissions": submissions, "round": round_}
    if round_ is not None:
        lines, result = figures.target_lines(user=request.user, round_=round_, unit_code=unit.code)
        names = figures.objective_names()
        context["objectives"] = [(names.get(n, ""), lines[n]) for n in sorted(lines)]
        context["as_of"] = result.as_of
    return render(request, "analytics/unit_dashboard.html", context)


@allow(PROVINCE_WIDE)
def meeting(request):
    """One printable page for a leaders' meeting: plan, reporting, targets, GBV services."""
    plan = Plan.objects.for_user(request.user).first()
    tasks = (
        Task.objects.for_user(request.user).filter(item__plan=plan) if plan else Task.objects.none()
    )
    rounds = Round.objects.for_user(request.user).order_by("-due_on")
    round_ = next((r for r in rounds if r.submissions.filter(values__isnull=False).exists()), None)
    context = {"plan": plan, "progress": Progress.of(tasks), "round": round_}
    if round_ is not None:
        lines, result = figures.target_lines(
            user=request.user, round_=round_, unit_code=round_.scope.code
        )
        flat = [line for group in lines.values() for line in group]
        context.update(
            as_of=result.as_of,
            met=[line for line in flat if line.tone == "ok"],
            missed=[line for line in flat if line.tone == "late"],
            unknown=[line for line in flat if line.tone == "none"],
            completeness=Submission.objects.for_user(request.user).completeness(round_),
            gbv=figures.element_figures(
                user=request.user,
                round_=round_,
                unit_code=round_.scope.code,
                codes=figures.GBV_SERVICES,
            ),
        )
    return render(request, "analytics/meeting.html", context)
