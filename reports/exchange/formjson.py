"""A form as JSON, with the catalogue entries it uses, so it can move between systems.

The same shape seeds the 2025 reporting (reports/data/reporting_2025.json).
"""

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


def export_form(form: Form) -> dict:
    sections = list(
        form.sections.prefetch_related("questions", "rows__data_element", "rows__part_of")
    )
    elements = {row.data_element for section in sections for row in section.rows.all()}
    combos = {e.category_combo for e in elements} | {
        s.category_combo for s in sections if s.category_combo_id
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
    data = {
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
        data["combo"] = section.category_combo.code if section.category_combo_id else "default"
        data["rows"] = [
            {
                "element": r.data_element.code,
                "label": r.label,
                "required": r.required,
                "part_of": r.part_of.data_element.code if r.part_of_id else None,
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
                required=row.get("required", False),
            )
        for row in data.get("rows", []):
            if row.get("part_of"):
                rows[row["element"]].part_of = rows[row["part_of"]]
                rows[row["element"]].save(update_fields=["part_of"])
    return form
