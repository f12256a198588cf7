"""Validation over plain values, on DHIS2's model: the sides of a rule as people type them, their
sums, the comparison, and how far a value lies from a unit's history (z-score and modified
z-score). No database here: reports.validation feeds it a report's values.

A side is terms added together: an element's cells (`BDG_M3_NN` sums every column,
`BDG_M3_NN[FEMALE]` one column) and plain numbers (`100`, `0.5`). Values are keyed by
(element code, option combo code); a value is a Decimal, or None when the cell is empty or
marked "no data".
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import mean, median, stdev

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .expressions import TERM, check_terms, format_expression

Key = tuple[str, str]
NUMBER = re.compile(r"^\d{1,15}(\.\d{1,6})?$")

# Outlier detection: DHIS2's defaults. A z-score beyond 3 standard deviations; a modified z-score
# (Iglewicz and Hoaglin: 0.6745 × distance to the median / median absolute deviation) beyond 3.5.
Z_SCORE, MODIFIED_Z = "z", "modified_z"
THRESHOLDS = {Z_SCORE: Decimal(3), MODIFIED_Z: Decimal("3.5")}
MIN_HISTORY = 3  # fewer previous values say nothing about a unit's usual spread


def parse_side(text: str) -> list[dict]:
    """The terms of one side of a rule, or a ValidationError naming every malformed term."""
    parts = [part.strip() for part in (text or "").split("+")]
    if not any(parts):
        raise ValidationError(_("Cần ít nhất một chỉ tiêu hoặc một số, ví dụ “BDG_M3_NN”."))
    terms: list[dict] = []
    problems = []
    for part in parts:
        if NUMBER.match(part):
            terms.append({"constant": part})
        elif (match := TERM.match(part)) is not None:
            terms.append({"element": match[1], "combo": match[2] or None})
        else:
            problems.append(
                _("“%(term)s” không đúng dạng MÃ, MÃ[PHƯƠNG_ÁN] hoặc một số.")
                % {"term": part or "+"}
            )
    if problems:
        raise ValidationError(problems)
    return terms


def check_side(terms: list[dict], elements: dict[str, tuple[bool, set[str]]]) -> list[str]:
    """Problems with the element terms (unknown, not numeric, foreign option combo)."""
    return check_terms([t for t in terms if "element" in t], elements)


def format_side(terms: list[dict]) -> str:
    return " + ".join(
        t["constant"] if "constant" in t else format_expression([t]) for t in terms or []
    )


@dataclass(frozen=True)
class Side:
    total: Decimal
    cells: tuple[Key, ...]  # the cells the side reads
    missing: int  # of those, how many are empty or "no data"


def side_sum(
    terms: list[dict], values: Mapping[Key, Decimal | None], columns: Mapping[str, Sequence[str]]
) -> Side:
    """Σ of a side; empty cells count 0 and are counted in `missing`. `columns`: element code →
    its option combo codes (the cells a term without a combo reads)."""
    total, cells, missing = Decimal(0), [], 0
    for term in terms:
        if "constant" in term:
            total += Decimal(term["constant"])
            continue
        combos = [term["combo"]] if term.get("combo") else list(columns.get(term["element"], ()))
        for combo in combos:
            key = (term["element"], combo)
            cells.append(key)
            value = values.get(key)
            if value is None:
                missing += 1
            else:
                total += value
    return Side(total, tuple(cells), missing)


COMPARE = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@dataclass(frozen=True)
class Outcome:
    left: Side
    right: Side
    holds: bool | None  # None: skipped (cells missing, as the rule's strategy says)

    @property
    def violated(self) -> bool:
        return self.holds is False


def evaluate(
    *,
    left: list[dict],
    operator: str,
    right: list[dict],
    missing: str,
    values: Mapping[Key, Decimal | None],
    columns: Mapping[str, Sequence[str]],
) -> Outcome:
    """Whether Σ left `operator` Σ right holds over `values`. `missing` is the rule's strategy
    (indicators.models.MissingValues): skip_if_any, skip_if_all, never."""
    sides = side_sum(left, values, columns), side_sum(right, values, columns)
    cells = sum(len(s.cells) for s in sides)
    empty = sum(s.missing for s in sides)
    skipped = (missing == "skip_if_any" and empty > 0) or (
        missing == "skip_if_all" and cells > 0 and empty == cells
    )
    if skipped:
        return Outcome(sides[0], sides[1], None)
    return Outcome(sides[0], sides[1], COMPARE[operator](sides[0].total, sides[1].total))


@dataclass(frozen=True)
class Deviation:
    """How far a value lies from a history: the score, the centre it is measured from."""

    method: str
    score: Decimal
    centre: Decimal
    flagged: bool


def deviation(
    value: Decimal, history: Sequence[Decimal], method: str = MODIFIED_Z, threshold=None
) -> Deviation | None:
    """The value's z-score (mean, sample standard deviation) or modified z-score (median, median
    absolute deviation; the mean absolute deviation × 1.2533 when that is 0) against `history`,
    flagged beyond `threshold`. None when the history is shorter than MIN_HISTORY or has no
    spread at all: nothing can be said of a value against it."""
    if len(history) < MIN_HISTORY:
        return None
    limit = THRESHOLDS[method] if threshold is None else Decimal(threshold)
    points = [Decimal(h) for h in history]
    if method == Z_SCORE:
        centre = mean(points)
        spread = stdev(points)
        score = (value - centre) / spread if spread else None
    else:
        centre = median(points)
        mad = median([abs(p - centre) for p in points])
        if mad:
            score = Decimal("0.6745") * (value - centre) / mad
        else:
            mean_ad = mean([abs(p - centre) for p in points])
            score = (value - centre) / (Decimal("1.253314") * mean_ad) if mean_ad else None
    if score is None:
        return None
    return Deviation(method, score, centre, abs(score) > limit)
