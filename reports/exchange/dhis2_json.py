"""DHIS2's dataValueSets JSON, read into Records (the export is the rows of
reports.exchange.export, serialised by the API).

`period`, `orgUnit` and `attributeOptionCombo` may sit on the set instead of each value; `dataSet`
(a form code) names the form every value must belong to. `{}` (no dataValues) is an empty set,
as DHIS2 reads it. `completeDate` goes with every value (Record.complete_date): the importer
submits their reports when the caller may (a set with no values names no report: a conflict).
DHIS2's id schemes may sit on the set (`idScheme`, `dataElementIdScheme`…: CODE, UID, NAME), and
then win over the query's. Any other key of the set refuses the payload, since its values might
then mean something else.
"""

import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .records import SCHEME_PARAMETERS, BadPayload, Record, carried_schemes, conflict

OWN = ("dataElement", "categoryOptionCombo", "value", "comment", "lastUpdated")
SHARED = ("period", "orgUnit", "attributeOptionCombo")
SET_KEYS = {"dataSet", "dataValues", "completeDate", *SHARED, *SCHEME_PARAMETERS}
COMPLETE_DATE_MESSAGE = gettext_lazy(
    "completeDate: không có giá trị nào cho biết báo cáo cần nộp, không báo cáo nào được nộp."
)


def _text(raw) -> str:
    """A JSON scalar as text; ValueError for a list or an object."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str | int | float):
        return str(raw)
    raise ValueError


def _record(index: int, where: str, item, payload: dict) -> Record:
    """One dataValues entry; ValueError when it cannot be read."""
    if not isinstance(item, dict):
        raise ValueError
    field = {key: _text(item.get(key)) for key in OWN} | {
        key: _text(item.get(key, payload.get(key))) for key in SHARED
    }
    return Record(
        index=index,
        where=where,
        data_element=field["dataElement"].strip(),
        period=field["period"].strip(),
        org_unit=field["orgUnit"].strip(),
        option_combo=field["categoryOptionCombo"].strip(),
        attribute_combo=field["attributeOptionCombo"].strip(),
        value=field["value"],
        comment=field["comment"],
        last_updated=field["lastUpdated"].strip(),
        complete_date=_text(payload.get("completeDate")).strip(),
    )


def records_from_json(body: bytes) -> tuple[list[Record], list[dict], str, dict[str, str]]:
    """The values, the conflicts of the values that cannot be read, the set's dataSet and the
    id schemes it carries. Raises BadPayload when the payload is not a dataValueSet at all."""
    try:
        payload = json.loads(body)
    except ValueError:
        raise BadPayload(_("Nội dung gửi lên không phải JSON hợp lệ.")) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("dataValues", []), list):
        raise BadPayload(_("Nội dung phải là một dataValueSet có danh sách “dataValues”."))
    unknown = sorted(set(payload) - SET_KEYS)
    if unknown:
        message = _("không hỗ trợ các trường: %(k)s.") % {"k": ", ".join(unknown)}
        raise BadPayload(message)
    try:
        data_set = _text(payload.get("dataSet")).strip()
        schemes = carried_schemes(
            {k: _text(v) for k, v in payload.items() if k in SCHEME_PARAMETERS}
        )
    except ValueError:
        raise BadPayload(_("dataSet và các id scheme phải là chuỗi.")) from None
    records, unreadable = [], []
    complete_date = _text(payload.get("completeDate")).strip()
    if complete_date and not payload.get("dataValues"):
        unreadable.append(conflict("completeDate", "", str(COMPLETE_DATE_MESSAGE), []))
    for index, item in enumerate(payload.get("dataValues", [])):
        where = _("Giá trị số %(n)s") % {"n": index + 1}
        try:
            records.append(_record(index, where, item, payload))
        except ValueError:
            unreadable.append(conflict("dataValues", where, _("không đọc được."), [index]))
    return records, unreadable, data_set, schemes
