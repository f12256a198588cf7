"""DHIS2's dataValueSets CSV: the export's rows written out, and Records read back.

Columns: dataelement, period, orgunit, catoptcombo, attroptcombo, value, storedby, lastupdated,
comment, followup (a header row is written). On reading, as DHIS2 does, the first row is a header
whatever its spelling (`firstRowIsHeader=false` reads it as a value), and `lastupdated`,
`storedby` and `followup` are informational: a CSV value is not refused for being older than the
stored one. No cell can
start a spreadsheet formula: every cell goes through core.spreadsheet's CSV escape, and is
unescaped on reading (docs/security.md, CSV injection).
"""

import csv
import io

from django.utils.translation import gettext as _

from core.spreadsheet import csv_escape, csv_unescape

from .records import BadPayload, Record, conflict

CSV_HEADER = [
    "dataelement",
    "period",
    "orgunit",
    "catoptcombo",
    "attroptcombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
]
CSV_TYPES = ("text/csv", "application/csv")


def export_csv(rows: list[dict]) -> bytes:
    """DHIS2 rows (reports.exchange.export.value_row) as CSV."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            csv_escape(str(cell))
            for cell in (
                row["dataElement"],
                row["period"],
                row["orgUnit"],
                row["categoryOptionCombo"],
                row["attributeOptionCombo"],
                row["value"],
                row["storedBy"],
                row["lastUpdated"],
                row["comment"],
                "true" if row["followup"] else "false",
            )
        )
    return out.getvalue().encode()


def _record(index: int, where: str, cells: list[str]) -> Record:
    cells = [csv_unescape(cell) for cell in cells] + [""] * (10 - len(cells))
    return Record(
        index=index,
        where=where,
        data_element=cells[0].strip(),
        period=cells[1].strip(),
        org_unit=cells[2].strip(),
        option_combo=cells[3].strip(),
        attribute_combo=cells[4].strip(),
        value=cells[5],
        comment=cells[8],
    )


def records_from_csv(
    body: bytes, *, first_row_is_header: bool = True
) -> tuple[list[Record], list[dict], str]:
    """The values and the conflicts of the rows that cannot be read (no dataSet in CSV).
    Raises BadPayload when the file cannot be read as CSV."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadPayload(_("Tệp CSV phải mã hóa UTF-8.")) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    records, unreadable, index = [], [], 0
    header = first_row_is_header
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header:
                header = False
                continue  # the header row, whatever its spelling (DHIS2's firstRowIsHeader)
            where = _("Dòng %(n)s") % {"n": reader.line_num}
            if len(cells) < 6:
                message = _("cần ít nhất 6 cột (dataelement, period, orgunit, …, value).")
                unreadable.append(conflict("csv", where, message, [index]))
            else:
                records.append(_record(index, where, cells))
            index += 1
    except csv.Error:
        message = _("Tệp CSV sai định dạng ở dòng %(n)s.") % {"n": reader.line_num}
        raise BadPayload(message) from None
    return records, unreadable, ""
