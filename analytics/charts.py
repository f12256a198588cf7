"""Charts drawn on the server as inline SVG: no script, no library, nothing to download, the
page's Content-Security-Policy untouched (presentation attributes and the site's CSS only).

A chart is groups of marks (a table's lines) with one mark per cell (its columns). Lengths
across are percentages of the chart's width, so one drawing fits a phone and a desktop; each
indicator has its own scale from 0 (a rate and a count never share an axis); a figure that is
hidden ("<5", "x") or missing is named, never drawn. Every mark carries a <title>; the chart as a
whole is an image described by its <title> and <desc>, the table beside it being its data."""

import textwrap
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Okabe–Ito: told apart with the common colour-vision deficiencies, readable on white.
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#4d4d4d"]
LINE = 18  # px per line of a group's label
BAR = 16  # px: a bar's thickness
GAP = 6  # px between bars
PLOT = 110  # px: a line chart's plot height


@dataclass(frozen=True)
class Mark:
    label: str  # the column's label ("" when a group has one mark)
    text: str  # the figure as shown ("" when there is none)
    value: Decimal | None  # None: hidden or missing, not drawn
    scale: str  # marks of one scale share a maximum (an indicator's code)
    series: int  # the column's position: its colour


@dataclass(frozen=True)
class Group:
    label: str
    marks: list[Mark]


def _maxima(groups: list[Group]) -> dict[str, Decimal]:
    top: dict[str, Decimal] = {}
    for group in groups:
        for mark in group.marks:
            if mark.value is not None and mark.value > top.get(mark.scale, Decimal(0)):
                top[mark.scale] = mark.value
    return top


def _share(mark: Mark, top: dict[str, Decimal]) -> float:
    """The mark's value as a share (0–1) of its scale's maximum."""
    if mark.value is None or mark.value <= 0 or not top.get(mark.scale):
        return 0.0
    return float(mark.value / top[mark.scale])


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _said(mark: Mark) -> str:
    return mark.text or _("không có số liệu")


def _frame(kind: str, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text below went through escape()
        f'<svg class="chart {kind}" width="100%" height="{height}" role="img" '
        f'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _heading(label: str, y: int, width: int = 44) -> tuple[list[str], int]:
    parts = []
    for line in textwrap.wrap(label, width) if label else []:
        y += LINE
        parts.append(f'<text class="group" x="0" y="{y - 5}">{escape(line)}</text>')
    return parts, y


def bar_chart(groups: list[Group], *, title: str, desc: str) -> SafeString:
    """Horizontal bars: each group its label above, one bar per mark, the figure at its end."""
    top = _maxima(groups)
    labelled = any(mark.label for group in groups for mark in group.marks)
    start, room = (36.0, 50.0) if labelled else (0.0, 84.0)
    body, y = [], 0
    for group in groups:
        parts, y = _heading(group.label, y + 6)
        body += parts
        for mark in group.marks:
            width = round(_share(mark, top) * room, 2)
            said = f"{group.label} · {mark.label}" if mark.label else group.label
            label = escape(_cut(mark.label, 17))
            body.append(
                f'<g class="bar"><title>{escape(said)}: {escape(_said(mark))}</title>'
                + (f'<text class="label" x="0" y="{y + BAR - 4}">{label}</text>' if label else "")
                + f'<rect x="{start}%" y="{y}" width="{width}%" height="{BAR}" '
                f'fill="{PALETTE[mark.series % len(PALETTE)]}"></rect>'
                f'<text class="value" x="{start + width}%" dx="4" y="{y + BAR - 4}">'
                f"{escape(mark.text or '—')}</text></g>"
            )
            y += BAR + GAP
    return _frame("bars", y + 4, title, desc, body)


def line_chart(groups: list[Group], *, title: str, desc: str) -> SafeString:
    """One small panel per group, the marks left to right (the columns), a line joining the
    figures that are shown; the columns' labels under each panel."""
    top = _maxima(groups)
    body, y = [], 0
    for group in groups:
        parts, y = _heading(group.label, y + 8)
        body += parts
        count = len(group.marks) or 1
        xs = [round(4 + (i + 0.5) * 92 / count, 2) for i in range(count)]
        base = y + PLOT
        body.append(f'<line class="axis" x1="0%" x2="100%" y1="{base}" y2="{base}"></line>')
        points = []
        for x, mark in zip(xs, group.marks, strict=False):
            point = None
            if mark.value is not None:
                point = (x, round(base - 6 - _share(mark, top) * (PLOT - 30), 1))
            points.append(point)
        for a, b in zip(points, points[1:], strict=False):
            if a and b:
                body.append(
                    f'<line class="trend" x1="{a[0]}%" y1="{a[1]}" x2="{b[0]}%" y2="{b[1]}"></line>'
                )
        limit = max(6, 60 // count)
        for x, mark, point in zip(xs, group.marks, points, strict=False):
            said = f"{group.label} · {mark.label}" if mark.label else group.label
            dot_y = point[1] if point else base - 6
            dot = (
                f'<circle cx="{x}%" cy="{dot_y}" r="4" fill="{PALETTE[0]}"></circle>'
                if point
                else ""
            )
            body.append(
                f'<g class="point"><title>{escape(said)}: {escape(_said(mark))}</title>{dot}'
                f'<text class="value" x="{x}%" y="{dot_y - 9}" text-anchor="middle">'
                f"{escape(mark.text or '—')}</text>"
                f'<text class="label" x="{x}%" y="{base + 16}" text-anchor="middle">'
                f"{escape(_cut(mark.label, limit))}</text></g>"
            )
        y = base + 24
    return _frame("lines", y + 4, title, desc, body)
