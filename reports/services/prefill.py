"""Filling a unit's report from a prefill source (reports.prefill): the fill itself, and the record
of who previewed a source's figures."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import record_event
from indicators.sources import Source

from ..models import Submission
from ..prefill import Preview, check_user, preview
from .submissions import CellInput, save_values


def record_preview(*, actor, source: Source, submission: Submission, request=None) -> None:
    """A source's exact figures were shown to `actor` (read-audit)."""
    record_event(
        actor=actor,
        action=Action.VIEW,
        request=request,
        label=_("Xem trước số liệu từ %(title)s cho báo cáo %(unit)s %(round)s")
        % {"title": source.title, "unit": submission.unit.code, "round": submission.round.code},
    )


@transaction.atomic
def fill(
    *,
    source: Source,
    submission: Submission,
    previewed: str,
    versions: dict,
    actor,
    request=None,
) -> Preview:
    """Write what the preview showed, or nothing.

    `previewed` is the digest the preview carried; `versions` maps (row id, option combo id) to
    the cell versions it showed. Values computed now that differ from the previewed ones refuse
    the fill (ValidationError), and so does a cell changed since (ConcurrentEdit, from
    save_values). Returns the preview written."""
    check_user(source, submission, actor)
    shown = preview(source, submission)
    if shown is None:
        raise ValidationError(_("Biểu báo cáo này không có chỉ tiêu nào lấy từ nguồn này."))
    if problems := shown.problems():
        raise ValidationError(problems)
    if not previewed:
        raise ValidationError(
            _("Chưa xem trước số liệu sẽ điền. Hãy xem trước rồi bấm lại; chưa ô nào bị thay đổi.")
        )
    if previewed != shown.digest:
        raise ValidationError(
            _(
                "Số liệu nguồn đã thay đổi từ khi xem trước (có bản ghi được thêm, sửa hoặc xóa). "
                "Hãy xem lại rồi bấm lại; chưa ô nào bị thay đổi."
            )
        )
    cells = [
        CellInput(
            row=row,
            option_combo=cell.combo,
            raw=cell.computed,
            comment=None,
            no_data=False,
            expected_version=versions.get((row.pk, cell.combo.pk), -1),
            machine=True,
        )
        for row, cell in shown.cells
    ]
    save_values(submission=submission, cells=cells, actor=actor, request=request)
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=submission,
        request=request,
        label=_("Lấy %(n)s ô số liệu từ %(title)s") % {"n": len(cells), "title": source.title},
        changes={"prefill": [None, source.key]},
    )
    return shown
