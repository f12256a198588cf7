"""Where each reporting unit is, as the demo needs it: city, plains, highlands or island, the
ethnic language used in its communication work, and a population that sizes its figures. Taken
from the unit tree and its successions (a commune's old district), never from a list of names."""

import random
from dataclasses import dataclass

from orgs.models import COMMUNE_KINDS, Succession, Unit, UnitKind

# Old districts of the highlands and the language of their largest ethnic group: Quảng Ngãi's
# western districts, and every district of the former Kon Tum province.
HIGHLAND_LANGUAGES = {
    "525": "Co",
    "529": "Hrê",
    "530": "Ca Dong",
    "531": "Hrê",
    "535": "Hrê",
    "608": "Ba Na",
    "610": "Giẻ Triêng",
    "611": "Giẻ Triêng",
    "612": "Xơ Đăng",
    "613": "Xơ Đăng",
    "614": "Ba Na",
    "615": "Xơ Đăng",
    "616": "Gia Rai",
    "617": "Xơ Đăng",
    "618": "Gia Rai",
}
# Residents: (smallest, largest) by region.
POPULATION = {
    "urban": (28_000, 62_000),
    "plains": (16_000, 38_000),
    "highland": (8_000, 24_000),
    "island": (21_000, 23_000),
}


@dataclass(frozen=True)
class Place:
    unit: Unit
    region: str  # "agency", "urban", "plains", "highland" or "island"
    language: str  # the ethnic language of its communication work ("" for Vietnamese only)
    population: int  # residents (0 for an agency)

    @property
    def is_local(self) -> bool:
        return self.region != "agency"

    @property
    def kind_word(self) -> str:
        """ "xã", "phường", "đặc khu", "huyện"…: how the unit's own documents name it."""
        words: dict[str, str] = {
            UnitKind.WARD: "phường",
            UnitKind.SPECIAL_ZONE: "đặc khu",
            UnitKind.COMMUNE: "xã",
        }
        if self.unit.kind in words:
            return words[self.unit.kind]
        if not self.is_local:
            return "cơ quan"
        return next(
            (w.lower() for w in ("Thành phố", "Thị xã") if self.unit.name.startswith(w)), "huyện"
        )

    @property
    def subject(self) -> str:
        """Who acts, as a sentence names it: "UBND xã Ia Chim", "Sở Y tế"."""
        if not self.is_local:
            return self.unit.label
        name = self.unit.name
        short = name.split(" ", 2 if name.startswith(("Đặc khu", "Thị xã", "Thành phố")) else 1)
        return f"UBND {self.kind_word} {short[-1]}"


def _region(unit: Unit, districts: list[str]) -> tuple[str, str]:
    if unit.kind == UnitKind.AGENCY:
        return "agency", ""
    if unit.kind == UnitKind.SPECIAL_ZONE or unit.code == "536":
        return "island", ""
    languages = [HIGHLAND_LANGUAGES[code] for code in districts if code in HIGHLAND_LANGUAGES]
    if unit.kind == UnitKind.WARD or unit.code in ("522", "534", "608"):
        return "urban", ""
    if languages:
        language = "Gia Rai" if unit.name.startswith("Xã Ia ") else languages[0]
        return "highland", language
    return "plains", ""


def places() -> dict[str, Place]:
    """Every agency and local government of the province that reports, by unit code."""
    province = Unit.objects.get(kind=UnitKind.PROVINCE, code="51")
    units = Unit.objects.filter(
        pk__in=Unit.subtree_ids(province.pk),
        kind__in=(UnitKind.AGENCY, UnitKind.DISTRICT, *COMMUNE_KINDS),
    )
    old: dict[int, list[str]] = {}
    for successor, predecessor in Succession.objects.values_list(
        "successor_id", "predecessor__code"
    ):
        old.setdefault(successor, []).append(predecessor)
    found: dict[str, Place] = {}
    people: dict[str, float] = {}  # an old district's residents: its share of each successor's
    for unit in units.order_by("code"):
        districts = old.get(unit.pk, [unit.code])
        region, language = _region(unit, districts)
        low, high = POPULATION.get(region, (0, 0))
        population = random.Random(f"dân số/{unit.code}").randint(low, high) if high else 0
        found[unit.code] = Place(unit, region, language, population)
        for code in old.get(unit.pk, []):
            people[code] = people.get(code, 0) + population / len(districts)
    for code, place in found.items():
        if place.unit.kind == UnitKind.DISTRICT:
            found[code] = Place(place.unit, place.region, place.language, round(people[code]))
    return found
