"""Checks of a unit's report beyond each cell's own type, on DHIS2's model: the coordinator's
validation rules (indicators.models.ValidationRule), min–max bounds (ValueBound) and values far
from the unit's own history (z-score or modified z-score over its previous rounds of the same
period type). The arithmetic is indicators.validation, over plain values; this module reads the
report's values and says what is wrong in Vietnamese.

One place for every path: the submit gate (reports.services.submissions.submission_problems),
the grid after a saved cell (`cell_findings`), and the whole-round check (`round_findings`). A
value stored through the Excel upload or the API is checked by the same submit gate.

Disclosure (docs/security.md, "Disclosure control across outputs"): a finding on a sensitive
element reaches only readers who see the unit's exact values (`visible`).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from indicators.models import ValidationRule, ValueBound, outside, vi_number
from indicators.validation import MODIFIED_Z, Z_SCORE, Key, deviation, evaluate, format_side

from . import disclosure
from .models import DataValue, Round, Row, Status, Submission

RULE, BOUND, OUTLIER = "rule", "bound", "outlier"
Cell = tuple[int, int]  # (data element id, option combo id)


@dataclass(frozen=True)
class Finding:
    kind: str  # RULE, BOUND or OUTLIER
    text: str
    cells: tuple[Cell, ...]  # the cells it is about, for the grid's notes
    anchor: str = ""  # the id of the first such cell on the report page ("" when not shown)
    blocking: bool = False  # stops the submit (a rule marked so); else needs an explanation
    sensitive: bool = False


def period_type(period: str) -> str:
    """The shape of a DHIS2 period code: "2025" → "9999", "2025S1" → "9999S9", "202501" →
    "999999". Values of a six-month round are not history for an annual one."""
    return "".join("9" if ch.isdigit() else ch for ch in period)


def _vi(number: Decimal) -> str:
    return vi_number(number.normalize() if number == number.to_integral() else number)


class FormChecks:
    """What checks the reports of one form: its table rows, the active rules whose elements are
    all on the form, and the bounds of its elements. Built once (five queries) and applied to any
    number of its reports."""

    def __init__(self, form) -> None:
        self.rows: list[Row] = list(
            form.rows()
            .prefetch_related("data_element__category_combo__option_combos")
            .order_by("section__order", "order", "id")
        )
        self.by_code = {row.data_element.code: row for row in self.rows}
        self.combos = {
            row.pk: list(row.data_element.category_combo.option_combos.all()) for row in self.rows
        }
        self.columns = {
            row.data_element.code: [c.code for c in self.combos[row.pk]] for row in self.rows
        }
        # (element code, combo code) → (row, option combo)
        self.cells = {
            (row.data_element.code, combo.code): (row, combo)
            for row in self.rows
            for combo in self.combos[row.pk]
        }
        self.codes = {
            (row.data_element_id, combo.pk): (row.data_element.code, combo.code)
            for row in self.rows
            for combo in self.combos[row.pk]
        }
        present = set(self.by_code)
        self.rules = [
            rule
            for rule in ValidationRule.objects.filter(active=True)
            if rule.element_codes() and rule.element_codes() <= present
        ]
        self.bounds = {
            (b.data_element_id, b.option_combo_id): b
            for b in ValueBound.objects.filter(
                data_element_id__in=[row.data_element_id for row in self.rows]
            )
        }

    # -- values -------------------------------------------------------------------------------

    def numbers(self, stored: Iterable[tuple[int, int, Decimal | None]]) -> dict[Key, Decimal]:
        """(element code, combo code) → number, from (element id, combo id, number) triples
        (DataValue.number: None for empty, "no data" or text cells, which are left out)."""
        return {
            self.codes[(element, combo)]: number
            for element, combo, number in stored
            if number is not None and (element, combo) in self.codes
        }

    def numbers_of(self, submission: Submission) -> dict[Key, Decimal]:
        return self.numbers(
            submission.values.values_list("data_element_id", "option_combo_id", "number")
        )

    # -- labels -------------------------------------------------------------------------------

    def label(self, key: Key) -> str:
        row, combo = self.cells[key]
        if row.data_element.category_combo.is_default:
            return f"“{row.title}”"
        return f"“{row.title}” ({combo.name})"

    def anchor(self, key: Key) -> str:
        row, combo = self.cells[key]
        return f"c-{row.pk}-{combo.pk}"

    def cell_id(self, key: Key) -> Cell:
        row, combo = self.cells[key]
        return (row.data_element_id, combo.pk)

    # -- the checks ---------------------------------------------------------------------------

    def rule_findings(
        self, numbers: dict[Key, Decimal], elements: set[str] | None = None
    ) -> list[Finding]:
        """The rules `numbers` break (only those naming one of `elements`, when given)."""
        found = []
        for rule in self.rules:
            names = rule.element_codes()
            if elements is not None and not names & elements:
                continue
            outcome = evaluate(
                left=rule.left,
                operator=rule.operator,
                right=rule.right,
                missing=rule.missing,
                values=numbers,
                columns=self.columns,
            )
            if not outcome.violated:
                continue
            keys = [k for k in (*outcome.left.cells, *outcome.right.cells) if k in self.cells]
            sensitive = any(self.by_code[code].data_element.sensitive for code in names)
            text = _("%(message)s (%(left)s %(op)s %(right)s: %(lv)s %(op)s %(rv)s là sai).") % {
                "message": rule.message,
                "left": format_side(rule.left),
                "right": format_side(rule.right),
                "op": rule.symbol,
                "lv": _vi(outcome.left.total),
                "rv": _vi(outcome.right.total),
            }
            found.append(
                Finding(
                    RULE,
                    text,
                    tuple(dict.fromkeys(self.cell_id(k) for k in keys)),
                    anchor=self.anchor(keys[0]) if keys else "",
                    blocking=rule.blocking and not sensitive,
                    sensitive=sensitive,
                )
            )
        return found

    def bound(self, key: Key) -> ValueBound | None:
        row, combo = self.cells[key]
        return self.bounds.get((row.data_element_id, combo.pk)) or self.bounds.get(
            (row.data_element_id, None)
        )

    def bound_findings(
        self, numbers: dict[Key, Decimal], keys: Iterable[Key] | None = None
    ) -> list[Finding]:
        """Values outside their element's min–max bounds."""
        found = []
        for key in self.cells if keys is None else keys:
            bound = self.bound(key) if key in self.cells else None
            value = numbers.get(key)
            if value is None or bound is None or not outside(value, bound.minimum, bound.maximum):
                continue
            text = _("%(cell)s = %(value)s nằm ngoài giới hạn %(range)s.") % {
                "cell": self.label(key),
                "value": _vi(value),
                "range": bound.range,
            }
            found.append(
                Finding(
                    BOUND,
                    text,
                    (self.cell_id(key),),
                    anchor=self.anchor(key),
                    sensitive=self.cells[key][0].data_element.sensitive,
                )
            )
        return found

    def outlier_findings(
        self,
        numbers: dict[Key, Decimal],
        history: dict[Key, list[Decimal]],
        method: str = MODIFIED_Z,
        threshold=None,
    ) -> list[Finding]:
        """Values far from the unit's own previous values of the same cell."""
        found = []
        for key, value in numbers.items():
            if key not in self.cells:
                continue
            far = deviation(value, history.get(key, ()), method, threshold)
            if far is None or not far.flagged:
                continue
            name = _("điểm z") if method == Z_SCORE else _("điểm z hiệu chỉnh")
            centre = _("trung bình") if method == Z_SCORE else _("trung vị")
            text = _(
                "%(cell)s = %(value)s khác xa %(n)s kỳ trước của đơn vị "
                "(%(centre)s %(mid)s, %(name)s %(score)s): cần kiểm tra lại."
            ) % {
                "cell": self.label(key),
                "value": _vi(value),
                "n": len(history[key]),
                "centre": centre,
                "mid": _vi(far.centre.quantize(Decimal("0.1")).normalize()),
                "name": name,
                "score": vi_number(far.score.quantize(Decimal("0.1"))),
            }
            found.append(
                Finding(
                    OUTLIER,
                    text,
                    (self.cell_id(key),),
                    anchor=self.anchor(key),
                    sensitive=self.cells[key][0].data_element.sensitive,
                )
            )
        return found


def histories(
    round_: Round, unit_ids: Iterable[int], element_ids: Iterable[int]
) -> dict[int, dict[tuple[int, int], list[Decimal]]]:
    """unit id → (element id, combo id) → the unit's submitted numbers of earlier rounds of the
    same period type, oldest first (one query)."""
    shape = period_type(round_.period)
    found: dict[int, dict[tuple[int, int], list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        DataValue.objects.filter(
            unit_id__in=list(unit_ids),
            data_element_id__in=list(element_ids),
            number__isnull=False,
            submission__status__in=[Status.SUBMITTED, Status.ACCEPTED],
            round__window_start__lt=round_.window_start,
        )
        .order_by("round__window_start")
        .values_list("unit_id", "data_element_id", "option_combo_id", "number", "round__period")
    )
    for unit, element, combo, number, period in rows:
        if period_type(period) == shape:
            found[unit][(element, combo)].append(number)
    return found


def _keyed(checks: FormChecks, history: dict[tuple[int, int], list[Decimal]]):
    return {checks.codes[c]: numbers for c, numbers in history.items() if c in checks.codes}


def visible(findings: Iterable[Finding], masked: bool) -> list[Finding]:
    """The findings a reader may be told of. A finding on a sensitive element is an oracle on
    its values (a rule "≥ 5", a bound, a history): it reaches only readers who see the unit's
    exact values (`masked` False), and is neither shown, counted nor blocking for others."""
    return [f for f in findings if not (masked and f.sensitive)]


def check(
    submission: Submission,
    *,
    masked: bool,
    checks: FormChecks | None = None,
    method: str = MODIFIED_Z,
    threshold=None,
) -> list[Finding]:
    """Every rule, bound and history finding of one report the reader may be told of (a few
    queries, none per rule)."""
    checks = checks or FormChecks(submission.round.form)
    numbers = checks.numbers_of(submission)
    history = histories(
        submission.round, [submission.unit_id], [row.data_element_id for row in checks.rows]
    ).get(submission.unit_id, {})
    found = [
        *checks.rule_findings(numbers),
        *checks.bound_findings(numbers),
        *checks.outlier_findings(numbers, _keyed(checks, history), method, threshold),
    ]
    return visible(found, masked)


def cell_findings(submission: Submission, row: Row, combo, *, masked: bool) -> list[Finding]:
    """What the grid says after a cell is saved: the rules naming its element that the report
    now breaks, and the cell's own bounds. Two queries when nothing checks the element; the
    whole form's checks (a few more) only when something does."""
    element = row.data_element
    if masked and element.sensitive:
        return []
    named = any(
        element.code in rule.element_codes()
        for rule in ValidationRule.objects.filter(active=True).only("left", "right")
    )
    if not named and not ValueBound.objects.filter(data_element_id=element.pk).exists():
        return []
    checks = FormChecks(submission.round.form)
    numbers = checks.numbers_of(submission)
    key = (row.data_element.code, combo.code)
    found = [
        *checks.rule_findings(numbers, elements={row.data_element.code}),
        *checks.bound_findings(numbers, keys=[key]),
    ]
    return visible(found, masked)


def notes_by_cell(findings: Iterable[Finding]) -> dict[Cell, list[str]]:
    """(element id, combo id) → the texts of the findings about that cell, for the grid."""
    notes: dict[Cell, list[str]] = defaultdict(list)
    for finding in findings:
        for cell in finding.cells:
            notes[cell].append(finding.text)
    return dict(notes)


@dataclass
class UnitFindings:
    submission: Submission
    findings: list[Finding]


def round_findings(
    round_: Round, user, *, method: str = MODIFIED_Z, threshold=None
) -> list[UnitFindings]:
    """Every report of the round the user sees, checked on demand (rules, bounds, history),
    each with what the user may be told of (`visible`); reports with nothing are left out."""
    checks = FormChecks(round_.form)
    submissions = list(
        Submission.objects.for_user(user).for_round(round_).select_related("unit", "round")
    )
    stored: dict[int, list] = defaultdict(list)
    for submission_id, element, combo, number in DataValue.objects.filter(
        submission__in=[s.pk for s in submissions]
    ).values_list("submission_id", "data_element_id", "option_combo_id", "number"):
        stored[submission_id].append((element, combo, number))
    history = histories(
        round_, [s.unit_id for s in submissions], [row.data_element_id for row in checks.rows]
    )
    result = []
    for submission in submissions:
        numbers = checks.numbers(stored.get(submission.pk, []))
        past = _keyed(checks, history.get(submission.unit_id, {}))
        findings = visible(
            [
                *checks.rule_findings(numbers),
                *checks.bound_findings(numbers),
                *checks.outlier_findings(numbers, past, method, threshold),
            ],
            not disclosure.sees_exact(user, submission.unit_id),
        )
        if findings:
            result.append(UnitFindings(submission, findings))
    return result
