"""Writes of the reporting cycle: opening a round (every unit's submission), a unit's values,
answers and attachments, submitting and reviewing, deadlines; each atomic, audited, and refusing
stale versions. Also the checks a submit runs and the record of who downloaded a report."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import ConcurrentEdit, record_event
from core.roles import UNIT_STAFF, Role
from indicators.models import NUMERIC_TYPES, CategoryOptionCombo, stored_number, vi_number

from ..models import (
    EDITABLE,
    Attachment,
    DataValue,
    NarrativeAnswer,
    Question,
    Round,
    Row,
    Snapshot,
    Status,
    Submission,
)

SUBMITTERS = (Role.APPROVER, Role.COORDINATOR)
EDITORS = UNIT_STAFF | {Role.COORDINATOR}  # who may write values, answers and attachments


@transaction.atomic
def create_round(*, actor, request=None, **fields) -> Round:
    """Open a round and assign every unit of the chosen kinds valid during its data window."""
    round_ = Round.objects.create(**fields)
    Submission.objects.bulk_create(
        Submission(round=round_, unit=unit, due_on=round_.due_on)
        for unit in round_.expected_units()
    )
    record_event(
        actor=actor,
        action=Action.CREATE,
        obj=round_,
        request=request,
        changes={"units": [None, round_.submissions.count()]},
    )
    return round_


def _check_editable(submission: Submission, actor) -> None:
    if actor.role in UNIT_STAFF and submission.unit_id != actor.unit_id:
        raise PermissionDenied  # a unit writes its own report only, even above it in the tree
    if submission.status not in EDITABLE:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái “%(status)s”, không sửa được.")
            % {"status": submission.get_status_display()}
        )
    if actor.role == Role.COORDINATOR:
        return
    if submission.round.is_locked():
        raise ValidationError(_("Đợt báo cáo đã khóa sổ, không sửa được số liệu."))
    if timezone.localdate() < submission.round.opens_on:
        raise ValidationError(
            _("Đợt báo cáo chưa mở: nhập số liệu từ ngày %(day)s.")
            % {"day": submission.round.opens_on.strftime("%d/%m/%Y")}
        )


def _stored_numbers(values) -> dict:
    """(element id, option combo id) → number, for stored values (canonical text)."""
    return {
        (v.data_element_id, v.option_combo_id): stored_number(v.value)
        for v in values
        if not v.no_data
    }


def check_parts(row: Row, option_combo: CategoryOptionCombo, number, numbers: dict) -> None:
    """A part must not exceed its total (same column), checked from both sides against
    `numbers`, the column's values as they will be once the save is done."""
    if number is None or row.data_element.value_type not in NUMERIC_TYPES:
        return
    column = "" if option_combo.combo.is_default else f" ({option_combo.name})"
    if (whole := row.part_of) is not None:
        total = numbers.get((whole.data_element_id, option_combo.pk))
        if total is not None and number > total:
            raise ValidationError(
                _("“%(part)s”%(col)s = %(value)s lớn hơn dòng tổng “%(total)s” = %(sum)s.")
                % {
                    "part": row.title,
                    "col": column,
                    "value": vi_number(number),
                    "total": whole.title,
                    "sum": vi_number(total),
                }
            )
    for part in row.parts.all():
        part_value = numbers.get((part.data_element_id, option_combo.pk))
        if part_value is not None and part_value > number:
            raise ValidationError(
                _("“%(total)s”%(col)s = %(value)s nhỏ hơn dòng thành phần “%(part)s” = %(sum)s.")
                % {
                    "total": row.title,
                    "col": column,
                    "value": vi_number(number),
                    "part": part.title,
                    "sum": vi_number(part_value),
                }
            )


@dataclass
class CellInput:
    """One cell to save. `comment` and `no_data` None keep what is stored (a grid edit of the
    value alone); `machine` values are plain numbers (API, CSV), not typed Vietnamese style."""

    row: Row
    option_combo: CategoryOptionCombo
    raw: str
    comment: str | None = ""
    no_data: bool | None = False
    expected_version: int | None = None
    machine: bool = False


@transaction.atomic
def save_values(*, submission: Submission, cells: list[CellInput], actor, request=None):
    """Validate and store several cells as one unit: all of them, or none (CellErrors).

    Parts and totals are checked against the state after the whole save, so the order of the
    cells does not matter."""
    submission = (
        Submission.objects.select_for_update().select_related("round", "unit").get(pk=submission.pk)
    )
    _check_editable(submission, actor)
    current = {
        (v.data_element_id, v.option_combo_id): v for v in submission.values.select_for_update()
    }
    errors, cleaned = {}, []
    for cell in cells:
        key = (cell.row.data_element_id, cell.option_combo.pk)
        existing = current.get(key)
        if cell.expected_version is not None and (
            (existing.version if existing else 0) != cell.expected_version
        ):
            raise ConcurrentEdit(existing)
        comment = (existing.comment if existing else "") if cell.comment is None else cell.comment
        no_data = (
            (existing.no_data if existing else False) if cell.no_data is None else cell.no_data
        )
        try:
            value = cell.row.data_element.clean_value(cell.raw, machine=cell.machine)
            if value and cell.no_data is None:
                no_data = False  # a value typed in the grid replaces "no data"
            if no_data and value:
                raise ValidationError(_("Đã chọn “không có số liệu” thì để trống giá trị."))
            if no_data and not comment.strip():
                raise ValidationError(_("Chọn “không có số liệu” thì phải ghi lý do."))
        except ValidationError as error:
            errors[key] = " ".join(error.messages)
            continue
        cleaned.append((cell, key, (value, no_data, comment.strip())))
    numbers = _stored_numbers(current.values())
    for _cell, key, (value, no_data, _comment) in cleaned:
        numbers[key] = None if no_data or value == "" else stored_number(value)
    for cell, key, _new in cleaned:
        try:
            check_parts(cell.row, cell.option_combo, numbers[key], numbers)
        except ValidationError as error:
            errors[key] = " ".join(error.messages)
    if errors:
        raise CellErrors(errors)
    return [
        _store(submission, current.get(key), cell, new, actor, request)
        for cell, key, new in cleaned
    ]


def _store(submission, existing, cell, new, actor, request) -> DataValue:
    old = (existing.value, existing.no_data, existing.comment) if existing else ("", False, "")
    if old == new:
        return existing
    if existing is None:
        existing = DataValue(
            submission=submission,
            data_element=cell.row.data_element,
            option_combo=cell.option_combo,
        )
    else:
        existing.version += 1
    existing.value, existing.no_data, existing.comment = new
    existing.updated_by = actor
    existing.save()
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=existing,
        request=request,
        label=f"{submission.unit.code} {submission.round.code} "
        f"{cell.row.data_element.code}/{cell.option_combo.code}",
        changes={
            "value": [old[0], new[0]],
            **({"no_data": [old[1], new[1]]} if old[1] != new[1] else {}),
            **({"comment": [old[2], new[2]]} if old[2] != new[2] else {}),
        },
    )
    return existing


class CellErrors(ValidationError):
    """Problems keyed by (data element id, option combo id); nothing of the save was stored."""

    def __init__(self, errors: dict):
        super().__init__(list(errors.values()))
        self.cells = errors


@transaction.atomic
def save_answer(
    *,
    submission: Submission,
    question: Question,
    text: str,
    expected_version: int,
    actor,
    request=None,
) -> NarrativeAnswer:
    submission = (
        Submission.objects.select_for_update().select_related("round").get(pk=submission.pk)
    )
    _check_editable(submission, actor)
    answer, created = NarrativeAnswer.objects.select_for_update().get_or_create(
        submission=submission, question=question, defaults={"updated_by": actor, "version": 0}
    )
    if answer.version != expected_version:
        raise ConcurrentEdit(answer)
    old = answer.text
    if old == text and not created:
        return answer
    answer.text, answer.updated_by = text, actor
    answer.version += 1
    answer.save()
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=answer,
        request=request,
        label=f"{submission.unit.code} {submission.round.code} {question.code}",
        changes={"text": [old, text]},
    )
    return answer


def _transition(submission: Submission, actor, status: str, request, **changes) -> Submission:
    old = submission.status
    submission.status = status
    submission.version += 1
    for name, value in changes.items():
        setattr(submission, name, value)
    submission.save()
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=submission,
        request=request,
        changes={
            "status": [old, status],
            **{k: [None, str(v)] for k, v in changes.items() if k.endswith("comment")},
        },
    )
    return submission


@transaction.atomic
def submit(*, submission: Submission, actor, warning_comment: str = "", request=None) -> Submission:
    """Approver sends the report: blocking problems stop it, warnings need a comment."""
    if actor.role not in SUBMITTERS:
        raise PermissionDenied
    submission = (
        Submission.objects.select_for_update().select_related("round__form").get(pk=submission.pk)
    )
    _check_editable(submission, actor)
    problems = submission_problems(submission)
    if problems.errors:
        raise ValidationError(problems.errors)
    if problems.warnings and not warning_comment.strip():
        raise ValidationError(_("Có cảnh báo: hãy ghi giải trình trước khi nộp."))
    values, answers = submission.payload()
    number = submission.snapshots.count() + 1
    Snapshot.objects.create(
        submission=submission,
        number=number,
        taken_by=actor,
        values=values,
        answers={**answers, "_warning_comment": warning_comment},
    )
    now = timezone.now()
    return _transition(
        submission,
        actor,
        Status.SUBMITTED,
        request,
        submitted_at=now,
        submitted_by=actor,
        first_submitted_at=submission.first_submitted_at or now,
    )


def submit_refusals(*, submission: Submission, actor, request=None) -> list[str]:
    """Why `actor` cannot submit the report now, in Vietnamese (empty when they can): the submit
    runs and is rolled back. PermissionDenied when the actor may not submit at all."""
    with transaction.atomic():
        try:
            submit(submission=submission, actor=actor, warning_comment="-", request=request)
        except ValidationError as error:
            return error.messages
        finally:
            transaction.set_rollback(True)
    return []


@transaction.atomic
def review(*, submission: Submission, actor, accept: bool, comment: str = "", request=None):
    """The coordinator accepts (locks) a submitted report, or returns it with a comment."""
    if actor.role != Role.COORDINATOR:
        raise PermissionDenied
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Status.SUBMITTED:
        raise ValidationError(_("Chỉ duyệt hoặc trả lại báo cáo đã nộp."))
    if not accept and not comment.strip():
        raise ValidationError(_("Trả lại báo cáo thì phải ghi ý kiến để đơn vị sửa."))
    return _transition(
        submission,
        actor,
        Status.ACCEPTED if accept else Status.RETURNED,
        request,
        review_comment=comment.strip(),
        reviewed_at=timezone.now(),
        reviewed_by=actor,
    )


@transaction.atomic
def reopen(*, submission: Submission, actor, reason: str, request=None):
    if actor.role != Role.COORDINATOR:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Mở lại báo cáo đã duyệt thì phải ghi lý do."))
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Status.ACCEPTED:
        raise ValidationError(_("Chỉ mở lại báo cáo đã duyệt."))
    return _transition(submission, actor, Status.RETURNED, request, review_comment=reason.strip())


@transaction.atomic
def extend_deadline(*, submission: Submission, due_on, reason: str, actor, request=None):
    """The coordinator gives one unit more time; the reason is kept and audited."""
    if actor.role != Role.COORDINATOR:
        raise PermissionDenied
    if due_on < submission.due_on:
        raise ValidationError(
            _("Hạn mới phải sau hạn hiện tại (%(day)s).")
            % {"day": submission.due_on.strftime("%d/%m/%Y")}
        )
    old = submission.due_on
    submission.due_on, submission.extension_reason = due_on, reason
    submission.version += 1
    submission.save(update_fields=["due_on", "extension_reason", "version"])
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=submission,
        request=request,
        changes={"due_on": [str(old), str(due_on)], "extension_reason": [None, reason]},
    )
    return submission


@dataclass
class Problems:
    errors: list[str]
    warnings: list[str]


def submission_problems(submission: Submission) -> Problems:
    """Blocking errors (required cells empty, parts over totals) and warnings (empty optional
    tables, narratives left blank)."""
    errors: list[str] = []
    warnings: list[str] = []
    values = {(v.data_element_id, v.option_combo_id): v for v in submission.values.all()}
    numbers = _stored_numbers(values.values())
    for row in submission.round.form.rows().prefetch_related(
        "data_element__category_combo__option_combos"
    ):
        for combo in row.data_element.category_combo.option_combos.all():
            value = values.get((row.data_element_id, combo.pk))
            if row.required and (value is None or not value.is_filled):
                errors.append(
                    _("Chưa nhập “%(row)s” (%(col)s).") % {"row": row.title, "col": combo.name}
                )
            if row.part_of_id and value is not None:
                try:
                    check_parts(row, combo, numbers.get((row.data_element_id, combo.pk)), numbers)
                except ValidationError as error:
                    errors.extend(error.messages)
    answers = {a.question_id: a.text for a in submission.answers.all()}
    for question in Question.objects.filter(section__form=submission.round.form):
        if not answers.get(question.pk, "").strip():
            (errors if question.required else warnings).append(
                _("Chưa trả lời: “%(q)s”.") % {"q": question.text[:120]}
            )
    return Problems(errors, warnings)


@transaction.atomic
def add_attachment(*, submission: Submission, upload, kind: tuple[str, str], actor, request=None):
    """Attach a checked file (see core.uploads.check_upload) to a unit's report."""
    _check_editable(submission, actor)
    attachment = Attachment(submission=submission, uploaded_by=actor)
    attachment.store(upload, kind)
    record_event(
        actor=actor,
        action=Action.CREATE,
        obj=attachment,
        request=request,
        label=f"{submission} — {attachment.original_name}",
    )
    return attachment


def record_download(*, actor, obj: Submission | Attachment, request=None) -> None:
    """Who took a copy of a unit's report (the workbook holds its figures, GBV counts included)
    or of one of its attachments."""
    record_event(actor=actor, action=Action.DOWNLOAD, obj=obj, request=request)
