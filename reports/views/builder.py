"""The form builder: the coordinator composes report forms in the browser, no code.

Structural edits answer with the builder partial to htmx and with a redirect otherwise. Leaders
and admins read the builder; reporters and approvers read published forms only (Form.for_user).
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from audit.models import Event
from core.access import allow
from core.roles import PLAN_READERS, PROVINCE_WIDE, Role

from ..exchange.formjson import JSON_MAX_BYTES, export_form, read_payload
from ..forms.builder import FormHeaderForm, QuestionForm, RowForm, SectionForm
from ..models import Form, Question, Row, Section, SectionKind
from ..services import builder as services

COORDINATOR = {Role.COORDINATOR}
PARTS: dict[str, type[Section] | type[Question] | type[Row]] = {
    "section": Section,
    "question": Question,
    "row": Row,
}
PAGE = "reports/builder/form_detail.html"
PARTIAL = "reports/builder/_builder.html"


def _form(request: AuthenticatedRequest, pk: int) -> Form:
    return get_object_or_404(Form.objects.for_user(request.user), pk=pk)


def _section(request: AuthenticatedRequest, pk: int) -> Section:
    return get_object_or_404(Section.objects.for_user(request.user).select_related("form"), pk=pk)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _outline(report: Form, bound: dict) -> list[dict]:
    """The sections in order with what the page shows of each, and their add-forms."""
    sections = report.sections.select_related("category_combo").prefetch_related(
        "questions", "rows__data_element__category_combo", "rows__part_of__data_element"
    )
    outline = []
    for section in sections:
        item: dict[str, object] = {"section": section}
        if section.kind == SectionKind.TABLE:
            columns = services.column_combo(section)
            item["columns"] = list(columns.option_combos.all()) if columns else []
            item["combo"] = columns
            item["add"] = bound.get(("row", section.pk)) or RowForm(
                section=section, prefix=f"r{section.pk}"
            )
        else:
            item["add"] = bound.get(("question", section.pk)) or QuestionForm(
                prefix=f"q{section.pk}"
            )
        outline.append(item)
    return outline


def _render(request: AuthenticatedRequest, report: Form, bound: dict | None = None) -> HttpResponse:
    """The builder page, or only its body for htmx; `bound` holds forms with errors to show."""
    bound = bound or {}
    is_coordinator = request.user.role == Role.COORDINATOR
    refusal = services.edit_refusal(report)
    context = {
        "report": report,
        "outline": _outline(report, bound),
        "editable": is_coordinator and refusal is None,
        "is_coordinator": is_coordinator,
        "can_list": request.user.role in PROVINCE_WIDE,
        "refusal": refusal,
        "problems": services.publish_problems(report) if is_coordinator and not refusal else [],
        "section_form": bound.get("section") or SectionForm(prefix="section"),
        "rounds": report.rounds.all(),
        "versions": Form.objects.for_user(request.user).filter(code=report.code),
        "history": Event.objects.for_object(report)[:50],
        "is_htmx": _is_htmx(request),
    }
    return render(request, PARTIAL if _is_htmx(request) else PAGE, context)


def _done(request: AuthenticatedRequest, report: Form, anchor: str = "") -> HttpResponse:
    if _is_htmx(request):
        return _render(request, report)
    return redirect(reverse("reports:builder_form", args=[report.pk]) + anchor)


def _refused(request: AuthenticatedRequest, report: Form, error: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(error.messages))
    return _done(request, report)


@allow(PROVINCE_WIDE)
def form_list(request: AuthenticatedRequest) -> HttpResponse:
    forms = (
        Form.objects.for_user(request.user)
        .annotate(round_count=Count("rounds"))
        .prefetch_related("rounds")
    )
    context = {"forms": forms, "is_coordinator": request.user.role == Role.COORDINATOR}
    return render(request, "reports/builder/list.html", context)


@allow(COORDINATOR)
def form_new(request: AuthenticatedRequest) -> HttpResponse:
    form = FormHeaderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.create_form(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("reports:builder_form", pk=report.pk)
    return render(request, "reports/builder/header.html", {"form": form})


@allow(COORDINATOR)
def form_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _form(request, pk)
    refusal = services.edit_refusal(report)
    if refusal:
        return _refused(request, report, ValidationError(refusal))
    form = FormHeaderForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_form(
                form=report, actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            return _refused(request, report, error)
        return redirect("reports:builder_form", pk=report.pk)
    return render(request, "reports/builder/header.html", {"form": form, "report": report})


@allow(PLAN_READERS)
def form_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _render(request, _form(request, pk))


@require_POST
@allow(COORDINATOR)
def section_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _form(request, pk)
    form = SectionForm(request.POST, prefix="section")
    if not form.is_valid():
        return _render(request, report, {"section": form})
    try:
        section = services.add_section(
            form=report, actor=request.user, request=request, **form.cleaned_data
        )
    except ValidationError as error:
        return _refused(request, report, error)
    return _done(request, report, f"#section-{section.pk}")


@require_POST
@allow(COORDINATOR)
def question_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    section = _section(request, pk)
    form = QuestionForm(request.POST, prefix=f"q{section.pk}")
    if not form.is_valid():
        return _render(request, section.form, {("question", section.pk): form})
    try:
        services.add_question(
            section=section, actor=request.user, request=request, **form.cleaned_data
        )
    except ValidationError as error:
        return _refused(request, section.form, error)
    return _done(request, section.form, f"#section-{section.pk}")


@require_POST
@allow(COORDINATOR)
def row_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    section = _section(request, pk)
    form = RowForm(request.POST, section=section, prefix=f"r{section.pk}")
    if not form.is_valid():
        return _render(request, section.form, {("row", section.pk): form})
    try:
        services.add_row(section=section, actor=request.user, request=request, **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, section.form, error)
    return _done(request, section.form, f"#section-{section.pk}")


@require_POST
@allow(COORDINATOR)
def row_optional(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Let a row's cells be left empty at submit (optional "1"), or require them again ("0")."""
    row = get_object_or_404(
        Row.objects.for_user(request.user).select_related("section__form"), pk=pk
    )
    report = row.section.form
    try:
        services.set_row_optional(
            row=row,
            optional=request.POST.get("optional") == "1",
            actor=request.user,
            request=request,
        )
    except ValidationError as error:
        return _refused(request, report, error)
    return _done(request, report, f"#section-{row.section_id}")


def _part(request: AuthenticatedRequest, kind: str, pk: int) -> Section | Question | Row:
    if kind not in PARTS:
        raise Http404
    return get_object_or_404(PARTS[kind].objects.for_user(request.user), pk=pk)


@require_POST
@allow(COORDINATOR)
def part_move(request: AuthenticatedRequest, kind: str, pk: int, direction: str) -> HttpResponse:
    part = _part(request, kind, pk)
    if direction not in ("up", "down"):
        raise Http404
    report = services.form_of(part)
    try:
        services.move_part(part=part, up=direction == "up", actor=request.user, request=request)
    except ValidationError as error:
        return _refused(request, report, error)
    return _done(request, report)


@require_POST
@allow(COORDINATOR)
def part_delete(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    part = _part(request, kind, pk)
    report = services.form_of(part)
    try:
        services.delete_part(part=part, actor=request.user, request=request)
    except ValidationError as error:
        return _refused(request, report, error)
    return _done(request, report)


@require_POST
@allow(COORDINATOR)
def publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _form(request, pk)
    try:
        services.publish_form(form=report, actor=request.user, request=request)
    except ValidationError as error:
        return _refused(request, report, error)
    messages.success(
        request,
        _("Đã ban hành biểu mẫu “%(form)s”; có thể dùng để mở đợt báo cáo.") % {"form": report},
    )
    return redirect("reports:builder_form", pk=report.pk)


@require_POST
@allow(COORDINATOR)
def retire(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _form(request, pk)
    try:
        services.retire_form(form=report, actor=request.user, request=request)
    except ValidationError as error:
        return _refused(request, report, error)
    messages.success(
        request,
        _("Đã ngừng sử dụng biểu mẫu “%(form)s”; các đợt đã mở vẫn dùng bình thường.")
        % {"form": report},
    )
    return redirect("reports:builder_form", pk=report.pk)


@require_POST
@allow(COORDINATOR)
def new_version(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _form(request, pk)
    try:
        copy_ = services.new_version(form=report, actor=request.user, request=request)
    except ValidationError as error:
        return _refused(request, report, error)
    messages.success(
        request,
        _(
            "Đã tạo phiên bản %(v)s của biểu mẫu “%(name)s” (đang soạn). Các đợt báo cáo đã mở "
            "vẫn dùng phiên bản cũ."
        )
        % {"v": copy_.version, "name": copy_.name},
    )
    return redirect("reports:builder_form", pk=copy_.pk)


@allow(PLAN_READERS)
def export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _form(request, pk)
    data = json.dumps(export_form(report), ensure_ascii=False, indent=2).encode()
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{report.code}_v{report.version}.json"
    )
    return response


@allow(COORDINATOR)
def form_import(request: AuthenticatedRequest) -> HttpResponse:
    """Upload → dry run listing what would be created → confirm (the checked text is re-posted
    and checked again) → everything is created, or nothing."""
    context: dict[str, object] = {"max_mb": JSON_MAX_BYTES // (1024 * 1024)}
    if request.method == "POST":
        upload, text = request.FILES.get("file"), request.POST.get("payload")
        apply = text is not None and upload is None
        try:
            if upload is None and not text:
                raise ValidationError(_("Hãy chọn tệp JSON của biểu mẫu."))
            data = upload.read(JSON_MAX_BYTES + 1) if upload else (text or "").encode()
            payload = read_payload(data)
            plan = services.import_payload(
                payload=payload, actor=request.user, apply=apply, request=request
            )
        except ValidationError as error:
            context["errors"] = error.messages
        else:
            if apply:
                messages.success(
                    request,
                    _("Đã nhập %(n)s biểu mẫu: %(forms)s.")
                    % {"n": len(plan.created), "forms": ", ".join(map(str, plan.created))},
                )
                return redirect("reports:builder_form", pk=plan.created[0].pk)
            context.update(plan=plan, payload=data.decode("utf-8-sig"))
    return render(request, "reports/builder/import.html", context)
