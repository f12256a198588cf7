"""The counts a report form needs, computed from the recorded activities, models, inspections and
budget lines of a unit for a round's data window.

What each report element counts (each record counts for exactly one unit):
- BDG_HD_TT: communication events, launch ceremonies and Action Month events that started in the
  window. Meetings of the Committee for the Advancement of Women are not communication; media
  products are counted apart (BDG_M6_TIN_BAI).
- BDG_HD_TT_NGUOI (Nam, Nữ): the participants of those events.
- BDG_HD_TH: training classes; BDG_HD_TH_HV (Nam, Nữ): their trainees.
- BDG_M6_TIN_BAI: media products (news, articles, reports).
- BDG_M6_TT_LUOT (Nam, Nữ): people reached by communication: the participants of communication
  events, launches, Action Month events and training classes, and the audience a media product
  recorded by sex.
- BDG_HD_MH: models active at the end of the window, established by then.
- BDG_HD_KT: inspections visited in the window.
- BDG_HD_KP: money spent on the budget lines of the window's year, in million đồng (the
  element's unit of measure), to the thousand.
- BDG_HD_TTHD: Có when the unit recorded an Action Month activity in the window (an activity of
  that kind, or any activity linked to a campaign), else Không.

The reform of 01/07/2025: a record counts for its unit when that unit still exists at the end of
the window; otherwise for the unit's successor whose territory holds the record's commune, else
the successor with the smallest code (and so on, should that one be gone too). The forms refuse a
record dated before its unit existed (a commune formed on 01/07/2025 has no model of 2024).

The province figure of a round is the sum of the counts of the round's units (those with a report
in it), so that it equals the sum of their reports.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from core.roles import PROVINCE_WIDE
from indicators.models import DEFAULT, DataElement, display_value
from orgs.models import Succession, Unit, UnitKind
from orgs.services import PROVINCE_CODE

from .models import (
    Activity,
    BudgetLine,
    Campaign,
    CommunityModel,
    Inspection,
    Kind,
    ModelStatus,
)

EVENTS = (Kind.COMMUNICATION, Kind.LAUNCH, Kind.ACTION_MONTH)
REACHED = (*EVENTS, Kind.TRAINING, Kind.MEDIA)
MALE, FEMALE = "MALE", "FEMALE"
SEX = (MALE, FEMALE)
BOOLEAN = "BDG_HD_TTHD"
MONEY = "BDG_HD_KP"
MILLION = Decimal(1_000_000)
THOUSANDTH = Decimal("0.001")
# element code → the option combos it is counted in, in the order of the report form.
ELEMENTS = {
    "BDG_M6_TT_LUOT": SEX,
    "BDG_M6_TIN_BAI": (DEFAULT,),
    "BDG_HD_TT_NGUOI": SEX,
    "BDG_HD_TH_HV": SEX,
    "BDG_HD_TT": (DEFAULT,),
    "BDG_HD_TH": (DEFAULT,),
    "BDG_HD_MH": (DEFAULT,),
    "BDG_HD_KT": (DEFAULT,),
    MONEY: (DEFAULT,),
    BOOLEAN: (DEFAULT,),
}


class Attribution:
    """The unit that counts a record in a window ending on `day`."""

    def __init__(self, day: datetime.date):
        self.code, self.parent, self.valid = {}, {}, {}
        for unit in Unit.objects.only("code", "parent_id", "valid_from", "valid_to"):
            self.code[unit.pk] = unit.code
            self.parent[unit.pk] = unit.parent_id
            self.valid[unit.pk] = unit.is_valid_on(day)
        self.heirs = defaultdict(list)
        links = Succession.objects.filter(effective_on__lte=day)
        for old, new in links.values_list("predecessor_id", "successor_id"):
            self.heirs[old].append(new)

    def _around(self, unit_id: int | None) -> set[int]:
        """The unit and the units above it."""
        found = set()
        while unit_id is not None and unit_id not in found:
            found.add(unit_id)
            unit_id = self.parent[unit_id]
        return found

    def unit_for(self, unit_id: int, commune_id: int | None = None) -> int:
        seen = set()
        while not self.valid[unit_id] and self.heirs[unit_id] and unit_id not in seen:
            seen.add(unit_id)
            heirs = self.heirs[unit_id]
            holding = [pk for pk in heirs if pk in self._around(commune_id)]
            unit_id = min(holding or heirs, key=self.code.__getitem__)
        return unit_id


def _activity_counts(row: Mapping[str, Any]) -> Counter:
    kind, n, male, female = row["kind"], row["n"], row["male"], row["female"]
    counts = Counter({(BOOLEAN, DEFAULT): row["action_month"]})
    if kind in EVENTS:
        counts.update({("BDG_HD_TT", DEFAULT): n})
        counts.update({("BDG_HD_TT_NGUOI", MALE): male, ("BDG_HD_TT_NGUOI", FEMALE): female})
    elif kind == Kind.TRAINING:
        counts.update({("BDG_HD_TH", DEFAULT): n})
        counts.update({("BDG_HD_TH_HV", MALE): male, ("BDG_HD_TH_HV", FEMALE): female})
    elif kind == Kind.MEDIA:
        counts.update({("BDG_M6_TIN_BAI", DEFAULT): n})
    if kind in REACHED:
        counts.update({("BDG_M6_TT_LUOT", MALE): male, ("BDG_M6_TT_LUOT", FEMALE): female})
    return counts


def _records(start: datetime.date, end: datetime.date):
    """(unit id, commune id or None, Counter) for every group of records that counts in the
    window, grouped in SQL by what decides the unit that counts them."""
    activities = (
        Activity.objects.in_window(start, end)
        .values("unit_id", "commune_id", "kind")
        .annotate(
            n=Count("id"),
            male=Sum("participants_male"),
            female=Sum("participants_female"),
            action_month=Count("id", filter=Q(kind=Kind.ACTION_MONTH) | Q(campaign__isnull=False)),
        )
        .order_by()
    )
    for activity in activities:
        yield activity["unit_id"], activity["commune_id"], _activity_counts(activity)
    models = (
        CommunityModel.objects.filter(status=ModelStatus.ACTIVE, established_on__lte=end)
        .values("unit_id", "commune_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for model in models:
        yield model["unit_id"], model["commune_id"], Counter({("BDG_HD_MH", DEFAULT): model["n"]})
    inspections = (
        Inspection.objects.filter(visited_on__gte=start, visited_on__lte=end)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for inspection in inspections:
        yield inspection["unit_id"], None, Counter({("BDG_HD_KT", DEFAULT): inspection["n"]})
    budget = BudgetLine.objects.filter(year=end.year).values("unit_id").annotate(spent=Sum("spent"))
    for line in budget.order_by():
        yield line["unit_id"], None, Counter({(MONEY, DEFAULT): line["spent"]})


def tally(start: datetime.date, end: datetime.date) -> dict[int, Counter]:
    """unit id → (element code, option combo code) → count, for every unit with a record."""
    who = Attribution(end)
    counts: defaultdict[int, Counter] = defaultdict(Counter)
    for unit_id, commune_id, found in _records(start, end):
        counts[who.unit_for(unit_id, commune_id)].update(found)
    return counts


def province_counts(round_) -> Counter:
    """The sum of the counts of the units with a report in the round, and nothing else."""
    by_unit = tally(round_.window_start, round_.window_end)
    counts: Counter = Counter()
    for unit_id in round_.submissions.values_list("unit_id", flat=True):
        counts.update(by_unit.get(unit_id, Counter()))
    return counts


def as_values(counts: Counter) -> dict[tuple[str, str], str]:
    """Every counted cell as the plain text a report stores (zeros included)."""
    values = {}
    for code, combos in ELEMENTS.items():
        for combo in combos:
            number = counts[code, combo]
            if code == BOOLEAN:
                values[code, combo] = "true" if number else "false"
            elif code == MONEY:
                amount = (Decimal(number) / MILLION).quantize(THOUSANDTH, ROUND_HALF_UP)
                values[code, combo] = format(amount.normalize(), "f") if amount else "0"
            else:
                values[code, combo] = str(number)
    return values


def unit_values(unit: Unit, start: datetime.date, end: datetime.date) -> dict:
    return as_values(tally(start, end).get(unit.pk, Counter()))


def report_values(submission) -> dict[tuple[str, str], str]:
    """The prefill source of the unit's report (registered in apps.py): its counts for the
    round's data window."""
    round_ = submission.round
    return unit_values(submission.unit, round_.window_start, round_.window_end)


# The Action Month board ------------------------------------------------------------------------

BOARD_SUMS = {
    "activities": Count("id"),
    "launches": Count("id", filter=Q(kind=Kind.LAUNCH)),
    "events": Count("id", filter=Q(kind__in=(Kind.COMMUNICATION, Kind.ACTION_MONTH))),
    "trainings": Count("id", filter=Q(kind=Kind.TRAINING)),
    "media": Count("id", filter=Q(kind=Kind.MEDIA)),
    "male": Sum("participants_male", default=0),
    "female": Sum("participants_female", default=0),
    "ethnic": Sum("participants_ethnic", default=0),
    "cost": Sum("cost", default=Decimal(0)),
}
EXPECTED_KINDS = (
    UnitKind.AGENCY,
    UnitKind.DISTRICT,
    UnitKind.COMMUNE,
    UnitKind.WARD,
    UnitKind.SPECIAL_ZONE,
)


@dataclass
class Board:
    totals: dict  # of the activities the user sees: the rows below
    province: dict  # of every activity of the campaign
    by_unit: list[dict]  # BOARD_SUMS + "unit"
    by_commune: list[dict]  # BOARD_SUMS + "commune" (None: no commune recorded)
    silent: list[Unit] | None  # expected units with nothing yet; None when not shown

    @property
    def partial(self) -> bool:
        """The user sees some of the campaign's activities: its own unit's."""
        return self.silent is None


def expected_units(campaign: Campaign):
    """Units expected to take part: the province's agencies and local governments that exist on
    the campaign's last day (the units the annual report asks; before the reform, districts)."""
    province = Unit.objects.get(code=PROVINCE_CODE)
    units = Unit.objects.valid_on(campaign.ends_on).filter(kind__in=EXPECTED_KINDS)
    return units.filter(pk__in=Unit.subtree_ids(province.pk))


def _grouped(activities, field: str) -> list[dict]:
    rows = list(activities.values(field).annotate(**BOARD_SUMS).order_by())
    units = Unit.objects.in_bulk([r[field] for r in rows if r[field] is not None])
    for row in rows:
        row["unit"] = units.get(row.pop(field))
        row["participants"] = row["male"] + row["female"]
    return sorted(rows, key=lambda r: (r["unit"] is None, r["unit"].sort_key if r["unit"] else ""))


def _totals(activities) -> dict:
    totals = activities.aggregate(**BOARD_SUMS)
    totals["participants"] = totals["male"] + totals["female"]
    return totals


def campaign_board(campaign: Campaign, user) -> Board:
    """Activities and participants per unit and per commune, with their totals. Province-wide
    users see every unit and the units with nothing yet; a unit sees its own rows, their total
    and, apart, the province's."""
    everything = Activity.objects.filter(campaign=campaign)
    province = _totals(everything)
    if user.role in PROVINCE_WIDE:
        busy = everything.values("unit_id")
        silent = sorted(
            expected_units(campaign).exclude(pk__in=busy), key=lambda u: (u.kind, u.sort_key)
        )
        return Board(
            province,
            province,
            _grouped(everything, "unit_id"),
            _grouped(everything, "commune_id"),
            silent,
        )
    shown = everything.filter(pk__in=Activity.objects.for_user(user).values("pk"))
    return Board(
        _totals(shown), province, _grouped(shown, "unit_id"), _grouped(shown, "commune_id"), None
    )


def dashboard_figures(round_, user) -> dict:
    """The province's activities in a round's window, and the Action Month under way (or the
    latest begun), for the coordinator's dashboard."""
    values = as_values(province_counts(round_))
    elements = (
        DataElement.objects.filter(code__in=ELEMENTS)
        .exclude(code=BOOLEAN)
        .in_bulk(field_name="code")
    )
    lines = [
        (elements[code], [display_value(elements[code], values[code, c]) for c in combos])
        for code, combos in ELEMENTS.items()
        if code in elements
    ]
    campaign = Campaign.objects.filter(starts_on__lte=timezone.localdate()).first()
    board = campaign_board(campaign, user) if campaign else None
    return {"lines": lines, "campaign": campaign, "board": board}
