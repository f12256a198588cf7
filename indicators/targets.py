"""Reading the strategy's target values as the reference file writes them."""

import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _l

from .models import Direction

# The sex ratio at birth is pushed up by sex selection: its 2025/2030 figures are ceilings.
DIRECTION_OVERRIDES = {"M4-CT1": Direction.AT_MOST}

# Longest words first: "không dưới" must win over "dưới".
OPERATORS = [
    ("không vượt quá", Direction.AT_MOST),
    ("không quá", Direction.AT_MOST),
    ("không dưới", Direction.AT_LEAST),
    ("ít nhất", Direction.AT_LEAST),
    ("khoảng", Direction.ABOUT),
    ("dưới", Direction.AT_MOST),
    ("trên", Direction.AT_LEAST),
    ("<=", Direction.AT_MOST),
    (">=", Direction.AT_LEAST),
    ("≤", Direction.AT_MOST),
    ("≥", Direction.AT_LEAST),
    ("<", Direction.AT_MOST),
    # ">90" (strictly above) has no direction of its own: at least is the closest reading.
    (">", Direction.AT_LEAST),
    ("~", Direction.ABOUT),
]
WORDS = "|".join(re.escape(word) for word, _d in OPERATORS)
NUMBER = re.compile(rf"({WORDS})?\s*(\d+(?:[.,]\d+)?)", re.IGNORECASE)
# "from 2025" holds a year, not a value; "maintained" keeps a milestone reached.
MILESTONE = re.compile(r"^\s*(from|từ năm|từ|since)\s+\d{4}\b|^\s*(maintained|duy trì)", re.I)


def parse_target_value(text: str, default: str = Direction.AT_LEAST) -> tuple[Decimal | None, str]:
    """(value, direction) of a target as written: "60", "<30", ">=27", "~60", "1,7", "from 2025",
    "masters >=50; doctors 30" (the first part: the one a linked indicator measures), or blank.

    A bare number takes `default`: at least for shares to reach, at most for what must fall."""
    text = (text or "").strip()
    if not text:
        return None, default
    if MILESTONE.search(text):
        return None, Direction.MILESTONE
    match = NUMBER.search(text.split(";")[0])
    if match is None:
        return None, Direction.MILESTONE
    operator = (match[1] or "").lower()
    direction = dict(OPERATORS).get(operator, default)
    return Decimal(match[2].replace(",", ".")), direction


def verification_status(verification: str) -> str:
    """verified | partial | unverified, from the reference file's free text."""
    text = (verification or "").strip().lower()
    if text.startswith("verified") or text.startswith("đã kiểm chứng"):
        return "verified"
    if text.startswith("partial") or text.startswith("kiểm chứng một phần"):
        return "partial"
    return "unverified"


OBJECTIVES = {
    1: _l("Mục tiêu 1: Chính trị (phụ nữ tham gia lãnh đạo, quản lý)"),
    2: _l("Mục tiêu 2: Kinh tế, lao động"),
    3: _l("Mục tiêu 3: Đời sống gia đình, phòng ngừa và ứng phó với bạo lực trên cơ sở giới"),
    4: _l("Mục tiêu 4: Y tế"),
    5: _l("Mục tiêu 5: Giáo dục và đào tạo"),
    6: _l("Mục tiêu 6: Thông tin và truyền thông"),
}


def group_targets(targets) -> tuple[list[int], list[dict]]:
    """(years, objectives): each objective with one line per target code and a cell per year."""
    targets = list(targets)
    years = sorted({t.year for t in targets})
    objectives: dict = {}
    for target in targets:
        group = objectives.setdefault(
            target.objective,
            {
                "number": target.objective,
                "name": OBJECTIVES.get(target.objective, _l("Mục tiêu khác")),
                "lines": {},
            },
        )
        line = group["lines"].setdefault(
            target.code, {"code": target.code, "targets": {}, "first": target}
        )
        line["targets"][target.year] = target
    result = []
    for key in sorted(objectives, key=lambda n: (n is None, n or 0)):
        group = objectives[key]
        lines = []
        for line in group["lines"].values():
            latest = line["targets"][max(line["targets"])]
            lines.append(
                {
                    "code": line["code"],
                    "target": latest,  # description, unit, source: the latest year's wording
                    "cells": [line["targets"].get(year) for year in years],
                    "indicator": next(
                        (t.indicator for t in line["targets"].values() if t.indicator), None
                    ),
                    "status": worst_status(t.verification for t in line["targets"].values()),
                }
            )
        result.append({**group, "lines": lines})
    return years, result


def worst_status(verifications) -> str:
    statuses = {verification_status(v) for v in verifications}
    for status in ("unverified", "partial"):
        if status in statuses:
            return status
    return "verified"
