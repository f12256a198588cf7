"""Small Word documents made on the spot for the demo's evidence and attachments (never
downloaded): a unit's report or plan in the layout of a Vietnamese administrative document,
handed to the upload services as a user's file would be, through the same content check."""

import datetime
import io
import zipfile
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import check_upload

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELATIONSHIPS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
# A4, margins of the Vietnamese administrative document (Nghị định 30/2020/NĐ-CP).
SECTION = (
    '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" '
    'w:bottom="1134" w:left="1701" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>'
)


def _paragraph(text: str, *, bold: bool = False, center: bool = False, italic: bool = False):
    props = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    run = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    run_props = f'<w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman"/>{run}'
    return (
        f'<w:p>{props}<w:r>{run_props}<w:sz w:val="26"/></w:rPr>'
        f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
    )


def document(
    *,
    filename: str,
    issuer: str,
    number: str,
    place: str,
    day: datetime.date,
    title: str,
    paragraphs: list[str],
    signer: str,
) -> tuple[SimpleUploadedFile, tuple[str, str]]:
    """A .docx upload and its (extension, MIME type) as `core.uploads.check_upload` finds them."""
    body = "".join(
        [
            _paragraph(issuer.upper(), bold=True, center=True),
            _paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, center=True),
            _paragraph("Độc lập - Tự do - Hạnh phúc", bold=True, center=True),
            _paragraph(f"Số: {number}", center=True),
            _paragraph(
                f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
                italic=True,
                center=True,
            ),
            _paragraph(title.upper(), bold=True, center=True),
            *(_paragraph(text) for text in paragraphs),
            *(_paragraph(line, bold=True) for line in signer.splitlines()),
        ]
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W}"><w:body>{body}{SECTION}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELATIONSHIPS)
        archive.writestr("word/document.xml", xml)
    upload = SimpleUploadedFile(
        filename,
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    return upload, check_upload(upload, settings.UPLOAD_MAX_BYTES)
