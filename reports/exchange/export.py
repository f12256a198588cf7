"""The values a user may take out, filtered as DHIS2's dataValueSets, as DHIS2 rows.

"No data" (a cell declared empty, with its reason) travels as DHIS2's comment-only value: an empty
`value` with the reason in `comment`. Cleared cells are not exported. Sensitive values are exact
only for the reader's own unit (reports.disclosure).
"""

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from indicators.models import DEFAULT
from orgs.models import Unit

from .. import disclosure
from ..models import DataValue, Form, Round
from .records import parse_moment, resolve_rounds, timestamp


class ExportError(Exception):
    """A filter names nothing the user may export: the HTTP status and the Vietnamese detail."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def export_values(
    user,
    *,
    data_set: str | None,
    periods: list[str],
    org_units: list[str],
    children: bool,
    last_updated: str | None,
) -> QuerySet:
    """Raw values in the user's scope; sensitive ones only of the user's own unit (disclosure).
    Raises ExportError when a filter names what the user cannot see."""
    values = disclosure.exact_values(
        user, DataValue.objects.for_user(user).filter(Q(no_data=True) | ~Q(value=""))
    )
    if data_set:
        if not Form.objects.for_user(user).filter(code=data_set).exists():
            raise ExportError(404, _("Không có biểu mẫu mã “%(code)s”.") % {"code": data_set})
        values = values.filter(submission__round__form__code=data_set)
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


def _unit_ids(user, codes: list[str], children: bool) -> set[int]:
    units = dict(Unit.objects.for_user(user).filter(code__in=codes).values_list("code", "pk"))
    missing = sorted(set(codes) - set(units))
    if missing:
        # Unknown and out of scope read the same: another unit's existence is not disclosed.
        raise ExportError(404, _("Không có đơn vị mã “%(code)s”.") % {"code": missing[0]})
    if children:
        return set().union(*(Unit.subtree_ids(pk) for pk in units.values()))
    return set(units.values())


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
    shared = (
        Round.objects.values("form_id", "period")
        .annotate(rounds=Count("id"))
        .filter(rounds__gt=1)
        .values_list("form_id", "period")
    )
    pairs = set(shared)
    if not pairs:
        return frozenset()
    both = Round.objects.filter(form_id__in={form for form, _period in pairs})
    return frozenset(
        pk
        for pk, form, period in both.values_list("pk", "form_id", "period")
        if (form, period) in pairs
    )


def value_row(value: DataValue, shared: frozenset[int] = frozenset()) -> dict:
    """One exported value as DHIS2's dataValues entry: its round's ISO period (2025, 2025S1),
    or its round code where the period is `shared` (rounds_sharing_a_period)."""
    round_ = value.submission.round
    return {
        "dataElement": value.data_element.code,
        "period": round_.code if round_.pk in shared else round_.period,
        "orgUnit": value.submission.unit.code,
        "categoryOptionCombo": value.option_combo.code,
        "attributeOptionCombo": DEFAULT,
        "value": "" if value.no_data else value.value,
        "comment": value.comment,
        "storedBy": value.updated_by.username if value.updated_by is not None else "",
        "lastUpdated": timestamp(value.updated_at),
        "followup": False,
    }
