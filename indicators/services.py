"""Writes to the catalogue that touch audit: the strategy loader and audited form saves."""

import csv

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import diff, record_event, save_audited, snapshot

from .exchange import ELEMENTS, INDICATORS, TARGETS, Table, import_catalogue, row_of
from .models import (
    Category,
    CategoryCombo,
    CategoryOption,
    ComputedIndicator,
    DataElement,
    Direction,
    Target,
    ValidationRule,
    ValueBound,
    ValueType,
    parse_number,
)
from .targets import DIRECTION_OVERRIDES, parse_target_value

DATA = settings.BASE_DIR / "indicators" / "data"
STRATEGY_YEARS = ("2025", "2030")
# The reference file's units are in English; users read Vietnamese.
UNITS_VI = {
    "% of agencies/local governments": "% cơ quan, chính quyền địa phương",
    "%": "%",
    "% of employed women": "% lao động nữ có việc làm",
    "ratio women/men (times)": "lần (nữ so với nam)",
    "% of detected victims": "% người bị bạo lực được phát hiện",
    "% of detected perpetrators": "% người gây bạo lực được phát hiện",
    "% of public social assistance facilities": "% cơ sở trợ giúp xã hội công lập",
    "boys per 100 girls (live births)": "bé trai/100 bé gái",
    "per 100,000 live births": "/100.000 trẻ sinh sống",
    "births per 1,000 women (adolescents)": "ca sinh/1.000 phụ nữ 15–19 tuổi",
    "% of provinces": "% tỉnh, thành phố",
    "milestone (yes/no)": "mốc (có/không)",
    "% completing primary": "% học sinh hoàn thành tiểu học",
    "% of population": "% dân số",
}
# Directions: DIRECTION_OVERRIDES (indicators/targets.py) for the sex ratio at birth, a ceiling
# whatever the wording; a bare number on any other row reads as "at least" unless the row's text
# says the figure must fall ("giảm").
# The four indicators of the statistics office's metadata file: catalogue rows with their
# national metadata. Their 4-digit Circular 10 codes are not in the file, so none is invented.
NATIONAL_CODES = {
    "Tỷ lệ nữ tham gia cấp ủy đảng": ("TK_NU_CAPUY", ValueType.PERCENTAGE, "%"),
    "Tỷ lệ nữ đại biểu Hội đồng nhân dân": ("TK_NU_DBHDND", ValueType.PERCENTAGE, "%"),
    "Tỷ lệ cơ quan quản lý nhà nước, chính quyền địa phương các cấp có lãnh đạo chủ chốt là nữ": (
        "TK_CQ_LDNU",
        ValueType.PERCENTAGE,
        "%",
    ),
    "Tỷ số giới tính khi sinh": ("TK_SRB", ValueType.NUMBER, "bé trai/100 bé gái"),
}


def _read(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _before_bracket(text: str) -> str:
    """ "Năm (annual)" → "Năm"; "Bộ Nội vụ (text truncated…)" → "Bộ Nội vụ"."""
    return text.split(" (")[0].strip()


def strategy_target_rows() -> list[dict]:
    """The strategy file as target rows of the exchange format, one per target and year."""
    indicators = {row["code"] for row in _read("strategy_indicators.csv")}
    rows = []
    for entry in _read("strategy_2021_2030_targets.csv"):
        code = entry["target_code"]
        falls = "giảm" in entry["description_vi"].lower()
        default = DIRECTION_OVERRIDES.get(code, Direction.AT_MOST if falls else Direction.AT_LEAST)
        for year in STRATEGY_YEARS:
            text = entry[f"target_{year}"].strip()
            _value, direction = parse_target_value(text, default)
            # "masters >=50; doctors 30": the doctors' half is a target of its own indicator.
            for part in text.split(";")[1:]:
                if part.strip().startswith("doctors") and f"{code}-TS" in indicators:
                    rows.append(
                        {
                            "code": f"{code}-TS",
                            "objective": entry["objective_no"],
                            "year": year,
                            "description": entry["description_vi"],
                            "value_text": part.strip().removeprefix("doctors").strip(),
                            "direction": Direction.AT_LEAST,
                            "unit": UNITS_VI.get(entry["unit"], entry["unit"]),
                            "indicator": f"{code}-TS",
                            "source": entry["source"],
                            "verification": entry["verification"],
                        }
                    )
            rows.append(
                {
                    "code": code,
                    "objective": entry["objective_no"],
                    "year": year,
                    "description": entry["description_vi"],
                    "value_text": text,
                    "direction": direction,
                    "unit": UNITS_VI.get(entry["unit"], entry["unit"]),
                    "indicator": code if code in indicators else "",
                    "source": entry["source"],
                    "verification": entry["verification"],
                }
            )
    return rows


def national_element_rows() -> list[dict]:
    rows = []
    for entry in _read("gender_indicator_metadata.csv"):
        code, value_type, unit = NATIONAL_CODES[entry["name_vi"]]
        rows.append(
            {
                "code": code,
                "group": entry["system"].split(" (")[0],
                "name": entry["name_vi"],
                "value_type": value_type,
                "unit": unit,
                "combo": "default",
                "disaggregation": entry["disaggregation"],
                "periodicity": _before_bracket(entry["periodicity"]),
                "agency": _before_bracket(entry["source_agency"]),
                "description": _(
                    "Nguồn số liệu: %(source)s. Kiểm chứng: %(check)s. Siêu dữ liệu: %(url)s"
                )
                % {
                    "source": entry["data_source"],
                    "check": entry["verification"],
                    "url": entry["source_url"],
                },
            }
        )
    return rows


def load_catalogue(*, refresh: bool = False) -> str:
    """The strategy 2021–2030 targets, the computed indicators the 2025 forms can measure and
    the national indicators we know (idempotent). Existing rows are kept as the coordinator
    edited them unless `refresh`. Needs the 2025 forms' elements (load_reporting) first."""
    tables = [
        Table(ELEMENTS, "gender_indicator_metadata.csv", _numbered(national_element_rows())),
        Table(INDICATORS, "strategy_indicators.csv", _numbered(_read("strategy_indicators.csv"))),
        Table(TARGETS, "strategy_2021_2030_targets.csv", _numbered(strategy_target_rows())),
    ]
    if not refresh:
        elements = set(DataElement.objects.values_list("code", flat=True))
        indicators = set(ComputedIndicator.objects.values_list("code", flat=True))
        targets = set(Target.objects.values_list("code", "year"))
        existing = {
            ELEMENTS: lambda row: row["code"] in elements,
            INDICATORS: lambda row: row["code"] in indicators,
            TARGETS: lambda row: (row["code"], int(row["year"])) in targets,
        }
        for table in tables:
            table.rows = [(n, row) for n, row in table.rows if not existing[table.kind](row)]
    report = import_catalogue(tables=tables, actor=None, apply=True)
    if report.problems:
        raise ValidationError(
            [f"{p.table}, dòng {p.row}, cột {p.column}: {p.message}" for p in report.problems]
        )
    _seed_plausible_ranges(_read("strategy_indicators.csv"))
    return _(
        "Danh mục: %(e)s chỉ tiêu quốc gia, %(i)s chỉ tiêu tính toán, "
        "%(t)s mục tiêu mới hoặc cập nhật"
    ) % {
        "e": report.created[ELEMENTS] + report.updated[ELEMENTS],
        "i": report.created[INDICATORS] + report.updated[INDICATORS],
        "t": report.created[TARGETS] + report.updated[TARGETS],
    }


@transaction.atomic
def _seed_plausible_ranges(rows: list[dict]) -> None:
    """Give indicators loaded before plausible ranges existed the reference range (an indicator
    with a range, set by the coordinator or earlier, keeps it)."""
    ranges = {
        row["code"]: (parse_number(row["plausible_min"]), parse_number(row["plausible_max"]))
        for row in rows
        if row.get("plausible_min") or row.get("plausible_max")
    }
    for indicator in ComputedIndicator.objects.filter(
        code__in=ranges, plausible_min__isnull=True, plausible_max__isnull=True
    ):
        indicator.plausible_min, indicator.plausible_max = ranges[indicator.code]
        indicator.save(update_fields=["plausible_min", "plausible_max"])
        record_event(
            actor=None,
            action=Action.UPDATE,
            obj=indicator,
            changes={
                "plausible_min": [None, str(indicator.plausible_min)],
                "plausible_max": [None, str(indicator.plausible_max)],
            },
        )


def _numbered(rows: list[dict]) -> list[tuple[int, dict]]:
    return list(enumerate(rows, start=2))


def save_catalogue_form(*, form, actor, request=None):
    """Save an indicator or target form, auditing old → new in its exchange columns."""
    return save_audited(actor=actor, form=form, describe=row_of, request=request)


def save_element(*, form, actor, request=None) -> DataElement:
    return save_audited(actor=actor, form=form, fields=list(form._meta.fields), request=request)


@transaction.atomic
def create_category(*, form, actor, request=None) -> Category:
    """A category with its options: one write, one audit event."""
    category = form.save()
    CategoryOption.objects.bulk_create(
        CategoryOption(category=category, code=code, name=name, sort_order=order)
        for order, (code, name) in enumerate(form.cleaned_data["options"])
    )
    changes = diff({}, snapshot(category, ["code", "name"]))
    changes["option_names"] = [None, [name for _code, name in form.cleaned_data["options"]]]
    record_event(actor=actor, action=Action.CREATE, obj=category, changes=changes, request=request)
    return category


@transaction.atomic
def create_combo(*, form, actor, request=None) -> CategoryCombo:
    """A combo and its generated option combos."""
    combo = save_audited(
        actor=actor, form=form, fields=["code", "name", "categories"], request=request
    )
    combo.generate_option_combos()
    return combo


RULE_FIELDS = [
    "code",
    "name",
    "left",
    "operator",
    "right",
    "message",
    "importance",
    "on_submit",
    "missing",
    "active",
]
BOUND_FIELDS = ["data_element", "option_combo", "minimum", "maximum", "note"]


def save_rule(*, form, actor, request=None) -> ValidationRule:
    """Create or change a validation rule (a rule is switched off, never deleted: reports were
    checked against it)."""
    return save_audited(actor=actor, form=form, fields=RULE_FIELDS, request=request)


def save_bound(*, form, actor, request=None) -> ValueBound:
    return save_audited(actor=actor, form=form, fields=BOUND_FIELDS, request=request)


@transaction.atomic
def delete_bound(*, bound: ValueBound, actor, request=None) -> None:
    """Remove a bound; the event keeps what it was (every field old → None)."""
    changes = diff(snapshot(bound, BOUND_FIELDS), {})
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=bound,
        changes=changes,
        request=request,
        label=_("Xóa giới hạn %(bound)s") % {"bound": bound},
    )
    bound.delete()
