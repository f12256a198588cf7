"""Numerator and denominator expressions of computed indicators, as people type them.

A term is an element code, optionally with an option combo in brackets: `BDG_M2_DN[FEMALE]`.
Terms are only added (`A + B[FEMALE]`): a ratio of sums is what the strategy targets measure, and
subtraction would let a ratio go negative. Stored as [{"element": code, "combo": code | None}].
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import CategoryOptionCombo, DataElement

TERM = re.compile(r"^([A-Za-z0-9_.-]+)\s*(?:\[\s*([A-Za-z0-9_.-]+)\s*\])?$")


def parse_expression(text: str) -> list[dict]:
    """The terms of `text`, or a ValidationError naming every malformed term."""
    parts = [part.strip() for part in (text or "").split("+")]
    if not any(parts):
        raise ValidationError(_("Cần ít nhất một chỉ tiêu, ví dụ “BDG_M2_DN[FEMALE]”."))
    terms, problems = [], []
    for part in parts:
        match = TERM.match(part)
        if match is None:
            problems.append(
                _("“%(term)s” không đúng dạng MÃ hoặc MÃ[PHƯƠNG_ÁN].") % {"term": part or "+"}
            )
        else:
            terms.append({"element": match[1], "combo": match[2] or None})
    if problems:
        raise ValidationError(problems)
    return terms


def format_expression(terms: list[dict]) -> str:
    return " + ".join(
        term["element"] + (f"[{term['combo']}]" if term.get("combo") else "") for term in terms
    )


def known_elements() -> dict[str, tuple[bool, set[str]]]:
    """Element code → (numeric?, codes of its option combos), for checking expressions."""
    combos: dict[int, set[str]] = {}
    for combo_id, code in CategoryOptionCombo.objects.values_list("combo_id", "code"):
        combos.setdefault(combo_id, set()).add(code)
    return {
        e.code: (e.is_numeric, combos.get(e.category_combo_id, set()))
        for e in DataElement.objects.only("code", "value_type", "category_combo_id")
    }


def check_terms(terms: list[dict], elements: dict[str, tuple[bool, set[str]]]) -> list[str]:
    """Problems with terms that name unknown or non-numeric elements or foreign option combos."""
    problems = []
    for term in terms:
        code, combo = term["element"], term.get("combo")
        if code not in elements:
            problems.append(_("Không có chỉ tiêu dữ liệu mã %(code)s.") % {"code": code})
            continue
        numeric, combos = elements[code]
        if not numeric:
            problems.append(_("Chỉ tiêu %(code)s không phải kiểu số.") % {"code": code})
        if combo and combo not in combos:
            problems.append(
                _("Chỉ tiêu %(code)s không có phương án phân tổ %(combo)s (có: %(known)s).")
                % {"code": code, "combo": combo, "known": ", ".join(sorted(combos))}
            )
    return problems


def clean_expression(text: str, elements=None) -> list[dict]:
    """Parse and check against the catalogue: the terms, or a ValidationError."""
    terms = parse_expression(text)
    problems = check_terms(terms, known_elements() if elements is None else elements)
    if problems:
        raise ValidationError(problems)
    return terms
