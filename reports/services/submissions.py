"""Writes of the reporting cycle: opening a round (every unit's submission), a unit's values,
answers and attachments, submitting and reviewing, deadlines; each atomic, audited, and refusing
stale versions. Also the checks a submit runs and the record of who downloaded a report."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, staff_by_unit
from accounts.services import controllers
from audit.models import Action
from audit.services import ConcurrentEdit, record_event
from core.notifications import notify
from core.roles import UNIT_STAFF, Role
from indicators.models import NUMERIC_TYPES, CategoryOptionCombo, stored_number, vi_number

from .. import disclosure, validation
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
    """Who may write a report now (Submission.is_editable_by, with the reason in Vietnamese):
    the unit's own staff while it is a draft or returned and the round open; the coordinator a
    draft only (paper reports, corrections, even after the lock), never a returned report."""
    if actor.role in UNIT_STAFF:
        if submission.unit_id != actor.unit_id:
            raise PermissionDenied  # a unit writes its own report only, even above it in the tree
    elif actor.role != Role.COORDINATOR:
        raise PermissionDenied
    if submission.status not in EDITABLE:
        raise ValidationError(
            _("Báo cáo đang ở trạng thái “%(status)s”, không sửa được.")
            % {"status": submission.get_status_display()}
        )
    if actor.role == Role.COORDINATOR:
        if submission.status == Status.RETURNED:
            raise ValidationError(
                _(
                    "Báo cáo đã trả lại cho đơn vị: đơn vị sửa và nộp lại, Sở Nội vụ chỉ xem "
                    "được cho đến khi đơn vị nộp."
                )
            )
        return
    if submission.is_locked():
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


def check_parts(
    row: Row, option_combo: CategoryOptionCombo, number, numbers: dict, *, exact: bool = False
) -> None:
    """A part must not exceed its total (same column), checked from both sides against
    `numbers`, the column's values as they will be once the save is done.

    The message quotes the two figures only when `exact` (the reader sees the unit's exact
    values) or neither row is sensitive: a refusal must not tell a GBV count to a writer who
    may not read it (docs/security.md, "Disclosure control across outputs")."""
    if number is None or row.data_element.value_type not in NUMERIC_TYPES:
        return
    column = "" if option_combo.combo.is_default else f" ({option_combo.name})"
    if (whole := row.part_of) is not None:
        total = numbers.get((whole.data_element_id, option_combo.pk))
        if total is not None and number > total:
            if not exact and (row.data_element.sensitive or whole.data_element.sensitive):
                raise ValidationError(
                    _("“%(part)s”%(col)s lớn hơn dòng tổng “%(total)s”.")
                    % {"part": row.title, "col": column, "total": whole.title}
                )
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
            if not exact and (row.data_element.sensitive or part.data_element.sensitive):
                raise ValidationError(
                    _("“%(total)s”%(col)s nhỏ hơn dòng thành phần “%(part)s”.")
                    % {"total": row.title, "col": column, "part": part.title}
                )
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
    exact = disclosure.sees_exact(actor, submission.unit_id)
    current = {
        (v.data_element_id, v.option_combo_id): v for v in submission.values.select_for_update()
    }
    errors, cleaned = {}, []
    for cell in cells:
        key = (cell.row.data_element_id, cell.option_combo.pk)
        if cell.row.data_element.sensitive and not exact:
            # The grid never offers these cells; the API and a workbook must not either: a
            # refusal computed against the stored count would tell it (reports.disclosure).
            errors[key] = _("Ô số liệu nhạy cảm: chỉ cán bộ của đơn vị nhập được.")
            continue
        existing = current.get(key)
        if (
            cell.expected_version is not None
            and (existing.version if existing else 0) != cell.expected_version
            and not _already_stored(existing, cell)
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
            check_parts(cell.row, cell.option_combo, numbers[key], numbers, exact=exact)
        except ValidationError as error:
            errors[key] = " ".join(error.messages)
    if errors:
        raise CellErrors(errors)
    return [
        _store(submission, current.get(key), cell, new, actor, request)
        for cell, key, new in cleaned
    ]


def _already_stored(existing: DataValue | None, cell: CellInput) -> bool:
    """A stale version that would change nothing is no conflict: the grid's offline queue
    resends a save whose answer it never got (the connection dropped on the way back), and the
    stored value is already the one sent. Anything else from a stale version is refused."""
    if existing is None:
        return False
    try:
        value = cell.row.data_element.clean_value(cell.raw, machine=cell.machine)
    except ValidationError:
        return False
    comment = existing.comment if cell.comment is None else cell.comment.strip()
    no_data = existing.no_data if cell.no_data is None else cell.no_data
    if value and cell.no_data is None:
        no_data = False
    return (existing.value, existing.no_data, existing.comment) == (value, no_data, comment)


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
    if answer.version != expected_version and not (answer.text == text and not created):
        # A resend of a save whose answer was lost (the entry page's offline queue) finds its
        # own text stored: nothing to refuse, nothing to write.
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


def _transition(
    submission: Submission, actor, status: str, request, noted: dict | None = None, **changes
) -> Submission:
    """Change the report's status and fields; audit the status, comments and reasons, and
    `noted` (what was said but is kept elsewhere, e.g. the warnings' explanation)."""
    old = submission.status
    submission.status = status
    submission.version += 1
    for name, value in changes.items():
        setattr(submission, name, value)
    submission.save()
    audited = ("comment", "reason", "due_on")
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=submission,
        request=request,
        changes={
            "status": [old, status],
            **{k: [None, str(v)] for k, v in changes.items() if k.endswith(audited) and v},
            **({"on_behalf": [False, True]} if changes.get("on_behalf") else {}),
            **{k: [None, v] for k, v in (noted or {}).items() if v},
        },
    )
    return submission


def _unit_staff(submission: Submission) -> list[User]:
    return staff_by_unit([submission.unit_id]).get(submission.unit_id, [])


def _coordinators(*, besides=None):
    users = User.objects.filter(is_active=True, role=Role.COORDINATOR)
    return users.exclude(pk=besides.pk) if besides is not None else users


def _tell(users, submission: Submission, text: str) -> None:
    """In the system, and by e-mail to those who take it (core.notifications.notify)."""
    subject = _("[Bình đẳng giới] %(round)s — %(unit)s") % {
        "round": submission.round.name,
        "unit": submission.unit.name,
    }
    notify(
        users,
        text=text,
        url=reverse("reports:submission", args=[submission.pk]),
        subject=subject,
    )


@transaction.atomic
def submit(
    *,
    submission: Submission,
    actor,
    warning_comment: str = "",
    on_behalf_reason: str = "",
    request=None,
) -> Submission:
    """The unit's approver sends the report: blocking problems stop it, warnings need a comment.

    The coordinator may submit a draft on the unit's behalf (a report sent on paper): an explicit
    act with its reason, audited, told to the unit; whoever did it cannot accept it (`review`).
    A returned report belongs to the unit: only the unit submits it again."""
    if actor.role not in SUBMITTERS:
        raise PermissionDenied
    submission = (
        Submission.objects.select_for_update()
        .select_related("round__form", "unit")
        .get(pk=submission.pk)
    )
    _check_editable(submission, actor)
    on_behalf = actor.role == Role.COORDINATOR
    if on_behalf and not on_behalf_reason.strip():
        raise ValidationError(
            _(
                "Sở Nội vụ nộp thay đơn vị thì phải ghi lý do (ví dụ: đơn vị đã gửi báo cáo "
                "giấy có chữ ký)."
            )
        )
    problems = submission_problems(submission, viewer=actor)
    if problems.errors:
        raise ValidationError([str(issue) for issue in problems.errors])
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
    done = _transition(
        submission,
        actor,
        Status.SUBMITTED,
        request,
        submitted_at=now,
        submitted_by=actor,
        first_submitted_at=submission.first_submitted_at or now,
        on_behalf=on_behalf,
        on_behalf_reason=on_behalf_reason.strip() if on_behalf else "",
        noted={"warning_comment": warning_comment.strip()},
    )
    names = {"round": submission.round.name, "unit": submission.unit.name}
    if on_behalf:
        _tell(
            _unit_staff(submission),
            submission,
            _("Sở Nội vụ đã nộp thay báo cáo “%(round)s” của đơn vị. Lý do: %(reason)s")
            % {**names, "reason": on_behalf_reason.strip()},
        )
        _tell(
            _coordinators(besides=actor),
            submission,
            _(
                "%(who)s đã nộp thay báo cáo “%(round)s” của %(unit)s: cần một cán bộ khác "
                "của Sở Nội vụ duyệt."
            )
            % {**names, "who": actor},
        )
    else:
        _tell(
            _coordinators(),
            submission,
            _("%(unit)s đã nộp báo cáo “%(round)s”: chờ Sở Nội vụ duyệt.") % names,
        )
    return done


def submit_refusals(
    *, submission: Submission, actor, on_behalf_reason: str = "-", request=None
) -> list[str]:
    """Why `actor` cannot submit the report now, in Vietnamese (empty when they can): the submit
    runs and is rolled back. PermissionDenied when the actor may not submit at all."""
    with transaction.atomic():
        try:
            submit(
                submission=submission,
                actor=actor,
                warning_comment="-",
                on_behalf_reason=on_behalf_reason,
                request=request,
            )
        except ValidationError as error:
            return error.messages
        finally:
            transaction.set_rollback(True)
    return []


def _may_have_submitted(actor: User, submitter: User | None) -> bool:
    """Whether one person could have signed in both as the submitter and as `actor`: someone who
    set both accounts' passwords, directly or down a chain, the actor included
    (accounts.services.controllers). The one-person rule of the GBV approvals, applied to
    accepting a report (docs/security.md)."""
    if submitter is None or submitter.pk == actor.pk or not submitter.has_usable_password():
        return False
    return bool(controllers(actor) & controllers(submitter))


@transaction.atomic
def review(*, submission: Submission, actor, accept: bool, comment: str = "", request=None):
    """The coordinator accepts (locks) a submitted report, or returns it to the unit with a
    comment. Nobody accepts a submission they made themselves (on the unit's behalf)."""
    if actor.role != Role.COORDINATOR:
        raise PermissionDenied
    submission = (
        Submission.objects.select_for_update().select_related("round", "unit").get(pk=submission.pk)
    )
    if submission.status != Status.SUBMITTED:
        raise ValidationError(_("Chỉ duyệt hoặc trả lại báo cáo đã nộp."))
    if accept and submission.submitted_by_id == actor.pk:
        raise ValidationError(
            _(
                "Bạn đã nộp thay báo cáo này nên không tự duyệt được: cần một cán bộ khác của "
                "Sở Nội vụ duyệt."
            )
        )
    if accept and _may_have_submitted(actor, submission.submitted_by):
        raise ValidationError(
            _(
                "Không duyệt được: bạn, hoặc người đã đặt mật khẩu cho tài khoản của bạn, cũng đã "
                "đặt mật khẩu cho tài khoản đã nộp báo cáo này, nên một người có thể vừa nộp vừa "
                "duyệt. Cần một cán bộ khác của Sở Nội vụ duyệt, hoặc người nộp tự đổi mật khẩu."
            )
        )
    if not accept and not comment.strip():
        raise ValidationError(_("Trả lại báo cáo thì phải ghi ý kiến để đơn vị sửa."))
    time = {} if accept else _time_to_correct(submission)
    done = _transition(
        submission,
        actor,
        Status.ACCEPTED if accept else Status.RETURNED,
        request,
        review_comment=comment.strip(),
        reviewed_at=timezone.now(),
        reviewed_by=actor,
        **time,
    )
    names = {"round": submission.round.name, "comment": comment.strip()}
    if accept:
        text = _("Sở Nội vụ đã duyệt báo cáo “%(round)s” của đơn vị.") % names
    else:
        text = _("Sở Nội vụ trả lại báo cáo “%(round)s” để đơn vị sửa: %(comment)s") % names
    _tell(_unit_staff(submission), submission, text + _until(time))
    return done


def _time_to_correct(submission: Submission) -> dict:
    """A report handed back to its unit after the lock date (returned, or reopened) would stay
    locked for good: it gets a due date of its own, RETURN_DAYS from today (the fields
    `_transition` sets and audits; nothing while the round is still open for it)."""
    if not submission.is_locked():
        return {}
    due_on = timezone.localdate() + datetime.timedelta(days=settings.RETURN_DAYS)
    reason = _("Trả lại sau ngày khóa sổ: đơn vị sửa và nộp lại đến hết ngày %(day)s.") % {
        "day": due_on.strftime("%d/%m/%Y")
    }
    return {"due_on": due_on, "extension_reason": reason}


def _until(time: dict) -> str:
    return (" " + time["extension_reason"]) if time else ""


@transaction.atomic
def reopen(*, submission: Submission, actor, reason: str, request=None):
    """The coordinator reopens an accepted report with a reason: it is the unit's again."""
    if actor.role != Role.COORDINATOR:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Mở lại báo cáo đã duyệt thì phải ghi lý do."))
    submission = (
        Submission.objects.select_for_update().select_related("round", "unit").get(pk=submission.pk)
    )
    if submission.status != Status.ACCEPTED:
        raise ValidationError(_("Chỉ mở lại báo cáo đã duyệt."))
    time = _time_to_correct(submission)
    done = _transition(
        submission, actor, Status.RETURNED, request, review_comment=reason.strip(), **time
    )
    _tell(
        _unit_staff(submission),
        submission,
        _("Sở Nội vụ mở lại báo cáo “%(round)s” để đơn vị sửa: %(reason)s")
        % {"round": submission.round.name, "reason": reason.strip()}
        + _until(time),
    )
    return done


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


@dataclass(frozen=True)
class Issue:
    """One problem of a report, and the id of the cell or question it is about on the report
    page ("" when it is not shown there), so the page can link to it."""

    text: str
    anchor: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass
class Problems:
    errors: list[Issue]
    warnings: list[Issue]
    notes: dict = field(default_factory=dict)  # (element id, combo id) → warnings, for the grid
    missing: int = 0  # table cells neither filled nor marked "no data"


def submission_problems(submission: Submission, *, viewer=None) -> Problems:
    """Everything that stops or questions the submit, in one place (the page, the submit, the
    API's check): blocking errors (a table cell neither filled nor marked "no data" unless its
    row is optional, parts over totals, required answers, rules marked blocking) and warnings
    that need an explanation (answers left blank, other rules, values outside their min–max
    bounds or far from the unit's history: reports.validation).

    `viewer`: who reads them. For a reader who may not see the unit's sensitive values (the
    coordinator), findings on sensitive elements are left out, and sensitive cells they cannot
    fill are warnings rather than errors."""
    masked = viewer is not None and not disclosure.sees_exact(viewer, submission.unit_id)
    checks = validation.FormChecks(submission.round.form)
    errors: list[Issue] = []
    warnings: list[Issue] = []
    values = {(v.data_element_id, v.option_combo_id): v for v in submission.values.all()}
    numbers = _stored_numbers(values.values())
    missing = 0
    for row in checks.rows:
        for combo in checks.combos[row.pk]:
            key = (row.data_element_id, combo.pk)
            value = values.get(key)
            anchor = f"c-{row.pk}-{combo.pk}"
            if not row.optional and (value is None or not value.is_filled):
                column = "" if row.data_element.category_combo.is_default else f" ({combo.name})"
                if masked and row.data_element.sensitive:
                    warnings.append(
                        Issue(
                            _("Ô nhạy cảm “%(row)s”%(col)s chưa nhập: chỉ đơn vị nhập được.")
                            % {"row": row.title, "col": column}
                        )
                    )
                else:
                    missing += 1
                    errors.append(
                        Issue(
                            _("Chưa nhập “%(row)s”%(col)s.") % {"row": row.title, "col": column},
                            anchor,
                        )
                    )
            if row.part_of_id and value is not None:
                try:
                    check_parts(row, combo, numbers.get(key), numbers, exact=not masked)
                except ValidationError as error:
                    errors.extend(Issue(message, anchor) for message in error.messages)
    answers = {a.question_id: a.text for a in submission.answers.all()}
    for question in Question.objects.filter(section__form=submission.round.form):
        if not answers.get(question.pk, "").strip():
            (errors if question.required else warnings).append(
                Issue(_("Chưa trả lời: “%(q)s”.") % {"q": question.text[:120]}, f"q-{question.pk}")
            )
    findings = validation.check(submission, masked=masked, checks=checks)
    for finding in findings:
        if finding.sensitive:
            # Told beside its cells only: stopping the submit or asking for an explanation (kept
            # in the report's history) would tell others that it fired (docs/security.md).
            continue
        (errors if finding.blocking else warnings).append(Issue(finding.text, finding.anchor))
    return Problems(errors, warnings, validation.notes_by_cell(findings), missing)


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
