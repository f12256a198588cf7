"""The coordinator's synthesis report for a round: edit the draft, download Word or Excel."""

import re
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from accounts.access import allow
from accounts.models import PROVINCE_WIDE
from audit.models import Action
from audit.services import record_event
from indicators.models import Aggregation, ValueType, display_value, stored_number, vi_number
from plans.models import Plan
from reports.models import DataValue, NarrativeAnswer, Round, SectionKind, Status

from . import synthesis
from .forms import DraftForm


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
    tables = _tables(round_, values)
    if request.POST.get("format") == "xlsx":
        data, mime, ext = (
            synthesis.build_xlsx(round_, tables, _raw_values(values)),
            synthesis.XLSX_MIME,
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


# --- Figures -------------------------------------------------------------------------------------
# TODO(engine): the figures below are a local sum over the round's saved values, kept only until
# analytics.engine.aggregate(...) is wired in; the document builders take plain rows either way.


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


def _figure(element, texts: list[str]) -> tuple[str, str]:
    """(value as printed, status) of one cell summed over the units."""
    if not texts:
        return "", "Chưa có số liệu"
    if element.value_type == ValueType.BOOLEAN:
        return f"{texts.count('true')}/{len(texts)} đơn vị có", ""
    if not element.is_numeric:
        return f"{len(texts)} đơn vị trả lời", ""
    if element.aggregation == Aggregation.NONE:
        return "", "Không cộng dồn"
    numbers = [n for n in (stored_number(t) for t in texts) if n is not None]
    total = sum(numbers, Decimal(0))
    if element.aggregation == Aggregation.AVERAGE and numbers:
        total = (total / len(numbers)).quantize(Decimal("0.01"))
    if element.sensitive and 0 < total < 5:
        return "<5", ""
    return vi_number(total.normalize() if total else Decimal(0)), ""


def _tables(round_, values) -> list[synthesis.Table]:
    cells = defaultdict(list)
    for value in values:
        if not value.no_data:
            cells[(value.data_element_id, value.option_combo_id)].append(value.value)
    sections = round_.form.sections.filter(kind=SectionKind.TABLE).prefetch_related(
        "rows__data_element__category_combo__option_combos"
    )
    tables = []
    for section in sections:
        rows = []
        for row in section.rows.all():
            element = row.data_element
            for combo in element.category_combo.option_combos.all():
                value, status = _figure(element, cells[(element.pk, combo.pk)])
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


def _raw_values(values) -> list[dict]:
    rows = []
    for value in values:
        element = value.data_element
        shown = display_value(element, value.value)
        number = stored_number(value.value) if element.is_numeric else None
        if element.sensitive and number is not None and 0 < number < 5:
            shown = "<5"
        rows.append(
            {
                "unit_code": value.submission.unit.code,
                "unit": value.submission.unit.name,
                "status": value.submission.get_status_display(),
                "code": element.code,
                "name": element.name,
                "combo": value.option_combo.name,
                "value": "" if value.no_data else shown,
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
