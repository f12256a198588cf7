"""A form as JSON, with the catalogue entries it uses, so it can move between systems: the export,
the reading and checking of an uploaded file, and the creation of what it describes (called by
reports' services inside their transaction: builder import, new version, reference load).

The same shape seeds the 2025 reporting (reports/data/reporting_2025.json).
"""

import json
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import (
    Category,
    CategoryCombo,
    CategoryOption,
    DataElement,
    ValueType,
)

from ..models import Form, FormStatus, Question, Row, Section, SectionKind

# Codes travel in JSON, Excel sheets and DHIS2 exchange: keep them plain.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_.-]+$")
JSON_MAX_BYTES = 2 * 1024 * 1024  # a form of 300 rows is ~100 KB; the confirm step re-posts it


def export_form(form: Form) -> dict:
    sections = list(
        form.sections.prefetch_related("questions", "rows__data_element", "rows__part_of")
    )
    elements = {row.data_element for section in sections for row in section.rows.all()}
    combos = {e.category_combo for e in elements} | {
        s.category_combo for s in sections if s.category_combo is not None
    }
    categories = {c for combo in combos for c in combo.categories.all()}
    return {
        "catalogue": {
            "categories": [
                {
                    "code": c.code,
                    "name": c.name,
                    "options": [{"code": o.code, "name": o.name} for o in c.options.all()],
                }
                for c in sorted(categories, key=lambda c: c.code)
            ],
            "combos": [
                {
                    "code": c.code,
                    "name": c.name,
                    "categories": [x.code for x in c.categories.order_by("code")],
                }
                for c in sorted(combos, key=lambda c: c.code)
            ],
            "elements": [
                {
                    "code": e.code,
                    "name": e.name,
                    "value_type": e.value_type,
                    "combo": e.category_combo.code,
                    "unit_of_measure": e.unit_of_measure,
                    "sensitive": e.sensitive,
                    "description": e.description,
                }
                for e in sorted(elements, key=lambda e: e.code)
            ],
        },
        "forms": [
            {
                "code": form.code,
                "version": form.version,
                "name": form.name,
                "status": form.status,
                "description": form.description,
                "sections": [_export_section(s) for s in sections],
            }
        ],
    }


def _export_section(section: Section) -> dict:
    data: dict[str, object] = {
        "number": section.number,
        "title": section.title,
        "kind": section.kind,
        "guidance": section.guidance,
    }
    if section.kind == SectionKind.NARRATIVE:
        data["questions"] = [
            {"code": q.code, "text": q.text, "required": q.required}
            for q in section.questions.all()
        ]
    else:
        data["combo"] = (
            section.category_combo.code if section.category_combo is not None else "default"
        )
        data["rows"] = [
            {
                "element": r.data_element.code,
                "label": r.label,
                "optional": r.optional,
                "part_of": r.part_of.data_element.code if r.part_of is not None else None,
            }
            for r in section.rows.all()
        ]
    return data


def _create(model, **fields):
    """Create a record only after Django's own field checks (lengths, choices): PostgreSQL would
    refuse an over-long code with a database error, SQLite would store it."""
    obj = model(**fields)
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()
    return obj


def _get_or_create(model, defaults, **lookup):
    obj = model.objects.filter(**lookup).first()
    return (obj, False) if obj else (_create(model, **lookup, **defaults), True)


def load_catalogue(catalogue: dict) -> None:
    """Create the categories, combos and elements a payload names; existing codes are kept."""
    for entry in catalogue.get("categories", []):
        category, _created = _get_or_create(
            Category, code=entry["code"], defaults={"name": entry["name"]}
        )
        for order, option in enumerate(entry.get("options", [])):
            _get_or_create(
                CategoryOption,
                category=category,
                code=option["code"],
                defaults={"name": option["name"], "sort_order": order},
            )
    for entry in catalogue.get("combos", []):
        combo, created = _get_or_create(
            CategoryCombo, code=entry["code"], defaults={"name": entry["name"]}
        )
        if created:
            combo.categories.set(Category.objects.filter(code__in=entry.get("categories", [])))
        combo.generate_option_combos()
    for entry in catalogue.get("elements", []):
        if entry.get("value_type") not in ValueType.values:
            raise ValidationError(
                _("Kiểu giá trị không hợp lệ: %(v)s") % {"v": entry.get("value_type")}
            )
        _get_or_create(
            DataElement,
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "value_type": entry["value_type"],
                "unit_of_measure": entry.get("unit_of_measure", ""),
                "description": entry.get("description", ""),
                "sensitive": entry.get("sensitive", False),
                "category_combo": CategoryCombo.objects.get(code=entry.get("combo", "default")),
            },
        )


@transaction.atomic
def import_forms(payload: dict) -> list[Form]:
    """Create the forms of a payload (all or nothing); a code that exists gets a new version."""
    try:
        load_catalogue(payload.get("catalogue", {}))
        return [_import_form(entry) for entry in payload.get("forms", [])]
    except (KeyError, TypeError, CategoryCombo.DoesNotExist, DataElement.DoesNotExist) as error:
        raise ValidationError(
            _("Tệp biểu mẫu không đúng cấu trúc: %(e)s") % {"e": error}
        ) from error


def _import_form(entry: dict) -> Form:
    latest = Form.objects.filter(code=entry["code"]).order_by("-version").first()
    form = _create(
        Form,
        code=entry["code"],
        version=(latest.version + 1) if latest else entry.get("version", 1),
        name=entry["name"],
        description=entry.get("description", ""),
        status=entry.get("status", FormStatus.DRAFT),
        based_on=latest,
    )
    for order, data in enumerate(entry["sections"]):
        section = _create(
            Section,
            form=form,
            order=order,
            number=data.get("number", ""),
            title=data["title"],
            kind=data["kind"],
            guidance=data.get("guidance", ""),
            category_combo=CategoryCombo.objects.get(code=data["combo"])
            if data.get("combo")
            else None,
        )
        for position, question in enumerate(data.get("questions", [])):
            _create(
                Question,
                section=section,
                order=position,
                code=question["code"],
                text=question["text"],
                required=question.get("required", False),
            )
        rows = {}
        for position, row in enumerate(data.get("rows", [])):
            rows[row["element"]] = _create(
                Row,
                section=section,
                order=position,
                data_element=DataElement.objects.get(code=row["element"]),
                label=row.get("label", ""),
                # Every cell is required unless the row is optional ("required" of older files
                # is what every row now is).
                optional=bool(row.get("optional", False)),
            )
        for row in data.get("rows", []):
            if row.get("part_of"):
                rows[row["element"]].part_of = rows[row["part_of"]]
                rows[row["element"]].save(update_fields=["part_of"])
    return form


# Reading an uploaded file: every problem named before anything is created -----------------------


def read_payload(data: bytes) -> dict:
    """The parsed JSON of an uploaded file, or a ValidationError a coordinator can act on."""
    if len(data) > JSON_MAX_BYTES:
        raise ValidationError(
            _("Tệp quá lớn (tối đa %(mb)s MB): tệp biểu mẫu JSON thường chỉ vài chục KB.")
            % {"mb": JSON_MAX_BYTES // (1024 * 1024)}
        )
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("Tệp không phải văn bản UTF-8: hãy chọn tệp JSON xuất từ binhdang.")
        ) from error
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("Tệp không phải JSON hợp lệ (lỗi ở dòng %(line)s, cột %(col)s).")
            % {"line": error.lineno, "col": error.colno}
        ) from error
    except (ValueError, RecursionError) as error:
        raise ValidationError(_("Tệp không phải JSON hợp lệ.")) from error
    check_shape(payload)
    return payload


def _is_list_of_dicts(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def check_shape(payload) -> None:
    """The structure import_forms relies on, checked first so every problem has a place."""
    if not isinstance(payload, dict) or not _is_list_of_dicts(payload.get("forms")):
        raise ValidationError(
            _("Tệp không chứa biểu mẫu nào: cần khóa “forms” là danh sách các biểu mẫu.")
        )
    if not payload["forms"]:
        raise ValidationError(_("Danh sách “forms” trong tệp đang trống."))
    catalogue = payload.get("catalogue", {})
    parts = ("categories", "combos", "elements")
    if not isinstance(catalogue, dict) or not all(
        _is_list_of_dicts(catalogue.get(key, [])) for key in parts
    ):
        raise ValidationError(
            _("Phần “catalogue” của tệp không đúng cấu trúc (categories, combos, elements).")
        )
    problems = []
    for number, entry in enumerate(payload["forms"], start=1):
        where = _("Biểu mẫu thứ %(n)s") % {"n": number}
        if not all(isinstance(entry.get(key), str) and entry[key] for key in ("code", "name")):
            problems.append(_("%(where)s: thiếu mã (code) hoặc tên (name).") % {"where": where})
        elif not CODE_PATTERN.match(entry["code"]):
            problems.append(
                _("%(where)s: mã “%(code)s” chỉ được gồm chữ không dấu, số và _ . -")
                % {"where": where, "code": entry["code"][:60]}
            )
        if not _is_list_of_dicts(entry.get("sections")):
            problems.append(_("%(where)s: thiếu danh sách phần (sections).") % {"where": where})
            continue
        for position, section in enumerate(entry["sections"], start=1):
            problems += _section_shape(section, f"{where}, " + _("phần %(n)s") % {"n": position})
    if problems:
        raise ValidationError(problems)


def _section_shape(section: dict, where: str) -> list[str]:
    kind = section.get("kind")
    if kind not in SectionKind.values or not section.get("title"):
        return [_("%(where)s: thiếu tiêu đề hoặc loại phần không hợp lệ.") % {"where": where}]
    wrong, needed = (
        ("rows", "questions") if kind == SectionKind.NARRATIVE else ("questions", "rows")
    )
    if section.get(wrong):
        return [
            _("%(where)s: phần đề cương chỉ có câu hỏi, bảng số liệu chỉ có dòng chỉ tiêu.")
            % {"where": where}
        ]
    items = section.get(needed, [])
    key = "code" if needed == "questions" else "element"
    if not _is_list_of_dicts(items) or not all(isinstance(i.get(key), str) for i in items):
        return [_("%(where)s: danh sách câu hỏi hoặc dòng không đúng cấu trúc.") % {"where": where}]
    return []
