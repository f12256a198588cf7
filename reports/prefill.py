"""Filling a unit's report from what the unit recorded elsewhere (its GBV cases, its activities):
one mechanism for every such source.

An app registers a `Source` (indicators.sources) when it starts: a key, a Vietnamese title, the data
element codes it fills, the roles that may use it and a function computing
{(element code, option combo code): value} for a submission. The mechanism does the rest, the same
for every source:

- `lines`: the form's rows the source fills, each cell with the stored value, the computed one
  and their difference (the preview);
- `digest`: a fingerprint of the computed values, carried by the preview in a hidden field;
- `fill` (reports.services.prefill): recompute, and refuse (changing nothing) when the values
  differ from those previewed or a cell changed since; else write through `save_values` (the
  checks and audit of typing) and record one event.

Only the unit's own staff fill their report: the exact counts of a source are that unit's own data.
A `sensitive` source (GBV cases) fills only elements marked sensitive, so that every published
figure derived from it is protected as small counts are.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from indicators.models import (
    CategoryOptionCombo,
    DataElement,
    ValueType,
    display_value,
    stored_number,
)
from indicators.sources import Source, sources

from .models import DataValue


@dataclass
class Computed:
    values: dict[tuple[str, str], str]
    warnings: list[str] = field(default_factory=list)


def offered(submission, user, codes: Iterable[str]) -> list[Source]:
    """The sources the user may use on the submission whose form holds some of their elements
    (`codes`: the form's element codes)."""
    if user.unit_id != submission.unit_id or not submission.is_editable_by(user):
        return []
    present = set(codes)
    return [s for s in sources() if user.role in s.roles and present.intersection(s.elements)]


def check_user(source: Source, submission, user) -> None:
    if user.role not in source.roles or user.unit_id != submission.unit_id:
        raise PermissionDenied


# What the source would write ---------------------------------------------------------------------


@dataclass
class Cell:
    element: DataElement
    combo: CategoryOptionCombo
    stored: DataValue | None
    computed: str

    @property
    def computed_shown(self) -> str:
        return display_value(self.element, self.computed)

    @property
    def difference(self) -> str:
        """Computed minus stored ("" when equal, or when nothing is stored to compare with)."""
        if self.stored is None or self.stored.no_data or self.stored.value in ("", self.computed):
            return ""
        before, after = stored_number(self.stored.value), stored_number(self.computed)
        if self.element.value_type == ValueType.BOOLEAN or before is None or after is None:
            return _("khác")
        change = after - before
        return ("+" if change > 0 else "−") + display_value(self.element, str(abs(change)))


@dataclass
class Preview:
    source: Source
    lines: list  # [(row, [Cell])]
    warnings: list[str]
    digest: str

    @property
    def cells(self) -> list:
        return [(row, cell) for row, cells in self.lines for cell in cells]

    def problems(self) -> list[str]:
        """Why the source may not fill this form, whatever the values."""
        if not self.source.sensitive:
            return []
        plain = sorted({c.element.code for _row, c in self.cells if not c.element.sensitive})
        if not plain:
            return []
        return [
            _(
                "Số liệu từ %(title)s chỉ được điền vào chỉ tiêu đánh dấu “số liệu nhạy cảm”; "
                "chỉ tiêu %(codes)s chưa được đánh dấu. Đề nghị Sở Nội vụ sửa danh mục chỉ tiêu."
            )
            % {"title": self.source.title, "codes": ", ".join(plain)}
        ]

    def note(self, submission) -> str:
        round_ = submission.round
        return self.source.note % {
            "unit": submission.unit,
            "start": f"{round_.window_start:%d/%m/%Y}",
            "end": f"{round_.window_end:%d/%m/%Y}",
        }


def _computed(source: Source, submission) -> Computed:
    result = source.compute(submission)
    values, warnings = result if isinstance(result, tuple) else (result, [])
    return Computed({key: str(value) for key, value in values.items()}, list(warnings))


def digest(values: dict) -> str:
    """A fingerprint of computed values: equal values, equal fingerprint."""
    text = json.dumps(sorted([code, combo, value] for (code, combo), value in values.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def preview(source: Source, submission) -> Preview | None:
    """The cells the source would fill in the submission, or None when its form has none."""
    rows = list(
        submission.round.form.rows()
        .filter(data_element__code__in=source.elements)
        .prefetch_related("data_element__category_combo__option_combos")
    )
    if not rows:
        return None
    computed = _computed(source, submission)
    stored = {
        (v.data_element_id, v.option_combo_id): v
        for v in submission.values.filter(data_element__in=[r.data_element for r in rows])
    }
    lines = []
    for row in rows:
        element = row.data_element
        cells = [
            Cell(element, combo, stored.get((element.pk, combo.pk)), computed.values[key])
            for combo in element.category_combo.option_combos.all()
            if (key := (element.code, combo.code)) in computed.values
        ]
        if cells:
            lines.append((row, cells))
    if not lines:
        return None
    shown = Preview(source, lines, computed.warnings, "")
    shown.digest = digest({(c.element.code, c.combo.code): c.computed for _r, c in shown.cells})
    return shown
