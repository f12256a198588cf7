"""ADX (IHE QRPH, `urn:ihe:qrph:adx:2015`): the same values as the dataValueSets exchange, as XML
whose disaggregations are attributes named by category code (`SEX="FEMALE"`), so a sender needs no
internal option-combo codes.

Mapping (what binhdang writes and reads):

- `<group orgUnit= dataSet= period=>` holds one unit's values for one round: `orgUnit` = unit
  code, `dataSet` = the round's form code (or their UIDs or names, and `dataElement` likewise,
  in DHIS2's id schemes: reports.exchange.records.IdSchemes; the exploded categories are always
  codes), `period` = an ISO 8601 interval for the round's DHIS2
  period (2025S1 → `2025-01-01/P6M`, 2025 → `2025-01-01/P1Y`, 2025Q2 → `2025-04-01/P3M`, 202506 →
  `2025-06-01/P1M`; any other period → the round's data window `start/end`).
- On import the round is the one the caller sees whose form is `dataSet` and whose period (as an
  interval) is `period`; a round code or a DHIS2 period code is accepted in `period` too, for the
  rare round that shares its form and period with another (otherwise the import asks for it).
- `<dataValue dataElement= value= CATEGORY="OPTION"…>`: one attribute per category of the
  element's category combo; none for the `default` combo. On import a `categoryOptionCombo`
  attribute (an option combo, in categoryOptionComboIdScheme) may name the disaggregation
  instead, and is then used in preference to exploded categories (as DHIS2 does).
- `value` is an `xs:decimal` in the ADX schema: numbers as stored, booleans as 1/0 (read back
  as true/false), and a text element's value, as DHIS2 writes it, as `value="0"` with the text in
  `<annotation>`. Otherwise the comment travels in `<annotation>` (for a text element in a
  `comment` attribute). A "no data" cell (an empty value with its reason) cannot be an
  `xs:decimal`: ADX leaves it out; JSON, CSV and DXF2 XML carry it.
- `completeDate` on a group, as in JSON and DXF2 XML: the importer submits the reports of the
  group's values when the caller may (else one conflict says why; the values still import); a
  group without values names no report: one conflict (object `completeDate`, no indexes).
- `attributeOptionCombo` on a group: only `default` exists here (any other code is a conflict
  naming it); any other group attribute would be an exploded attribute category, which binhdang
  does not have: a conflict on the group's values.

Parsing is done with defusedxml and DTDs are forbidden outright: entity expansion (billion
laughs), external entities and external DTDs are refused as an unreadable payload.
"""

import datetime
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _

from indicators.models import DEFAULT, CategoryOptionCombo, DataElement, ValueType

from ..models import Round
from .dhis2_json import COMPLETE_DATE_MESSAGE
from .records import CODES, BadPayload, IdSchemes, Record, conflict, find

NS = "urn:ihe:qrph:adx:2015"
MIME = "application/adx+xml"
GROUP_KEYS = {"orgUnit", "period", "dataSet", "completeDate", "comment", "attributeOptionCombo"}
VALUE_KEYS = {"dataElement", "value", "categoryOptionCombo", "comment"}
# XML 1.0 cannot carry these characters at all.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class AdxValues(list):
    """The dataValues of an ADX document, and the groups without values that carry a
    `completeDate` (by their position, from 1)."""

    def __init__(self, values=(), *, completed_groups: list[int] | None = None):
        super().__init__(values)
        self.completed_groups = completed_groups or []


class AdxError(BadPayload):
    """The payload cannot be read at all (not XML, hostile XML, not ADX)."""


@dataclass
class AdxValue:
    index: int
    where: str
    data_set: str
    period: str
    org_unit: str
    data_element: str
    value: str
    comment: str = ""
    complete_date: str = ""  # the group's completeDate
    disaggregation: dict = field(default_factory=dict)  # category code → option code
    option_combo: str = ""  # a categoryOptionCombo attribute, used in preference
    attribute_combo: str = ""  # the group's attributeOptionCombo
    annotation: str = ""
    group_attributes: dict = field(default_factory=dict)  # any non-standard group attribute


def iso_period(period: str, start: datetime.date | None = None, end=None) -> str:
    """A DHIS2 period code as an ISO 8601 interval (start/duration)."""
    if match := re.fullmatch(r"(\d{4})", period):
        return f"{match[1]}-01-01/P1Y"
    if match := re.fullmatch(r"(\d{4})S([12])", period):
        return f"{match[1]}-{'01' if match[2] == '1' else '07'}-01/P6M"
    if match := re.fullmatch(r"(\d{4})Q([1-4])", period):
        return f"{match[1]}-{(int(match[2]) - 1) * 3 + 1:02d}-01/P3M"
    if match := re.fullmatch(r"(\d{4})(0[1-9]|1[0-2])", period):
        return f"{match[1]}-{match[2]}-01/P1M"
    if start and end:  # any other window: its first day and its length in days
        return f"{start.isoformat()}/P{(end - start).days + 1}D"
    return period


def round_period(round_) -> str:
    return iso_period(round_.period, round_.window_start, round_.window_end)


def _xml_text(text: str) -> str:
    return XML_ILLEGAL.sub("", text)


def export_adx(
    values, *, exported: datetime.datetime | None = None, schemes: IdSchemes = CODES
) -> bytes:
    """DataValues (select_related submission__round__form, submission__unit, data_element,
    option_combo; options prefetched or not) as an ADX document, one group per round × unit in
    the order given, `orgUnit`, `dataSet` and `dataElement` in their output id schemes (the
    exploded categories by code). Cleared cells are the caller's to leave out, as the JSON
    export does; "no data" cells (no decimal to write) are left out here."""
    root = ElementTree.Element("adx", {"xmlns": NS})
    if exported is not None:
        root.set("exported", exported.isoformat(timespec="seconds"))
    groups: dict[tuple[int, int], ElementTree.Element] = {}
    options_of: dict[int, dict] = {}
    for value in values:
        if value.no_data:
            continue
        submission = value.submission
        key = (submission.round_id, submission.unit_id)
        group = groups.get(key)
        if group is None:
            round_ = submission.round
            group = groups[key] = ElementTree.SubElement(
                root,
                "group",
                {
                    "orgUnit": schemes.identifier(submission.unit, "org_unit"),
                    "period": round_period(round_),
                    "dataSet": schemes.identifier(round_.form, "data_set"),
                },
            )
        if value.option_combo_id not in options_of:
            options_of[value.option_combo_id] = {
                option.category.code: option.code
                for option in value.option_combo.options.select_related("category")
            }
        kind = value.data_element.value_type
        attributes = {
            "dataElement": schemes.identifier(value.data_element, "data_element"),
            **options_of[value.option_combo_id],
        }
        annotation = value.comment
        if kind == ValueType.TEXT:
            attributes["value"], annotation = "0", value.value
            if value.comment:
                attributes["comment"] = _xml_text(value.comment)
        elif kind == ValueType.BOOLEAN:
            attributes["value"] = "1" if value.value == "true" else "0"
        else:
            attributes["value"] = value.value
        element = ElementTree.SubElement(group, "dataValue", attributes)
        if annotation:
            ElementTree.SubElement(element, "annotation").text = _xml_text(annotation)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def local_name(tag) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def safe_root(body: bytes) -> ElementTree.Element:
    """The root of an XML payload parsed with defusedxml, DTDs and entities forbidden; raises
    BadPayload when the payload is hostile or not XML."""
    try:
        return fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise BadPayload(
            _("Tệp XML có khai báo DTD hoặc thực thể (entity): không được phép, không đọc.")
        ) from None
    except (ElementTree.ParseError, ValueError):
        raise BadPayload(_("Nội dung gửi lên không phải XML hợp lệ.")) from None


def parse_adx(body: bytes) -> AdxValues:
    """Every dataValue with its group's keys; raises AdxError when the payload is unreadable."""
    try:
        root = safe_root(body)
    except BadPayload as error:
        raise AdxError(str(error)) from None
    if local_name(root.tag) != "adx" or root.tag not in ("adx", f"{{{NS}}}adx"):
        message = _("Không phải tài liệu ADX (phần tử gốc <adx xmlns=“%(ns)s”>).")
        raise AdxError(message % {"ns": NS})
    values, index, completed = [], 0, []
    groups = [group for group in root if local_name(group.tag) == "group"]
    for number, group in enumerate(groups, start=1):
        shared = dict(group.attrib)
        if shared.get("completeDate", "").strip() and not any(
            local_name(item.tag) == "dataValue" for item in group
        ):
            completed.append(number)
        for item in group:
            if local_name(item.tag) != "dataValue":
                continue
            attributes = dict(item.attrib)
            note = next((c for c in item if local_name(c.tag) == "annotation"), None)
            annotation = "".join(note.itertext()) if note is not None else ""
            values.append(
                AdxValue(
                    index=index,
                    where=_("Giá trị số %(n)s") % {"n": index + 1},
                    data_set=shared.get("dataSet", "").strip(),
                    period=shared.get("period", "").strip(),
                    org_unit=shared.get("orgUnit", "").strip(),
                    data_element=attributes.get("dataElement", "").strip(),
                    value=attributes.get("value", ""),
                    comment=attributes.get("comment", ""),
                    annotation=annotation,
                    option_combo=attributes.get("categoryOptionCombo", "").strip(),
                    attribute_combo=shared.get("attributeOptionCombo", "").strip(),
                    complete_date=shared.get("completeDate", "").strip(),
                    disaggregation={
                        k.strip(): v.strip()
                        for k, v in attributes.items()
                        if k not in VALUE_KEYS and not k.startswith("{")
                    },
                    group_attributes={
                        k: v
                        for k, v in shared.items()
                        if k not in GROUP_KEYS and not k.startswith("{")
                    },
                )
            )
            index += 1
    return AdxValues(values, completed_groups=completed)


def to_records(
    values: list[AdxValue], *, user, schemes: IdSchemes = CODES
) -> tuple[list[Record], list[dict]]:
    """The dataValueSets import's Records (period = round code; exploded categories = the option
    combo they name, `Record.combo_uid`) and the values that cannot be mapped, as import
    conflicts. `dataSet` and `dataElement` are read in their id schemes; the importer reads
    the rest."""
    rounds = list(Round.objects.for_user(user).select_related("form"))
    found, _shared = find(
        DataElement.objects.for_user(user),
        schemes.of_kind("data_element"),
        {v.data_element for v in values},
    )
    elements = {key: (e.category_combo_id, e.value_type) for key, e in found.items()}
    combos = {}
    for combo in CategoryOptionCombo.objects.for_user(user).prefetch_related("options__category"):
        key = frozenset((o.category.code, o.code) for o in combo.options.all())
        combos[(combo.combo_id, key)] = combo
    records: list[Record] = []
    conflicts = [
        conflict("completeDate", _("Nhóm số %(n)s") % {"n": n}, str(COMPLETE_DATE_MESSAGE), [])
        for n in getattr(values, "completed_groups", [])
    ]
    for value in values:
        problems: list[str] = []
        period = _round_code(value, rounds, problems, schemes)
        category_combo, kind = elements.get(value.data_element, (None, ""))
        option_combo, combo_uid = value.option_combo, ""
        if not option_combo:
            exploded = _exploded(value, category_combo, combos, problems)
            if exploded is not None:
                option_combo = schemes.identifier(exploded, "option_combo")
                combo_uid = exploded.uid
        problems += _group_problems(value)
        if problems:
            conflicts += [
                conflict(value.data_element, value.where, m, [value.index]) for m in problems
            ]
            continue
        raw, comment = value.value, value.comment or value.annotation
        if kind == ValueType.TEXT:  # DHIS2's ADX: the text in <annotation>, value="0"
            raw, comment = value.annotation or value.value, value.comment
        records.append(
            Record(
                index=value.index,
                where=value.where,
                data_element=value.data_element,
                period=period,
                org_unit=value.org_unit,
                option_combo=option_combo,
                attribute_combo=value.attribute_combo,
                value=raw,
                comment=comment,
                complete_date=value.complete_date,
                combo_uid=combo_uid,
            )
        )
    return records, conflicts


def _exploded(
    value: AdxValue, category_combo, combos: dict, problems: list[str]
) -> CategoryOptionCombo | None:
    """The option combo that the value's category attributes name (None for an unknown element
    without them: the import names the element)."""
    key = frozenset(value.disaggregation.items())
    option_combo = combos.get((category_combo, key))
    if category_combo is not None and option_combo is None:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(key)) or _("(không phân tổ)")
        problems.append(
            _("phân tổ %(d)s không dùng cho chỉ tiêu “%(e)s”.")
            % {"d": shown, "e": value.data_element}
        )
    return option_combo


def _group_problems(value: AdxValue) -> list[str]:
    """Exploded attribute categories on the group: binhdang has none (attributeOptionCombo is
    always `default`)."""
    if not value.group_attributes:
        return []
    shown = ", ".join(f"{k}={v}" for k, v in sorted(value.group_attributes.items()))
    return [
        _(
            "nhóm (group) có thuộc tính %(a)s: binhdang không có phân tổ thuộc tính; chỉ nhận "
            "attributeOptionCombo=“%(d)s” hoặc không ghi."
        )
        % {"a": shown, "d": DEFAULT}
    ]


def _round_code(value: AdxValue, rounds, problems: list[str], schemes: IdSchemes) -> str:
    """The round a group names: by form (`dataSet` in its id scheme) and period interval, else
    by round or DHIS2 code."""
    period = value.period
    prop = schemes.of_kind("data_set")
    of_form = (
        [r for r in rounds if getattr(r.form, prop) == value.data_set] if value.data_set else rounds
    )
    matches = [r for r in of_form if period in (round_period(r), r.code)]
    if len(matches) != 1:
        matches = [r for r in of_form if r.period == period] or matches
    if len(matches) == 1:
        return matches[0].code
    if len(matches) > 1:
        codes = ", ".join(sorted(r.code for r in matches))
        problems.append(
            _("kỳ “%(p)s” của biểu mẫu “%(f)s” ứng với nhiều đợt (%(r)s): ghi mã đợt vào period.")
            % {"p": period, "f": value.data_set, "r": codes}
        )
        return ""
    if value.data_set and period in {round_period(r) for r in rounds} | {r.code for r in rounds}:
        problems.append(
            _("không có đợt báo cáo kỳ “%(p)s” dùng biểu mẫu “%(f)s”.")
            % {"p": period, "f": value.data_set}
        )
        return ""
    return period  # unknown: the import names it ("không có đợt báo cáo (kỳ) mã …")
