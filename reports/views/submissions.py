"""A unit's report: the entry grid (cells, the cell panel, narrative answers), submitting and
reviewing, attachments, the changes since the last submission, a deadline extension."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from audit.models import Event
from audit.services import ConcurrentEdit
from core.access import allow
from core.roles import PLAN_READERS, Role
from core.widgets import shown
from indicators.models import CategoryOptionCombo, display_value

from .. import disclosure, selectors, validation
from ..forms.submissions import AttachmentForm, ExtensionForm, ReviewForm, SubmitForm
from ..models import (
    Attachment,
    DataValue,
    NarrativeAnswer,
    Question,
    Row,
    Status,
    Submission,
    row_total,
)
from ..services import submissions

COORDINATOR = {Role.COORDINATOR}
EDITORS = submissions.EDITORS


def submission_for(request: AuthenticatedRequest, pk: int) -> Submission:
    """The user's own (scoped) submission, or 404."""
    queryset = Submission.objects.for_user(request.user).select_related("round__form", "unit")
    return get_object_or_404(queryset, pk=pk)


@allow(PLAN_READERS)
def submission_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = submission_for(request, pk)
    user = request.user
    can_edit = submission.is_editable_by(user)
    is_coordinator = user.role == Role.COORDINATOR
    problems = submissions.submission_problems(submission, viewer=user)
    sections = submission.entry_sections(problems.notes)
    filled, cells = selectors.entry_progress(sections)
    context = {
        "submission": submission,
        "sections": sections,
        "filled": filled,
        "cells": cells,
        "can_edit": can_edit,
        "can_submit": can_edit and user.role == Role.APPROVER,
        # Sở Nội vụ submits for a unit only explicitly, with a reason (a report sent on paper).
        "can_submit_on_behalf": is_coordinator and submission.status == Status.DRAFT,
        "can_review": is_coordinator,
        "problems": problems,
        "submit_form": SubmitForm(),
        "on_behalf_form": SubmitForm(on_behalf=True),
        "review_form": ReviewForm(),
        "snapshots": submission.snapshots.all()[:10],
        "attachments": submission.attachments.select_related("uploaded_by"),
        "attachment_form": AttachmentForm(),
        "history": Event.objects.for_object(submission)[:30],
        "masked": not disclosure.sees_exact(user, submission.unit_id),
        **_urls(submission),
    }
    return render(request, "reports/submission.html", context)


def _version(request: HttpRequest) -> int:
    """The version the form was rendered with; anything unreadable counts as stale."""
    try:
        return int(request.POST.get("version") or 0)
    except ValueError:
        return -1


def _urls(submission: Submission) -> dict[str, str]:
    """The grid's endpoints, resolved once per page rather than once per cell."""
    return {
        "save_url": reverse("reports:save_cell", args=[submission.pk]),
        "editor_url": reverse("reports:cell_editor", args=[submission.pk]),
        "answer_url": reverse("reports:save_answer", args=[submission.pk]),
    }


def _cell_context(
    submission: Submission, row: Row, combo: CategoryOptionCombo, user: User, **extra: object
) -> dict[str, object]:
    """One cell and its row total, from the row's stored values (one query), and what the
    validation rules and bounds say of it now (reports.validation: a few queries, none per
    rule), unless the save was refused."""
    stored = {v.option_combo_id: v for v in submission.values.filter(data_element=row.data_element)}
    cells = [(c, stored.get(c.pk)) for c in row.data_element.category_combo.option_combos.all()]
    notes: list[str] = []
    if not ({"error", "conflict"} & set(extra)):
        masked = not disclosure.sees_exact(user, submission.unit_id)
        cell = (row.data_element_id, combo.pk)
        notes = [
            finding.text
            for finding in validation.cell_findings(submission, row, combo, masked=masked)
            if cell in finding.cells
        ]
    return {
        "notes": notes,
        "submission": submission,
        "row": row,
        "combo": combo,
        "value": stored.get(combo.pk),
        "total": row_total(row, cells),
        "can_edit": submission.is_editable_by(user),
        "typed": None,
        **_urls(submission),
        **extra,
    }


def _shown(row: Row, value: DataValue | None) -> str:
    """A stored value as the grid shows it, for a conflict's "keep which?" choice."""
    if value is not None and value.no_data:
        return _("không có số liệu")
    return display_value(row.data_element, value.value if value else "") or _("(trống)")


def _cell_of(
    submission: Submission, params: QueryDict, user: User
) -> tuple[Row, CategoryOptionCombo]:
    """The (row, option combo) a request names, within the submission's form, or 404; 404 too
    for a sensitive cell of another unit (reports.disclosure: never shown, never written)."""
    rows = Row.objects.filter(section__form=submission.round.form)
    if not disclosure.sees_exact(user, submission.unit_id):
        rows = rows.exclude(data_element__sensitive=True)
    row = get_object_or_404(rows, pk=params.get("row"))
    combo = get_object_or_404(
        CategoryOptionCombo.objects.filter(combo=row.data_element.category_combo),
        pk=params.get("combo"),
    )
    return row, combo


@require_POST
@allow(EDITORS)
def save_cell(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One cell typed in the entry grid, or saved from its panel (`editor`); answers with the
    cell (and its row total), or with the panel. The grid's offline queue replays both kinds
    and always asks for the cell."""
    submission = submission_for(request, pk)
    row, combo = _cell_of(submission, request.POST, request.user)
    # The grid sends the value alone: its note and "no data" reason stay as stored. The panel
    # (and its replay) sends the note, and "no data" is then its checkbox.
    with_note = bool(request.POST.get("editor")) or "comment" in request.POST
    cell = submissions.CellInput(
        row=row,
        option_combo=combo,
        raw=request.POST.get("value", ""),
        comment=request.POST.get("comment", "") if with_note else None,
        no_data=request.POST.get("no_data") == "on" if with_note else None,
        expected_version=_version(request),
    )
    extra: dict[str, object] = {"oob": True}
    try:
        submissions.save_values(
            submission=submission, cells=[cell], actor=request.user, request=request
        )
    except ConcurrentEdit as conflict:
        extra.update(
            conflict=conflict.current, theirs=_shown(row, conflict.current), typed=cell.raw
        )
    except submissions.CellErrors as error:
        extra.update(error=" ".join(error.cells.values()), typed=cell.raw)
    except ValidationError as error:
        extra.update(error=" ".join(error.messages), typed=cell.raw)
    template = "reports/_cell_editor.html" if request.POST.get("editor") else "reports/_cell.html"
    return render(request, template, _cell_context(submission, row, combo, request.user, **extra))


@allow(EDITORS)
def cell_editor(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The side panel for one cell: value, "no data" with its reason, and a comment."""
    submission = submission_for(request, pk)
    row, combo = _cell_of(submission, request.GET, request.user)
    return render(
        request, "reports/_cell_editor.html", _cell_context(submission, row, combo, request.user)
    )


@require_POST
@allow(EDITORS)
def save_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = submission_for(request, pk)
    question = get_object_or_404(
        Question.objects.filter(section__form=submission.round.form),
        pk=request.POST.get("question"),
    )
    text = request.POST.get("text", "")
    answer: NarrativeAnswer | None
    extra: dict[str, object] = {}
    try:
        answer = submissions.save_answer(
            submission=submission,
            question=question,
            text=text,
            expected_version=_version(request),
            actor=request.user,
            request=request,
        )
    except ConcurrentEdit as conflict:
        answer, extra = conflict.current, {"conflict": conflict.current, "typed": text}
    except ValidationError as error:
        answer = submission.answers.filter(question=question).first()
        extra = {"error": " ".join(error.messages), "typed": text}
    context = {
        "submission": submission,
        "question": question,
        "answer": answer,
        "can_edit": True,
        **extra,
    }
    return render(request, "reports/_answer.html", context)


@require_POST
@allow(PLAN_READERS)
def transition(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    """Submit (approver), return or accept (coordinator), reopen (coordinator, with a reason)."""
    submission = submission_for(request, pk)
    try:
        if action == "submit":
            submit_form = SubmitForm(request.POST, on_behalf=request.user.role == Role.COORDINATOR)
            if not submit_form.is_valid():
                raise ValidationError([m for errors in submit_form.errors.values() for m in errors])
            submissions.submit(
                submission=submission,
                actor=request.user,
                request=request,
                warning_comment=submit_form.cleaned_data.get("warning_comment", ""),
                on_behalf_reason=submit_form.cleaned_data.get("on_behalf_reason", ""),
            )
        elif action in ("return", "accept"):
            review_form = ReviewForm(request.POST)
            review_form.is_valid()
            submissions.review(
                submission=submission,
                actor=request.user,
                accept=action == "accept",
                comment=review_form.cleaned_data.get("comment", ""),
                request=request,
            )
        elif action == "reopen":
            submissions.reopen(
                submission=submission,
                actor=request.user,
                reason=request.POST.get("comment", ""),
                request=request,
            )
        else:
            raise PermissionDenied
    except ValidationError as error:
        if len(error.messages) > 3:
            # The submit gate: the page lists every problem with a link to its cell.
            messages.error(
                request,
                _("Chưa nộp được báo cáo: còn %(n)s lỗi cần sửa (danh sách ở cuối trang).")
                % {"n": len(error.messages)},
            )
            return redirect(reverse("reports:submission", args=[submission.pk]) + "#nop-bao-cao")
        for message in error.messages:
            messages.error(request, message)
    else:
        on_behalf = action == "submit" and request.user.role == Role.COORDINATOR
        messages.success(request, _done(submission, "submit_for" if on_behalf else action))
    return redirect("reports:submission", pk=submission.pk)


def _done(submission: Submission, action: str) -> str:
    """What a transition did, to which report: "Đã duyệt báo cáo của Sở Y tế, đợt “…”."."""
    said = {"unit": submission.unit.name, "round": submission.round.name}
    done = {
        "submit": _("Đã nộp báo cáo của %(unit)s, đợt “%(round)s”."),
        "submit_for": _("Đã nộp thay báo cáo của %(unit)s, đợt “%(round)s”."),
        "accept": _("Đã duyệt báo cáo của %(unit)s, đợt “%(round)s”."),
        "return": _("Đã trả lại báo cáo của %(unit)s, đợt “%(round)s”, để đơn vị sửa."),
        "reopen": _("Đã mở lại báo cáo của %(unit)s, đợt “%(round)s”."),
    }
    return done[action] % said


@require_POST
@allow(EDITORS)
def attach(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = submission_for(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            submissions.add_attachment(
                submission=submission,
                upload=form.cleaned_data["file"],
                kind=form.kind,
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Đã đính kèm tệp “%(file)s” vào báo cáo của %(unit)s, đợt “%(round)s”.")
                % {
                    "file": form.cleaned_data["file"].name,
                    "unit": submission.unit.name,
                    "round": submission.round.name,
                },
            )
    else:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("reports:submission", pk=submission.pk)


@allow(PLAN_READERS)
def attachment(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    attachment = get_object_or_404(Attachment.objects.for_user(request.user), pk=pk)
    submissions.record_download(actor=request.user, obj=attachment, request=request)
    return attachment.download()


@allow(PLAN_READERS)
def compare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What changed since the last submission (or between two snapshots)."""
    submission = submission_for(request, pk)
    masked = not disclosure.sees_exact(request.user, submission.unit_id)
    changes = submission.changes_since_last_snapshot(masked=masked)
    context = {"submission": submission, "changes": changes}
    return render(request, "reports/compare.html", context)


@allow(COORDINATOR)
def extend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    submission = submission_for(request, pk)
    form = ExtensionForm(request.POST or None, submission=submission)
    if request.method == "POST" and form.is_valid():
        submissions.extend_deadline(
            submission=submission, actor=request.user, request=request, **form.cleaned_data
        )
        messages.success(
            request,
            _("Đã gia hạn nộp báo cáo của %(unit)s, đợt “%(round)s”, đến hết ngày %(day)s.")
            % {
                "unit": submission.unit.name,
                "round": submission.round.name,
                "day": shown(form.cleaned_data["due_on"]),
            },
        )
        return redirect("reports:round", pk=submission.round_id)
    return render(request, "reports/extend.html", {"submission": submission, "form": form})
