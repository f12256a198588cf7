"""DHIS2's DXF2 XML for dataValueSets (`application/xml`): the export's rows written out, and
Records read back.

    <dataValueSet xmlns="http://dhis2.org/schema/dxf/2.0" dataSet= period= orgUnit= …>
      <dataValue dataElement= period= orgUnit= categoryOptionCombo= attributeOptionCombo=
                 value= storedBy= lastUpdated= comment= followup=/>
    </dataValueSet>

As in JSON, `period`, `orgUnit` and `attributeOptionCombo` may sit on the set instead of each
value, `dataSet` names the form of every value, `completeDate` submits the reports of the values
(when the caller may), DHIS2's id schemes on the set (`idScheme`, `dataElementIdScheme`…) win
over the query's, and any other attribute of the set (import options…) refuses the payload;
`storedBy`, `created`, `followup` are informational. A `<comment>` or `<value>` child
element is read like the attribute of that name (DHIS2 writes both ways).

Parsing goes through defusedxml with DTDs forbidden (docs/security.md, "Files and spreadsheets").
"""

from xml.etree import ElementTree

from django.utils.translation import gettext as _

from .adx import XML_ILLEGAL, local_name, safe_root
from .dhis2_json import COMPLETE_DATE_MESSAGE
from .records import SCHEME_PARAMETERS, BadPayload, Record, carried_schemes, conflict

NS = "http://dhis2.org/schema/dxf/2.0"
XML_TYPES = ("application/xml", "text/xml")
SHARED = ("period", "orgUnit", "attributeOptionCombo")
SET_KEYS = {"dataSet", "completeDate", *SHARED, *SCHEME_PARAMETERS}
VALUE_KEYS = {
    "dataElement",
    "categoryOptionCombo",
    "value",
    "comment",
    "lastUpdated",
    "storedBy",
    "created",
    "followup",
    "deleted",
    *SHARED,
}


def _clean(text) -> str:
    return XML_ILLEGAL.sub("", str(text))


def export_xml(rows: list[dict]) -> bytes:
    """DHIS2 rows (reports.exchange.export.value_row) as a DXF2 dataValueSet."""
    root = ElementTree.Element("dataValueSet", {"xmlns": NS})
    for row in rows:
        attributes = {
            "dataElement": row["dataElement"],
            "period": row["period"],
            "orgUnit": row["orgUnit"],
            "categoryOptionCombo": row["categoryOptionCombo"],
            "attributeOptionCombo": row["attributeOptionCombo"],
            "value": row["value"],
            "storedBy": row["storedBy"],
            "lastUpdated": row["lastUpdated"],
            "followup": "true" if row["followup"] else "false",
        }
        if row["comment"]:
            attributes["comment"] = row["comment"]
        ElementTree.SubElement(root, "dataValue", {k: _clean(v) for k, v in attributes.items()})
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _field(item, name: str, default: str = "") -> str:
    child = next((c for c in item if local_name(c.tag) == name), None)
    if child is not None:
        return "".join(child.itertext())
    return item.attrib.get(name, default)


def records_from_xml(body: bytes) -> tuple[list[Record], list[dict], str, dict[str, str]]:
    """The values, the conflicts of the values that cannot be read, the set's dataSet and the
    id schemes it carries. Raises BadPayload when the payload is not a DXF2 dataValueSet at
    all."""
    root = safe_root(body)
    if root.tag not in ("dataValueSet", f"{{{NS}}}dataValueSet"):
        message = _("Không phải dataValueSet DXF2 (phần tử gốc <dataValueSet xmlns=“%(ns)s”>).")
        raise BadPayload(message % {"ns": NS})
    shared = {k: v for k, v in root.attrib.items() if not k.startswith("{")}
    unknown = sorted(set(shared) - SET_KEYS)
    if unknown:
        raise BadPayload(_("không hỗ trợ các thuộc tính: %(k)s.") % {"k": ", ".join(unknown)})
    schemes = carried_schemes(shared)
    unreadable = []
    complete_date = shared.get("completeDate", "").strip()
    if complete_date and not any(local_name(item.tag) == "dataValue" for item in root):
        unreadable.append(conflict("completeDate", "", str(COMPLETE_DATE_MESSAGE), []))
    records = []
    items = [item for item in root if local_name(item.tag) == "dataValue"]
    for index, item in enumerate(items):
        where = _("Giá trị số %(n)s") % {"n": index + 1}
        strange = sorted(k for k in item.attrib if k not in VALUE_KEYS and not k.startswith("{"))
        if strange:
            message = _("thuộc tính không hỗ trợ: %(k)s.") % {"k": ", ".join(strange)}
            unreadable.append(conflict("dataValue", where, message, [index]))
            continue
        records.append(
            Record(
                index=index,
                where=where,
                data_element=_field(item, "dataElement").strip(),
                period=_field(item, "period", shared.get("period", "")).strip(),
                org_unit=_field(item, "orgUnit", shared.get("orgUnit", "")).strip(),
                option_combo=_field(item, "categoryOptionCombo").strip(),
                attribute_combo=_field(
                    item, "attributeOptionCombo", shared.get("attributeOptionCombo", "")
                ).strip(),
                value=_field(item, "value"),
                comment=_field(item, "comment"),
                last_updated=_field(item, "lastUpdated").strip(),
                complete_date=complete_date,
            )
        )
    return records, unreadable, shared.get("dataSet", "").strip(), schemes
