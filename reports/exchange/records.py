"""One value as a sender gives it, and what it names.

Identifiers are codes (DHIS2's idScheme=CODE): dataElement = DataElement.code,
categoryOptionCombo = CategoryOptionCombo.code, orgUnit = Unit.code. `period` is the ROUND code
(BDG-2025S1) or a DHIS2 ISO period (Round.period). On export an ISO period must name exactly one
round the caller can see (resolve_rounds).

An ISO period (2025, 2025S1…) names the round of that period whose form is the payload's
`dataSet`, or else the one whose form holds the value's data element; a period that names no
such round, or several, is a conflict on the value (DHIS2 E7611).

A problem with a value is a DHIS2 import conflict, shaped as DHIS2 2.38+ writes it
(dhis2-core ImportConflict: object, objects, value, errorCode, property, indexes): `value`
carries where the value is and the Vietnamese message, `errorCode` DHIS2's code
(dhis2-core dhis-api feedback/ErrorCode.java, "Data import validation" E76xx) where one fits and
null for binhdang's own checks (DHIS2 itself leaves it null for conflicts without a code).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import DEFAULT, CategoryOptionCombo, DataElement
from orgs.models import Unit

from ..models import Round, Row, Submission


class BadPayload(Exception):
    """The payload cannot be read at all; the message says why, in Vietnamese."""


@dataclass
class Record:
    index: int  # position among the payload's values, 0-based (DHIS2's conflict "indexes")
    where: str  # how a person finds it: "Giá trị số 3" (JSON) or "Dòng 4" (CSV)
    data_element: str
    period: str
    org_unit: str
    option_combo: str
    attribute_combo: str
    value: str
    comment: str
    last_updated: str = ""  # when the sender's copy was last changed (exports carry it)
    complete_date: str = ""  # the set's (ADX: the group's) completeDate: submit the report


# DHIS2's error codes used here (dhis2-core ErrorCode.java, data import validation):
E_DATA_ELEMENT = "E7610"  # Data element not found or not accessible
E_PERIOD = "E7611"  # Period not valid
E_ORG_UNIT = "E7612"  # Organisation unit not found or not accessible
E_COMBO = "E7613"  # Category option combo not found or not accessible for writing data
E_ATTRIBUTE_COMBO = "E7615"  # Attribute option combo not found or not accessible
E_OUT_OF_HIERARCHY = "E7617"  # Organisation unit not in hierarchy of current user
E_VALUE = "E7619"  # Value must match data element's type constraints
E_COMBO_REQUIRED = "E7630"  # Category option combo is required but is not specified
E_ATTRIBUTE_REQUIRED = "E7631"  # Attribute option combo is required but is not specified
E_NOT_IN_DATA_SET = "E7633"  # Data element is not part of dataset
E_COMBO_OF_ELEMENT = "E7634"  # Category option combo must be part of the element's combo
E_NOT_ASSIGNED = "E7636"  # Data element must be assigned through data sets to org unit
E_NOT_OPEN = "E7643"  # Period is not open for this data set at this time (locks, submitted)

PROPERTY = {  # the value field a conflict code is about (DHIS2's conflict `property`)
    E_DATA_ELEMENT: "dataElement",
    E_PERIOD: "period",
    E_ORG_UNIT: "orgUnit",
    E_COMBO: "categoryOptionCombo",
    E_ATTRIBUTE_COMBO: "attributeOptionCombo",
    E_OUT_OF_HIERARCHY: "orgUnit",
    E_VALUE: "value",
    E_COMBO_REQUIRED: "categoryOptionCombo",
    E_ATTRIBUTE_REQUIRED: "attributeOptionCombo",
    E_NOT_IN_DATA_SET: "dataElement",
    E_COMBO_OF_ELEMENT: "categoryOptionCombo",
    E_NOT_ASSIGNED: "orgUnit",
    E_NOT_OPEN: "period",
}


def conflict(
    obj: str,
    where: str,
    message: str,
    indexes: list[int],
    *,
    code: str | None = None,
    prop: str | None = None,
) -> dict:
    """A DHIS2 import conflict: {object, objects, value, errorCode, property, indexes}."""
    prop = prop or PROPERTY.get(code or "")
    return {
        "object": obj,
        "objects": {prop: obj} if prop and obj else {},
        "value": f"{where}: {message}" if where else message,
        "errorCode": code,
        "property": prop,
        "indexes": indexes,
    }


def timestamp(moment: datetime.datetime) -> str:
    """DHIS2's lastUpdated: UTC, milliseconds."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_moment(text: str) -> datetime.datetime | None:
    """An ISO date or date-time (local time when it names no zone), None when unreadable."""
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def resolve_rounds(user, codes: Iterable[str]) -> tuple[dict, dict]:
    """Rounds named by round code, or by a DHIS2 period code naming exactly one round the caller
    sees: ({given code: Round}, {given code: (HTTP status, Vietnamese problem)})."""
    codes = {c for c in codes if c}
    visible = list(
        Round.objects.for_user(user)
        .filter(Q(code__in=codes) | Q(period__in=codes))
        .select_related("form")
    )
    found, problems = {}, {}
    for code in codes:
        exact = [r for r in visible if r.code == code]
        by_period = [r for r in visible if r.period == code]
        if exact:
            found[code] = exact[0]
        elif len(by_period) == 1:
            found[code] = by_period[0]
        elif by_period:
            rounds = ", ".join(sorted(r.code for r in by_period))
            problems[code] = (
                400,
                _("kỳ “%(period)s” ứng với nhiều đợt báo cáo (%(rounds)s): hãy dùng mã đợt.")
                % {"period": code, "rounds": rounds},
            )
        else:
            problems[code] = (404, _("không có đợt báo cáo (kỳ) mã “%(code)s”.") % {"code": code})
    return found, problems


class Lookups:
    """Everything a payload names, fetched in a few queries and scoped to the caller."""

    def __init__(self, user, records: list[Record]):
        def codes(attr: str) -> set[str]:
            return {getattr(r, attr) for r in records} - {""}

        catalogue = DataElement.objects.for_user(user)
        self.elements = catalogue.in_bulk(codes("data_element"), field_name="code")
        self.combos = CategoryOptionCombo.objects.for_user(user).in_bulk(
            codes("option_combo") | {DEFAULT}, field_name="code"
        )
        # Unit codes are public reference data: looked up unscoped to tell "unknown" from "not
        # yours"; only units in the caller's scope can receive values.
        self.units = Unit.objects.in_bulk(codes("org_unit"), field_name="code")
        self.scope = set(
            Unit.objects.for_user(user).filter(code__in=self.units).values_list("pk", flat=True)
        )
        periods = codes("period")
        visible = list(
            Round.objects.for_user(user)
            .filter(Q(code__in=periods) | Q(period__in=periods))
            .select_related("form")
        )
        self.rounds = {r.code: r for r in visible if r.code in periods}
        self.by_period: dict[str, list[Round]] = {}
        for round_ in visible:
            if round_.period in periods:
                self.by_period.setdefault(round_.period, []).append(round_)
        self.submissions = {
            (s.round_id, s.unit_id): s
            for s in Submission.objects.for_user(user)
            .filter(round__in=visible, unit__in=self.scope)
            .select_related("round", "unit")
        }
        # form id → {data element id: its (first) row in the form}
        self.rows: dict[int, dict[int, Row]] = {}
        for form_id in {r.form_id for r in visible}:
            rows = Row.objects.filter(section__form_id=form_id).select_related(
                "data_element", "part_of__data_element"
            )
            by_element = self.rows[form_id] = {}
            for row in rows.order_by("section__order", "section_id", "order", "id"):
                by_element.setdefault(row.data_element_id, row)

    def round_for(self, record: Record, data_set: str) -> tuple[Round | None, str]:
        """The round a value goes to, or None and why (Vietnamese). A round code names its
        round; an ISO period the round of that period whose form is `data_set`, or else whose
        form holds the value's data element."""
        if not record.period:
            return None, _("thiếu kỳ báo cáo (period: kỳ DHIS2 hoặc mã đợt báo cáo).")
        if record.period in self.rounds:
            return self.rounds[record.period], ""
        candidates = self.by_period.get(record.period, [])
        if data_set:
            candidates = [r for r in candidates if r.form.code == data_set]
        element = self.elements.get(record.data_element)
        if len(candidates) > 1 and element is not None:
            candidates = [r for r in candidates if element.pk in self.rows[r.form_id]] or (
                candidates
            )
        if len(candidates) == 1:
            return candidates[0], ""
        if candidates:
            rounds = ", ".join(sorted(r.code for r in candidates))
            return None, _(
                "kỳ “%(period)s” ứng với nhiều đợt báo cáo (%(rounds)s): hãy gửi kèm dataSet "
                "(mã biểu mẫu) hoặc dùng mã đợt."
            ) % {"period": record.period, "rounds": rounds}
        return None, _("không có đợt báo cáo (kỳ) “%(code)s”%(form)s.") % {
            "code": record.period,
            "form": _(" của biểu mẫu “%(f)s”") % {"f": data_set} if data_set else "",
        }


Problem = tuple[str, str, str | None]  # (object, Vietnamese message, DHIS2 error code)


def problems(record: Record, found: Lookups, data_set: str) -> tuple[Round | None, list[Problem]]:
    """The value's round, and everything wrong with its identifiers."""
    found_problems = _catalogue_problems(record, found) + _unit_problems(record, found)
    round_, why = found.round_for(record, data_set)
    if round_ is None:
        return None, [*found_problems, (record.period, why, E_PERIOD)]
    return round_, found_problems + _round_problems(record, found, round_, data_set)


def _catalogue_problems(record: Record, found: Lookups) -> list[Problem]:
    """The data element, its option combo and the attribute option combo."""
    problems: list[Problem] = []
    element = found.elements.get(record.data_element)
    combo = found.combos.get(record.option_combo or DEFAULT)
    if element is None:
        message = _("không có chỉ tiêu mã “%(c)s”.") % {"c": record.data_element}
        problems.append((record.data_element, message, E_DATA_ELEMENT))
    if combo is None:
        message = _("không có phương án phân tổ mã “%(c)s”.") % {"c": record.option_combo}
        problems.append((record.option_combo, message, E_COMBO))
    elif element is not None and combo.combo_id != element.category_combo_id:
        message = _("phương án phân tổ “%(c)s” không dùng cho chỉ tiêu “%(e)s”.") % {
            "c": combo.code,
            "e": element.code,
        }
        problems.append((combo.code, message, E_COMBO_OF_ELEMENT))
    if record.attribute_combo not in ("", DEFAULT):
        message = _("attributeOptionCombo chỉ nhận “%(d)s” (không phân tổ thuộc tính).") % {
            "d": DEFAULT
        }
        problems.append((record.attribute_combo, message, E_ATTRIBUTE_COMBO))
    return problems


def _unit_problems(record: Record, found: Lookups) -> list[Problem]:
    unit = found.units.get(record.org_unit)
    if unit is None:
        message = _("không có đơn vị mã “%(c)s”.") % {"c": record.org_unit}
        return [(record.org_unit, message, E_ORG_UNIT)]
    if unit.pk not in found.scope:
        message = _("đơn vị “%(c)s” ngoài phạm vi được phép của bạn.") % {"c": unit.code}
        return [(unit.code, message, E_OUT_OF_HIERARCHY)]
    return []


def _round_problems(record: Record, found: Lookups, round_: Round, data_set: str) -> list[Problem]:
    """The round's form (the payload's dataSet, the element's row) and the unit's assignment."""
    problems: list[Problem] = []
    element = found.elements.get(record.data_element)
    unit = found.units.get(record.org_unit)
    if data_set and round_.form.code != data_set:
        message = _("đợt “%(r)s” không dùng biểu mẫu “%(f)s”.") % {"r": round_.code, "f": data_set}
        problems.append((round_.code, message, E_PERIOD))
    if element is not None and element.pk not in found.rows[round_.form_id]:
        message = _("chỉ tiêu “%(e)s” không có trong biểu mẫu của đợt “%(r)s”.") % {
            "e": element.code,
            "r": round_.code,
        }
        problems.append((element.code, message, E_NOT_IN_DATA_SET))
    if (
        unit is not None
        and unit.pk in found.scope
        and (round_.pk, unit.pk) not in found.submissions
    ):
        message = _("đơn vị “%(u)s” không được giao báo cáo trong đợt “%(r)s”.") % {
            "u": unit.code,
            "r": round_.code,
        }
        problems.append((unit.code, message, E_NOT_ASSIGNED))
    return problems
