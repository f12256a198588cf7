"""One value as a sender gives it, and what it names.

Identifiers follow DHIS2's identifier schemes (`IdSchemes`): CODE by default (dataElement =
DataElement.code, categoryOptionCombo and attributeOptionCombo = CategoryOptionCombo.code,
orgUnit = Unit.code, dataSet = Form.code), UID (each object's DHIS2-style `uid`, core.uids) or
NAME, chosen by `idScheme` and overridden per kind of object (`dataElementIdScheme`…), as DHIS2
does. A name several objects share names none of them: a conflict saying so. A form's code names
every version of it; its UID or name one version. `period` is the ROUND code (BDG-2025S1) or a
DHIS2 ISO period (Round.period). On export an ISO period must name exactly one round the caller
can see (resolve_rounds).

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
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from indicators.models import DEFAULT, CategoryOptionCombo, DataElement
from orgs.models import Unit

from ..models import Form, Round, Row, Submission


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
    # The option combo's UID when the sender named it otherwise than by an identifier (ADX's
    # exploded categories): read whatever categoryOptionComboIdScheme says.
    combo_uid: str = ""

    def __post_init__(self):
        # Names are matched as stored (NFC); Vietnamese typed or converted in decomposed form
        # (NFD: macOS, some input methods) names the same objects.
        for name in ("data_element", "period", "org_unit", "option_combo", "attribute_combo"):
            setattr(self, name, unicodedata.normalize("NFC", getattr(self, name)))


# DHIS2's error codes used here (dhis2-core ErrorCode.java, data import validation):
E_DATA_SET = "E7600"  # Data set not found or not accessible
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
    E_DATA_SET: "dataSet",
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


# DHIS2's identifier schemes and the property each reads; how a message names that property.
SCHEMES = {"CODE": "code", "UID": "uid", "NAME": "name"}
SCHEME_WORDS = {"CODE": _l("mã"), "UID": _l("UID"), "NAME": _l("tên")}
# DHIS2's parameters naming a scheme (the general one first) → IdSchemes' attribute.
SCHEME_PARAMETERS = {
    "idScheme": "",
    "dataElementIdScheme": "data_element",
    "orgUnitIdScheme": "org_unit",
    "categoryOptionComboIdScheme": "option_combo",
    "attributeOptionComboIdScheme": "attribute_combo",
    "dataSetIdScheme": "data_set",
}


@dataclass(frozen=True)
class IdSchemes:
    """Which property each kind of identifier is (DHIS2's IdSchemes): CODE, UID or NAME."""

    data_element: str = "CODE"
    org_unit: str = "CODE"
    option_combo: str = "CODE"
    attribute_combo: str = "CODE"
    data_set: str = "CODE"

    @classmethod
    def of(cls, given: Mapping[str, str]) -> "IdSchemes":
        """From DHIS2's parameters ({"idScheme": "UID", "orgUnitIdScheme": "CODE"…}, values
        already checked): a specific scheme overrides `idScheme`, which overrides CODE."""
        general = given.get("idScheme", "CODE")
        return cls(
            **{
                attribute: given.get(name, general)
                for name, attribute in SCHEME_PARAMETERS.items()
                if attribute
            }
        )

    def of_kind(self, kind: str) -> str:
        """The model property the identifiers of `kind` (an attribute name) are."""
        return SCHEMES[getattr(self, kind)]

    def word(self, kind: str) -> str:
        """How a Vietnamese message names the identifiers of `kind` ("mã", "UID", "tên")."""
        return str(SCHEME_WORDS[getattr(self, kind)])

    def identifier(self, obj, kind: str) -> str:
        """An object's identifier in the scheme of `kind`."""
        return getattr(obj, self.of_kind(kind))


CODES = IdSchemes()


def carried_schemes(given: Mapping[str, str]) -> dict[str, str]:
    """The id schemes a data value set carries (`idScheme`, `dataElementIdScheme`… as JSON keys
    or DXF2 attributes of the set: DHIS2 reads them there too, the set's over the query's):
    {parameter: CODE, UID or NAME}. BadPayload for a scheme binhdang does not read."""
    carried = {}
    for name in SCHEME_PARAMETERS:
        if name not in given:
            continue
        value = str(given[name]).strip().upper()
        if value not in SCHEMES:
            message = _("%(n)s=%(v)s không được hỗ trợ: chỉ nhận CODE (mã), UID hoặc NAME (tên).")
            raise BadPayload(message % {"n": name, "v": str(given[name])[:40]})
        carried[name] = value
    return carried


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


def find(objects, prop: str, identifiers: Iterable[str]) -> tuple[dict, dict[str, list]]:
    """Objects by identifier (the value of `prop`): ({identifier: the one object}, {identifier:
    [the objects sharing it]} for a name several objects have)."""
    wanted = set(identifiers) - {""}
    found: dict = {}
    shared: dict[str, list] = {}
    for obj in objects.filter(**{f"{prop}__in": wanted}) if wanted else []:
        key = getattr(obj, prop)
        if key in shared:
            shared[key].append(obj)
        elif key in found:
            shared[key] = [found.pop(key), obj]
        else:
            found[key] = obj
    return found, shared


def ambiguity(identifier: str, what: str, objects: Iterable) -> str:
    """The message of a name several objects share."""
    codes = ", ".join(sorted({obj.code for obj in objects}))
    return _("tên “%(n)s” ứng với nhiều %(what)s (mã %(codes)s): hãy dùng mã hoặc UID.") % {
        "n": identifier,
        "what": what,
        "codes": codes,
    }


class Lookups:
    """Everything a payload names, fetched in a few queries and scoped to the caller; each kind
    of identifier read in its scheme (`schemes`)."""

    def __init__(self, user, records: list[Record], schemes: IdSchemes = CODES, data_set: str = ""):
        def given(attr: str) -> set[str]:
            return {getattr(r, attr) for r in records} - {""}

        self.schemes = schemes
        catalogue = DataElement.objects.for_user(user)
        self.elements, self.shared_elements = find(
            catalogue, schemes.of_kind("data_element"), given("data_element")
        )
        combos = CategoryOptionCombo.objects.for_user(user)
        self.default_combo = combos.filter(code=DEFAULT).first()
        self.combos, self.shared_combos = find(
            combos, schemes.of_kind("option_combo"), given("option_combo")
        )
        self.resolved_combos = combos.in_bulk(given("combo_uid"), field_name="uid")
        # The attribute option combo: only the default exists; its identifier in its scheme.
        self.attribute_combos = {DEFAULT}
        if self.default_combo is not None:
            self.attribute_combos.add(schemes.identifier(self.default_combo, "attribute_combo"))
        # Units are public reference data: by code they are looked up unscoped, to tell
        # "unknown" from "not yours" (DHIS2's E7612 and E7617); by UID or name only among the
        # caller's units (by name: those in force today, so that a name an old, closed unit
        # shared is not ambiguous), so that neither tells another unit's code or existence.
        by = schemes.of_kind("org_unit")
        units = Unit.objects.all() if by == "code" else Unit.objects.for_user(user)
        if by == "name":
            units = units.valid_on(timezone.localdate())
        self.units, self.shared_units = find(units, by, given("org_unit"))
        self.scope = set(
            Unit.objects.for_user(user)
            .filter(pk__in=[u.pk for u in self.units.values()])
            .values_list("pk", flat=True)
        )
        self.data_set = data_set
        self.forms, self.data_set_problem = self._forms(user, data_set)
        periods = given("period")
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

    def _forms(self, user, data_set: str) -> tuple[set[int] | None, str]:
        """The form versions the payload's dataSet names (None: no dataSet), and why it names
        none when it is a name several forms share."""
        if not data_set:
            return None, ""
        prop = self.schemes.of_kind("data_set")
        forms = list(Form.objects.for_user(user).filter(**{prop: data_set}))
        if len({form.code for form in forms}) > 1:  # a code's versions are one data set
            return set(), ambiguity(data_set, _("biểu mẫu"), forms)
        return {form.pk for form in forms}, ""

    def element(self, record: Record) -> DataElement | None:
        return self.elements.get(record.data_element)

    def unit(self, record: Record) -> Unit | None:
        return self.units.get(record.org_unit)

    def combo(self, record: Record) -> CategoryOptionCombo | None:
        """The value's option combo; the default one when it names none."""
        if record.combo_uid:
            return self.resolved_combos.get(record.combo_uid)
        if not record.option_combo:
            return self.default_combo
        return self.combos.get(record.option_combo)

    def round_for(self, record: Record) -> tuple[Round | None, str]:
        """The round a value goes to, or None and why (Vietnamese). A round code names its
        round; an ISO period the round of that period whose form is the payload's dataSet, or
        else whose form holds the value's data element."""
        data_set = self.data_set
        if not record.period:
            return None, _("thiếu kỳ báo cáo (period: kỳ DHIS2 hoặc mã đợt báo cáo).")
        if record.period in self.rounds:
            return self.rounds[record.period], ""
        candidates = self.by_period.get(record.period, [])
        if self.forms is not None:
            candidates = [r for r in candidates if r.form_id in self.forms]
        element = self.element(record)
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


def problems(record: Record, found: Lookups) -> tuple[Round | None, list[Problem]]:
    """The value's round, and everything wrong with its identifiers."""
    if found.data_set_problem:
        return None, [(found.data_set, found.data_set_problem, E_DATA_SET)]
    found_problems = _catalogue_problems(record, found) + _unit_problems(record, found)
    round_, why = found.round_for(record)
    if round_ is None:
        return None, [*found_problems, (record.period, why, E_PERIOD)]
    return round_, found_problems + _round_problems(record, found, round_)


def _unknown(found: Lookups, kind: str, identifier: str, shared: dict, what: str) -> str:
    """Why an identifier names nothing: a name several objects share, or no such object."""
    if identifier in shared:
        return ambiguity(identifier, what, shared[identifier])
    return _("không có %(what)s %(by)s “%(c)s”.") % {
        "what": what,
        "by": found.schemes.word(kind),
        "c": identifier,
    }


def _catalogue_problems(record: Record, found: Lookups) -> list[Problem]:
    """The data element, its option combo and the attribute option combo."""
    problems: list[Problem] = []
    element = found.element(record)
    combo = found.combo(record)
    schemes = found.schemes
    if element is None:
        why = _unknown(
            found, "data_element", record.data_element, found.shared_elements, _("chỉ tiêu")
        )
        problems.append((record.data_element, why, E_DATA_ELEMENT))
    if combo is None:
        why = _unknown(
            found, "option_combo", record.option_combo, found.shared_combos, _("phương án phân tổ")
        )
        problems.append((record.option_combo, why, E_COMBO))
    elif element is not None and combo.combo_id != element.category_combo_id:
        message = _("phương án phân tổ “%(c)s” không dùng cho chỉ tiêu “%(e)s”.") % {
            "c": combo.code,
            "e": element.code,
        }
        problems.append((schemes.identifier(combo, "option_combo"), message, E_COMBO_OF_ELEMENT))
    if record.attribute_combo and record.attribute_combo not in found.attribute_combos:
        message = _("attributeOptionCombo chỉ nhận “%(d)s” (không phân tổ thuộc tính).") % {
            "d": " / ".join(sorted(found.attribute_combos))
        }
        problems.append((record.attribute_combo, message, E_ATTRIBUTE_COMBO))
    return problems


def _unit_problems(record: Record, found: Lookups) -> list[Problem]:
    unit = found.unit(record)
    if unit is None:
        why = _unknown(found, "org_unit", record.org_unit, found.shared_units, _("đơn vị"))
        return [(record.org_unit, why, E_ORG_UNIT)]
    if unit.pk not in found.scope:
        message = _("đơn vị “%(c)s” ngoài phạm vi được phép của bạn.") % {"c": record.org_unit}
        return [(record.org_unit, message, E_OUT_OF_HIERARCHY)]
    return []


def _round_problems(record: Record, found: Lookups, round_: Round) -> list[Problem]:
    """The round's form (the payload's dataSet, the element's row) and the unit's assignment."""
    problems: list[Problem] = []
    element = found.element(record)
    unit = found.unit(record)
    if found.forms is not None and round_.form_id not in found.forms:
        message = _("đợt “%(r)s” không dùng biểu mẫu “%(f)s”.") % {
            "r": round_.code,
            "f": found.data_set,
        }
        problems.append((round_.code, message, E_PERIOD))
    if element is not None and element.pk not in found.rows[round_.form_id]:
        message = _("chỉ tiêu “%(e)s” không có trong biểu mẫu của đợt “%(r)s”.") % {
            "e": element.code,
            "r": round_.code,
        }
        problems.append((record.data_element, message, E_NOT_IN_DATA_SET))
    if (
        unit is not None
        and unit.pk in found.scope
        and (round_.pk, unit.pk) not in found.submissions
    ):
        message = _("đơn vị “%(u)s” không được giao báo cáo trong đợt “%(r)s”.") % {
            "u": unit.code,
            "r": round_.code,
        }
        problems.append((record.org_unit, message, E_NOT_ASSIGNED))
    return problems
