"""The values a user may take out, filtered as DHIS2's dataValueSets, as DHIS2 rows.

The filters `dataSet`, `dataElement` and `orgUnit` take codes or UIDs (a form's code names all
its versions, its UID one); the rows name each object in the output id scheme asked for
(`output_schemes`: DHIS2's idScheme, dataElementIdScheme, orgUnitIdScheme,
categoryOptionComboIdScheme, attributeOptionComboIdScheme, dataSetIdScheme; CODE by default,
UID or NAME).

"No data" (a cell declared empty, with its reason) travels as DHIS2's comment-only value: an empty
`value` with the reason in `comment`. Cleared cells are not exported. Sensitive values are exact
only for the reader's own unit (reports.disclosure).
"""

import datetime
from collections.abc import Iterable, Mapping

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from indicators.models import DEFAULT, CategoryOptionCombo, DataElement
from orgs.models import Unit

from .. import disclosure
from ..models import DataValue, Form, Round
from .records import (
    CODES,
    SCHEME_PARAMETERS,
    SCHEMES,
    IdSchemes,
    parse_moment,
    resolve_rounds,
    timestamp,
)


class ExportError(Exception):
    """A filter names nothing the user may export: the HTTP status and the Vietnamese detail."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def output_schemes(params: Mapping[str, str]) -> IdSchemes:
    """The output id schemes a request asks for; ExportError (400) for one not supported."""
    given = {}
    for name in SCHEME_PARAMETERS:
        raw = params.get(name)
        if raw is None:
            continue
        value = raw.strip().upper()
        if value not in SCHEMES:
            message = _(
                "%(n)s=%(v)s không được hỗ trợ: chỉ nhận CODE (mã), UID hoặc NAME (tên)."
            ) % {"n": name, "v": raw[:40]}
            raise ExportError(400, message)
        given[name] = value
    return IdSchemes.of(given)


def _by_code_or_uid(objects: QuerySet, identifiers: Iterable[str], what: str) -> QuerySet:
    """The objects the identifiers name, each a code or a UID; ExportError (404) naming the
    first that names nothing."""
    wanted = set(identifiers)
    found = objects.filter(Q(code__in=wanted) | Q(uid__in=wanted))
    known = {key for pair in found.values_list("code", "uid") for key in pair}
    missing = sorted(wanted - known)
    if missing:
        # Unknown and out of scope read the same: another unit's existence is not disclosed.
        message = _("Không có %(what)s mã hoặc UID “%(code)s”.") % {
            "what": what,
            "code": missing[0],
        }
        raise ExportError(404, message)
    return found


def export_values(
    user,
    *,
    data_set: str | None,
    periods: list[str],
    org_units: list[str],
    children: bool,
    last_updated: str | None,
    data_elements: Iterable[str] = (),
) -> QuerySet:
    """Raw values in the user's scope; sensitive ones only of the user's own unit (disclosure).
    Raises ExportError when a filter names what the user cannot see."""
    values = disclosure.exact_values(
        user, DataValue.objects.for_user(user).filter(Q(no_data=True) | ~Q(value=""))
    )
    if data_set:
        forms = _by_code_or_uid(Form.objects.for_user(user), [data_set], _("biểu mẫu"))
        values = values.filter(submission__round__form__in=forms)
    if data_elements:
        elements = _by_code_or_uid(DataElement.objects.for_user(user), data_elements, _("chỉ tiêu"))
        values = values.filter(data_element__in=elements)
    if periods:
        rounds, problems = resolve_rounds(user, periods)
        if problems:
            status, message = problems[min(problems)]
            raise ExportError(status, _sentence(message))
        values = values.filter(submission__round__in=rounds.values())
    if org_units:
        values = values.filter(submission__unit__in=_unit_ids(user, org_units, children))
    if last_updated:
        values = values.filter(updated_at__gte=_since(last_updated))
    return values.select_related(
        "data_element", "option_combo", "submission__round", "submission__unit", "updated_by"
    ).order_by(
        "submission__round__code",
        "submission__unit__code",
        "data_element__code",
        "option_combo__sort_order",
        "option_combo__code",
    )


def _unit_ids(user, identifiers: list[str], children: bool) -> set[int]:
    units = set(
        _by_code_or_uid(Unit.objects.for_user(user), identifiers, _("đơn vị")).values_list(
            "pk", flat=True
        )
    )
    if children:
        return set().union(*(Unit.subtree_ids(pk) for pk in units))
    return units


def _since(text: str) -> datetime.datetime:
    moment = parse_moment(text)
    if moment is None:
        raise ExportError(
            400, _("lastUpdated “%(value)s” không phải ngày giờ ISO.") % {"value": text[:40]}
        )
    return moment


def rounds_sharing_a_period() -> frozenset[int]:
    """The rounds whose form has another round of the same ISO period (a periodic and an ad-hoc
    exercise): their values travel with the round code, which names one of them, not with a
    period that would name both (DHIS2 keeps one value per element, period and unit)."""
    twin = Round.objects.filter(form=OuterRef("form"), period=OuterRef("period")).exclude(
        pk=OuterRef("pk")
    )
    return frozenset(Round.objects.filter(Exists(twin)).values_list("pk", flat=True))


def named_set(
    user,
    *,
    data_set: str | None,
    periods: list[str],
    org_units: list[str],
    children: bool,
    schemes: IdSchemes,
) -> dict:
    """DHIS2 names the set above its values when the request names one data set, one period and
    one unit (without children): those, the data set and unit in their output schemes (the data
    set left out when a code names versions whose identifiers differ)."""
    if not (data_set and len(periods) == 1 and len(org_units) == 1 and not children):
        return {}
    forms = Form.objects.for_user(user).filter(Q(code=data_set) | Q(uid=data_set))
    named = {schemes.identifier(form, "data_set") for form in forms}
    unit = Unit.objects.for_user(user).filter(Q(code=org_units[0]) | Q(uid=org_units[0])).first()
    head = {"period": periods[0]}
    head["orgUnit"] = org_units[0] if unit is None else schemes.identifier(unit, "org_unit")
    return {"dataSet": named.pop(), **head} if len(named) == 1 else head


def default_attribute(schemes: IdSchemes) -> str:
    """The attribute option combo of every value (only the default exists), in its scheme."""
    combo = CategoryOptionCombo.objects.filter(code=DEFAULT).first()
    return DEFAULT if combo is None else schemes.identifier(combo, "attribute_combo")


def value_row(
    value: DataValue,
    schemes: IdSchemes = CODES,
    attribute: str = DEFAULT,
    shared: frozenset[int] = frozenset(),
) -> dict:
    """One exported value as DHIS2's dataValues entry, its objects named in `schemes`
    (`attribute`: default_attribute of the same schemes), its round's ISO period (2025, 2025S1)
    or its round code where the period is `shared` (rounds_sharing_a_period)."""
    round_ = value.submission.round
    return {
        "dataElement": schemes.identifier(value.data_element, "data_element"),
        "period": round_.code if round_.pk in shared else round_.period,
        "orgUnit": schemes.identifier(value.submission.unit, "org_unit"),
        "categoryOptionCombo": schemes.identifier(value.option_combo, "option_combo"),
        "attributeOptionCombo": attribute,
        "value": "" if value.no_data else value.value,
        "comment": value.comment,
        "storedBy": value.updated_by.username if value.updated_by is not None else "",
        "lastUpdated": timestamp(value.updated_at),
        "followup": False,
    }
