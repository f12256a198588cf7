"""The figures the dashboards and the synthesis show: strategy targets against a unit's figures,
a few elements by sex, numbers printed the Vietnamese way; computed through analytics.engine
(the API's code path, suppression included)."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import User
from indicators.models import DataElement, Target, vi_number
from reports.models import Round

from . import engine

GBV_SERVICES = ["BDG_M3_NN", "BDG_M3_NN_DV", "BDG_DV_DCTC_LUOT", "BDG_DV_TGPL", "BDG_DV_YTE"]


@dataclass
class TargetLine:
    code: str
    name: str
    unit: str
    value: Decimal | None
    shown: str
    target: Target
    status: str
    # Outside the indicator's plausible range (ComputedIndicator.plausible_min/max): a data error
    # to check, neither met nor missed; `plausible` is the range as people read it.
    implausible: bool = False
    plausible: str = ""

    @property
    def tone(self) -> str:
        return {_("Đạt"): "ok", _("Chưa đạt"): "late"}.get(self.status, "none")

    @property
    def bar(self) -> int:
        """Width (0–100) of the value's bar, on a scale where the target sits at 80."""
        if self.value is None or not self.target.value or self.implausible:
            return 0
        return max(0, min(100, int(self.value / self.target.value * 80)))


def printed(result: engine.Result, row: engine.Row | None) -> str:
    """The engine's text for a row (suppression included), numbers written the Vietnamese way."""
    if row is None:
        return ""
    shown = result.text(row)
    if shown == "" or result.marker(row):
        return shown
    return vi_number(Decimal(shown))


def target_lines(
    *, user: User, round_: Round, unit_code: str, accepted_only: bool = False
) -> tuple[dict[int, list[TargetLine]], engine.Result]:
    """Each strategy target the forms measure, by objective, with the unit's figure; and the
    engine's result (for its "as of" time)."""
    chosen = Target.for_year(round_.window_end.year)
    codes = [t.indicator.code for t in chosen.values()]
    result = engine.aggregate(
        user=user,
        indicators=codes,
        rounds=[round_.code],
        units=[unit_code],
        accepted_only=accepted_only,
    )
    rows = {r.dx: r for r in result.rows if r.ou == unit_code}
    lines = defaultdict(list)
    for target in sorted(chosen.values(), key=lambda t: (t.objective or 0, t.code)):
        indicator = target.indicator
        row = rows.get(indicator.code)
        value = row.value if row else None
        shown = printed(result, row)
        # A suppressed figure ("<5", "x") is not judged: its value is not the reader's to know.
        suppressed = bool(row and result.marker(row))
        implausible = not suppressed and indicator.implausible(value)
        if suppressed:
            status = ""
        elif implausible:
            status = _("Cần kiểm tra số liệu")
        else:
            status = target.assess(value)
        lines[target.objective or 0].append(
            TargetLine(
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit_of_measure,
                value=value,
                shown=shown,
                target=target,
                status=status,
                implausible=implausible,
                plausible=indicator.plausible_range,
            )
        )
    return dict(lines), result


def element_figures(
    *, user: User, round_: Round, unit_code: str, codes: list[str], accepted_only: bool = False
) -> list[tuple[DataElement, str, str, str]]:
    """(element, Nam, Nữ, total) rows for a few elements of the round's form."""
    present = set(round_.form.rows().values_list("data_element__code", flat=True))
    elements = [e for e in DataElement.objects.filter(code__in=codes) if e.code in present]
    if not elements:
        return []
    result = engine.aggregate(
        user=user,
        elements=[e.code for e in elements],
        rounds=[round_.code],
        units=[unit_code],
        by_combo=True,
        accepted_only=accepted_only,
    )
    cells = {(r.dx, r.co): r for r in result.rows if r.ou == unit_code}
    return [
        (
            e,
            printed(result, cells.get((e.code, "MALE"))),
            printed(result, cells.get((e.code, "FEMALE"))),
            printed(result, cells.get((e.code, None))),
        )
        for e in sorted(elements, key=lambda e: codes.index(e.code))
    ]


def by_objective(lines: dict[int, list[TargetLine]]) -> list[tuple[str, list[TargetLine]]]:
    """(objective's name, its lines), objective by objective, as the dashboards list them."""
    names = objective_names()
    return [(names.get(number, ""), lines[number]) for number in sorted(lines)]


def objective_names() -> dict[int, str]:
    return {
        1: _("Mục tiêu 1: Chính trị — phụ nữ tham gia lãnh đạo, quản lý"),
        2: _("Mục tiêu 2: Kinh tế, lao động, việc làm"),
        3: _("Mục tiêu 3: Đời sống gia đình, phòng ngừa bạo lực trên cơ sở giới"),
        4: _("Mục tiêu 4: Y tế"),
        5: _("Mục tiêu 5: Giáo dục, đào tạo"),
        6: _("Mục tiêu 6: Thông tin, truyền thông"),
        0: _("Khác"),
    }
