"""One value as a sender gives it, and what it names.

Identifiers are codes (DHIS2's idScheme=CODE): dataElement = DataElement.code,
categoryOptionCombo = CategoryOptionCombo.code, orgUnit = Unit.code. `period` is the ROUND code
(BDG-2025S1); a DHIS2 period code (Round.period) is accepted as an alias where it names exactly
one round the caller can see.

A problem with a value is a DHIS2 import conflict: {object, value (where + Vietnamese message),
indexes (the values' positions in the payload)}.
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


def conflict(obj: str, where: str, message: str, indexes: list[int]) -> dict:
    """A DHIS2 import conflict."""
    return {"object": obj, "value": f"{where}: {message}" if where else message, "indexes": indexes}


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
        self.rounds, self.round_problems = resolve_rounds(user, codes("period"))
        self.submissions = {
            (s.round_id, s.unit_id): s
            for s in Submission.objects.for_user(user)
            .filter(round__in=self.rounds.values(), unit__in=self.scope)
            .select_related("round", "unit")
        }
        # form id → {data element id: its (first) row in the form}
        self.rows: dict[int, dict[int, Row]] = {}
        for form_id in {r.form_id for r in self.rounds.values()}:
            rows = Row.objects.filter(section__form_id=form_id).select_related(
                "data_element", "part_of__data_element"
            )
            by_element = self.rows[form_id] = {}
            for row in rows.order_by("section__order", "section_id", "order", "id"):
                by_element.setdefault(row.data_element_id, row)


def problems(record: Record, found: Lookups, data_set: str) -> list[tuple[str, str]]:
    """(object, Vietnamese message) for everything wrong with a value's identifiers."""
    found_problems = _catalogue_problems(record, found) + _unit_problems(record, found)
    round_ = found.rounds.get(record.period)
    if round_ is None:
        message = (
            found.round_problems[record.period][1]
            if record.period
            else _("thiếu kỳ báo cáo (period: mã đợt báo cáo).")
        )
        return [*found_problems, (record.period, message)]
    return found_problems + _round_problems(record, found, round_, data_set)


def _catalogue_problems(record: Record, found: Lookups) -> list[tuple[str, str]]:
    """The data element, its option combo and the attribute option combo."""
    problems = []
    element = found.elements.get(record.data_element)
    combo = found.combos.get(record.option_combo or DEFAULT)
    if element is None:
        message = _("không có chỉ tiêu mã “%(c)s”.") % {"c": record.data_element}
        problems.append((record.data_element, message))
    if combo is None:
        message = _("không có phương án phân tổ mã “%(c)s”.") % {"c": record.option_combo}
        problems.append((record.option_combo, message))
    elif element is not None and combo.combo_id != element.category_combo_id:
        message = _("phương án phân tổ “%(c)s” không dùng cho chỉ tiêu “%(e)s”.") % {
            "c": combo.code,
            "e": element.code,
        }
        problems.append((combo.code, message))
    if record.attribute_combo not in ("", DEFAULT):
        message = _("attributeOptionCombo chỉ nhận “default”.")
        problems.append((record.attribute_combo, message))
    return problems


def _unit_problems(record: Record, found: Lookups) -> list[tuple[str, str]]:
    unit = found.units.get(record.org_unit)
    if unit is None:
        return [(record.org_unit, _("không có đơn vị mã “%(c)s”.") % {"c": record.org_unit})]
    if unit.pk not in found.scope:
        message = _("đơn vị “%(c)s” ngoài phạm vi được phép của bạn.") % {"c": unit.code}
        return [(unit.code, message)]
    return []


def _round_problems(
    record: Record, found: Lookups, round_: Round, data_set: str
) -> list[tuple[str, str]]:
    """The round's form (the payload's dataSet, the element's row) and the unit's assignment."""
    problems = []
    element = found.elements.get(record.data_element)
    unit = found.units.get(record.org_unit)
    if data_set and round_.form.code != data_set:
        message = _("đợt “%(r)s” không dùng biểu mẫu “%(f)s”.") % {"r": round_.code, "f": data_set}
        problems.append((round_.code, message))
    if element is not None and element.pk not in found.rows[round_.form_id]:
        message = _("chỉ tiêu “%(e)s” không có trong biểu mẫu của đợt “%(r)s”.") % {
            "e": element.code,
            "r": round_.code,
        }
        problems.append((element.code, message))
    if (
        unit is not None
        and unit.pk in found.scope
        and (round_.pk, unit.pk) not in found.submissions
    ):
        message = _("đơn vị “%(u)s” không được giao báo cáo trong đợt “%(r)s”.") % {
            "u": unit.code,
            "r": round_.code,
        }
        problems.append((unit.code, message))
    return problems
