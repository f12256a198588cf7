"""Writes of the form builder: atomic, audited on the form, and refused once the form is
published or used by a round. A form in use is never changed under its users: it gets a new
version (a copy through the JSON exchange shape), and rounds keep the version they were opened
with."""

import copy
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record_event
from indicators.models import DEFAULT, Category, CategoryCombo, DataElement

from ..exchange.formjson import check_shape, export_form, import_forms
from ..models import Form, FormStatus, Question, Row, Section, SectionKind

# ---------------------------------------------------------------------------------------------
# Reading helpers shared by the views and the checks


def edit_refusal(form: Form) -> str | None:
    """Why the form's outline cannot be changed in place, or None when it can."""
    if form.status != FormStatus.DRAFT:
        return _(
            "Biểu mẫu “%(form)s” đã ban hành hoặc ngừng sử dụng: không sửa trực tiếp được. "
            "Hãy tạo phiên bản mới."
        ) % {"form": form}
    if form.in_use:
        return _(
            "Biểu mẫu “%(form)s” đang được dùng cho đợt báo cáo: không sửa được. "
            "Hãy tạo phiên bản mới."
        ) % {"form": form}
    return None


def column_combo(section: Section) -> CategoryCombo | None:
    """The columns of a table: its combo, or the one-column `default` combo when left empty."""
    return section.category_combo or CategoryCombo.objects.filter(code=DEFAULT).first()


def publish_problems(form: Form) -> list[str]:
    """What stops the form from being published, in Vietnamese; empty when it may be."""
    sections = list(
        form.sections.select_related("category_combo").prefetch_related(
            "questions", "rows__data_element__category_combo"
        )
    )
    if not sections:
        return [_("Biểu mẫu chưa có phần nào.")]
    problems, elements, codes = [], set(), set()
    default = CategoryCombo.objects.filter(code=DEFAULT).first()
    for section in sections:
        for question in section.questions.all():
            if question.code in codes:
                problems.append(_("Mã câu hỏi %(code)s bị trùng.") % {"code": question.code})
            codes.add(question.code)
        if section.kind != SectionKind.TABLE:
            continue
        rows = list(section.rows.all())
        if not rows:
            problems.append(_("Bảng “%(section)s” chưa có dòng nào.") % {"section": section})
        columns = section.category_combo or default
        for row in rows:
            element = row.data_element
            if row.part_of_id == row.pk:
                problems.append(
                    _("Dòng “%(row)s” không thể là một phần của chính nó.") % {"row": row.title}
                )
            if element.pk in elements:
                problems.append(
                    _(
                        "Chỉ tiêu %(code)s có ở nhiều dòng: "
                        "mỗi chỉ tiêu chỉ một dòng trong biểu mẫu."
                    )
                    % {"code": element.code}
                )
            elements.add(element.pk)
            if columns is None or element.category_combo_id != columns.pk:
                problems.append(
                    _(
                        "Dòng “%(row)s” của bảng “%(section)s”: chỉ tiêu %(code)s phân tổ theo "
                        "“%(combo)s”, khác với cột của bảng (“%(columns)s”)."
                    )
                    % {
                        "row": row.title,
                        "section": section,
                        "code": element.code,
                        "combo": element.category_combo,
                        "columns": columns or "—",
                    }
                )
    return problems


# ---------------------------------------------------------------------------------------------
# The form itself


def _audit(actor, form, request, action=Action.UPDATE, **changes):
    record_event(actor=actor, action=action, obj=form, changes=changes, request=request)


def _lock_editable(form: Form) -> Form:
    """Take the form's row lock so two coordinators' edits apply one after the other."""
    form = Form.objects.select_for_update().get(pk=form.pk)
    refusal = edit_refusal(form)
    if refusal:
        raise ValidationError(refusal)
    return form


@transaction.atomic
def create_form(*, actor, code: str, name: str, description: str = "", request=None) -> Form:
    if Form.objects.filter(code=code).exists():
        raise ValidationError(
            _("Đã có biểu mẫu mã %(code)s: hãy tạo phiên bản mới từ biểu mẫu đó.") % {"code": code}
        )
    form = Form.objects.create(code=code, name=name, description=description)
    _audit(actor, form, request, Action.CREATE, code=[None, code], name=[None, name])
    return form


@transaction.atomic
def update_form(*, form: Form, actor, name: str, description: str, request=None) -> Form:
    form = _lock_editable(form)
    changes = {
        key: [getattr(form, key), value]
        for key, value in (("name", name), ("description", description))
        if getattr(form, key) != value
    }
    if changes:
        form.name, form.description = name, description
        form.save(update_fields=["name", "description", "updated_at"])
        _audit(actor, form, request, **changes)
    return form


@transaction.atomic
def publish_form(*, form: Form, actor, request=None) -> Form:
    form = _lock_editable(form)
    problems = publish_problems(form)
    if problems:
        raise ValidationError(problems)
    form.status = FormStatus.PUBLISHED
    form.save(update_fields=["status", "updated_at"])
    _audit(actor, form, request, status=[FormStatus.DRAFT, FormStatus.PUBLISHED])
    return form


@transaction.atomic
def retire_form(*, form: Form, actor, request=None) -> Form:
    form = Form.objects.select_for_update().get(pk=form.pk)
    if form.status != FormStatus.PUBLISHED:
        raise ValidationError(_("Chỉ ngừng sử dụng được biểu mẫu đã ban hành."))
    form.status = FormStatus.RETIRED
    form.save(update_fields=["status", "updated_at"])
    _audit(actor, form, request, status=[FormStatus.PUBLISHED, FormStatus.RETIRED])
    return form


@transaction.atomic
def new_version(*, form: Form, actor, request=None) -> Form:
    """A draft copy of the form with the next version number; rounds keep the old version."""
    form = Form.objects.select_for_update().get(pk=form.pk)
    if edit_refusal(form) is None:
        raise ValidationError(_("Biểu mẫu đang soạn: sửa trực tiếp, không cần phiên bản mới."))
    draft = (
        Form.objects.filter(code=form.code, status=FormStatus.DRAFT)
        .exclude(pk=form.pk)
        .order_by("-version")
        .first()
    )
    if draft is not None:
        raise ValidationError(
            _("Đã có phiên bản %(version)s đang soạn của biểu mẫu này: hãy sửa phiên bản đó.")
            % {"version": draft.version}
        )
    payload = export_form(form)
    payload["forms"][0]["status"] = FormStatus.DRAFT
    (copy_,) = import_forms(payload)
    # import_forms links to the latest version of the code; the copy is of this one.
    copy_.based_on = form
    copy_.save(update_fields=["based_on"])
    _audit(actor, copy_, request, Action.CREATE, copied_from=[None, str(form)])
    return copy_


# ---------------------------------------------------------------------------------------------
# Sections, questions, rows


def _next_order(queryset) -> int:
    top = queryset.aggregate(top=Max("order"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def add_section(
    *,
    form: Form,
    actor,
    title: str,
    kind: str,
    number: str = "",
    guidance: str = "",
    category_combo: CategoryCombo | None = None,
    request=None,
) -> Section:
    form = _lock_editable(form)
    section = Section.objects.create(
        form=form,
        order=_next_order(form.sections),
        number=number,
        title=title,
        kind=kind,
        guidance=guidance,
        category_combo=category_combo if kind == SectionKind.TABLE else None,
    )
    _audit(actor, form, request, section=[None, str(section)])
    return section


def _free_question_code(form: Form) -> str:
    taken = set(Question.objects.filter(section__form=form).values_list("code", flat=True))
    number = len(taken) + 1
    while f"{form.code[:40]}_Q{number}" in taken:
        number += 1
    return f"{form.code[:40]}_Q{number}"


@transaction.atomic
def add_question(
    *, section: Section, actor, text: str, code: str = "", required=False, request=None
) -> Question:
    form = _lock_editable(section.form)
    if section.kind != SectionKind.NARRATIVE:
        raise ValidationError(_("Chỉ thêm câu hỏi vào phần đề cương, không vào bảng số liệu."))
    code = code or _free_question_code(form)
    if Question.objects.filter(section__form=form, code=code).exists():
        raise ValidationError(_("Mã câu hỏi %(code)s đã có trong biểu mẫu.") % {"code": code})
    question = Question.objects.create(
        section=section,
        order=_next_order(section.questions),
        code=code,
        text=text,
        required=required,
    )
    _audit(actor, form, request, question=[None, f"{code}: {text[:80]}"])
    return question


@transaction.atomic
def add_row(
    *,
    section: Section,
    actor,
    data_element: DataElement,
    label: str = "",
    optional=False,
    part_of: Row | None = None,
    request=None,
) -> Row:
    form = _lock_editable(section.form)
    if section.kind != SectionKind.TABLE:
        raise ValidationError(_("Chỉ thêm dòng chỉ tiêu vào bảng số liệu."))
    if Row.objects.filter(section__form=form, data_element=data_element).exists():
        # A value's key is (element, column, unit, round): two rows would share their cells.
        raise ValidationError(
            _("Chỉ tiêu %(code)s đã có trong biểu mẫu: mỗi chỉ tiêu chỉ một dòng.")
            % {"code": data_element.code}
        )
    columns = column_combo(section)
    if columns is None or data_element.category_combo_id != columns.pk:
        raise ValidationError(
            _("Chỉ tiêu %(code)s phân tổ theo “%(combo)s”, khác với cột của bảng (“%(columns)s”).")
            % {"code": data_element.code, "combo": data_element.category_combo, "columns": columns}
        )
    if part_of is not None and part_of.section_id != section.pk:
        raise ValidationError(_("Dòng tổng phải thuộc cùng bảng."))
    row = Row.objects.create(
        section=section,
        order=_next_order(section.rows),
        data_element=data_element,
        label=label,
        optional=optional,
        part_of=part_of,
    )
    _audit(actor, form, request, row=[None, f"{data_element.code}: {row.title}"])
    return row


@transaction.atomic
def set_row_optional(*, row: Row, optional: bool, actor, request=None) -> Row:
    """Make a row's cells optional (a report may be submitted with them empty), or required
    again (every cell filled or marked "no data" with a reason)."""
    _lock_editable(row.section.form)
    if row.optional != optional:
        row.optional = optional
        row.save(update_fields=["optional"])
        _audit(
            actor,
            row.section.form,
            request,
            optional=[not optional, optional],
            row=[None, f"{row.data_element.code}: {row.title}"],
        )
    return row


PART_KEYS = {Section: "section", Question: "question", Row: "row"}


def _siblings(part):
    if isinstance(part, Section):
        return part.form.sections.all()
    return (part.section.questions if isinstance(part, Question) else part.section.rows).all()


def form_of(part) -> Form:
    return part.form if isinstance(part, Section) else part.section.form


def _describe(part) -> str:
    if isinstance(part, Row):
        return f"{part.data_element.code}: {part.title}"
    if isinstance(part, Question):
        return f"{part.code}: {part.text[:80]}"
    return str(part)


def _renumber(siblings) -> None:
    for position, sibling in enumerate(siblings):
        if sibling.order != position:
            sibling.order = position
            sibling.save(update_fields=["order"])


@transaction.atomic
def move_part(*, part, up: bool, actor, request=None) -> None:
    """Swap a section, question or row with its neighbour above or below."""
    form = _lock_editable(form_of(part))
    siblings = list(_siblings(part))
    index = [s.pk for s in siblings].index(part.pk)
    target = index - 1 if up else index + 1
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    _renumber(siblings)
    _audit(actor, form, request, **{PART_KEYS[type(part)]: [index + 1, target + 1]})


@transaction.atomic
def delete_part(*, part, actor, request=None) -> None:
    form = _lock_editable(form_of(part))
    described = _describe(part)
    part.delete()
    _renumber(_siblings(part))
    _audit(actor, form, request, **{PART_KEYS[type(part)]: [described, None]})


# ---------------------------------------------------------------------------------------------
# JSON import: a dry run lists what would be created; applying creates it all or nothing


@dataclass
class ImportPlan:
    forms: list[dict] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    combos: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: list[Form] = field(default_factory=list)


def _existing_codes() -> dict[str, set]:
    return {
        "categories": set(Category.objects.values_list("code", flat=True)),
        "combos": set(CategoryCombo.objects.values_list("code", flat=True)),
        "elements": set(DataElement.objects.values_list("code", flat=True)),
    }


def _clean_problems(obj, where: str) -> list[str]:
    try:
        obj.full_clean()
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            label = (
                "" if name == NON_FIELD_ERRORS else f"{obj._meta.get_field(name).verbose_name}: "
            )
            problems += [f"{where}: {label}{message}" for message in messages]
        return problems
    return []


def _check_created(forms: list[Form], before: dict[str, set]) -> list[str]:
    """Lengths and choices of every created record (PostgreSQL refuses some on insert, SQLite
    stores anything)."""
    problems = []
    for category in Category.objects.exclude(code__in=before["categories"]):
        for obj in [category, *category.options.all()]:
            problems += _clean_problems(obj, _("Nhóm phân tổ %(code)s") % {"code": category.code})
    for combo in CategoryCombo.objects.exclude(code__in=before["combos"]):
        for obj in [combo, *combo.option_combos.all()]:
            problems += _clean_problems(obj, _("Tổ hợp phân tổ %(code)s") % {"code": combo.code})
    for element in DataElement.objects.exclude(code__in=before["elements"]):
        problems += _clean_problems(element, _("Chỉ tiêu %(code)s") % {"code": element.code})
    for form in forms:
        where = _("Biểu mẫu %(code)s") % {"code": form.code}
        problems += _clean_problems(form, where)
        for section in form.sections.all():
            problems += _clean_problems(section, f"{where}, {section}")
            for part in [*section.questions.all(), *section.rows.all()]:
                problems += _clean_problems(part, f"{where}, {section}")
    return problems


def _plan(forms: list[Form], before: dict[str, set], payload: dict) -> ImportPlan:
    plan = ImportPlan(
        forms=[
            {
                "code": f.code,
                "version": f.version,
                "name": f.name,
                "based_on": f.based_on,
                "sections": f.sections.count(),
                "questions": Question.objects.filter(section__form=f).count(),
                "rows": Row.objects.filter(section__form=f).count(),
            }
            for f in forms
        ],
        categories=sorted(
            Category.objects.exclude(code__in=before["categories"]).values_list("code", flat=True)
        ),
        combos=sorted(
            CategoryCombo.objects.exclude(code__in=before["combos"]).values_list("code", flat=True)
        ),
        elements=sorted(
            DataElement.objects.exclude(code__in=before["elements"]).values_list("code", flat=True)
        ),
    )
    kept = {e.code: e for e in DataElement.objects.filter(code__in=before["elements"])}
    for entry in payload.get("catalogue", {}).get("elements", []):
        element = kept.get(entry.get("code"))
        if element and (
            element.value_type != entry.get("value_type")
            or element.category_combo.code != entry.get("combo", DEFAULT)
        ):
            plan.warnings.append(
                _(
                    "Chỉ tiêu %(code)s đã có trên hệ thống với kiểu giá trị hoặc phân tổ khác "
                    "trong tệp: giữ nguyên định nghĩa hiện có."
                )
                % {"code": element.code}
            )
    return plan


def import_payload(*, payload: dict, actor, apply: bool, request=None) -> ImportPlan:
    """Import the forms of a payload as new drafts (a code that exists gets its next version).

    With apply=False everything is created, listed and rolled back: the list is exactly what
    applying would create.
    """
    check_shape(payload)
    payload = copy.deepcopy(payload)
    for entry in payload["forms"]:
        # Imported forms are checked and published here, never taken as published.
        entry["status"] = FormStatus.DRAFT
    before = _existing_codes()
    try:
        with transaction.atomic():
            forms = import_forms(payload)
            problems = _check_created(forms, before)
            if problems:
                raise ValidationError(problems)
            plan = _plan(forms, before, payload)
            if apply:
                _audit_import(forms, before, actor, request)
                plan.created = forms
            else:
                transaction.set_rollback(True)
    except DatabaseError as error:
        raise ValidationError(
            _("Tệp có giá trị không lưu được (quá dài hoặc sai kiểu); chưa có gì được tạo.")
        ) from error
    except (LookupError, TypeError, ValueError, AttributeError, ObjectDoesNotExist) as error:
        raise ValidationError(
            _("Tệp biểu mẫu không đúng cấu trúc (%(e)s); chưa có gì được tạo.") % {"e": error}
        ) from error
    return plan


def _audit_import(forms, before, actor, request) -> None:
    for model, key in ((Category, "categories"), (CategoryCombo, "combos")):
        for obj in model.objects.exclude(code__in=before[key]):
            record_event(actor=actor, action=Action.CREATE, obj=obj, request=request)
    for element in DataElement.objects.exclude(code__in=before["elements"]):
        record_event(actor=actor, action=Action.CREATE, obj=element, request=request)
    for form in forms:
        _audit(actor, form, request, Action.CREATE, imported=[None, str(form)])
