"""A unit's figures for a round, sized by where it is and how long the period is.

Figures of a territory (labour, births, violence detected, ethnic-minority pupils, trusted
addresses) come from the communes and wards (before 07/2025 the old districts), each for its own
area; an agency marks them "no data" with the reason, as the form asks, so that nothing is
counted twice. An agency reports its own staff, its activities and its sector's services (Sở Y tế
the medical care of victims, Sở Tư pháp legal aid, Sở Nội vụ the social assistance facilities,
the newspaper and the broadcaster their articles). Values are rounded, parts never exceed their
totals, and ratios sit where Quảng Ngãi's are (sex ratio at birth ~110, maternal mortality around
the 2025 target of 42 per 100,000)."""

import random
from dataclasses import dataclass, field
from decimal import Decimal

from .places import Place

# element code → why an agency has no figure for it.
AREA_ONLY = {
    "BDG_M2_LD": "labour",
    "BDG_M2_LD_LUONG": "labour",
    "BDG_M2_LD_NN": "labour",
    "BDG_M2_DN": "labour",
    "BDG_M3_NN": "cases",
    "BDG_M3_NN_DV": "cases",
    "BDG_M3_GBL": "cases",
    "BDG_M3_GBL_TV": "cases",
    "BDG_M3_MB": "cases",
    "BDG_M3_MB_HT": "cases",
    "BDG_M4_SINH": "births",
    "BDG_M4_TUVONG_ME": "births",
    "BDG_M4_SINH_VTN": "births",
    "BDG_M5_DTTS_L5": "pupils",
    "BDG_M5_DTTS_HT": "pupils",
    "BDG_DV_DCTC": "addresses",
    "BDG_DV_DCTC_LUOT": "addresses",
}
NO_DATA = {
    "labour": "Số liệu lao động, doanh nghiệp do UBND cấp xã tổng hợp theo địa bàn.",
    "cases": "Vụ việc do UBND cấp xã tổng hợp theo địa bàn; đơn vị không báo cáo riêng để tránh "
    "trùng lặp.",
    "births": "Số liệu dân số, sức khỏe sinh sản do UBND cấp xã báo cáo theo địa bàn.",
    "pupils": "Số liệu học sinh do UBND cấp xã báo cáo theo địa bàn.",
    "addresses": "Địa chỉ tin cậy, nhà tạm lánh do UBND cấp xã báo cáo theo địa bàn.",
    "health": "Số liệu do Sở Y tế tổng hợp từ các cơ sở khám bệnh, chữa bệnh.",
    "legal": "Số liệu do Sở Tư pháp tổng hợp (Trung tâm Trợ giúp pháp lý nhà nước).",
    "media": "Truyền thông qua báo, đài không đếm được số lượt người; xem số tin, bài.",
}
# Models running (gender equality clubs, trusted addresses…): the Women's Union runs most.
MODELS = {"HLHPN": (20, 45), "SVHTTDL": (4, 9)}
# Share of the employed who earn a wage, and who work in farming, forestry or fishing.
WAGE = {"urban": 0.62, "plains": 0.38, "highland": 0.17, "island": 0.28}
FARM = {"urban": 0.06, "plains": 0.3, "highland": 0.6, "island": 0.35}


@dataclass
class Figures:
    """element code → (total,) or (male, female), or the reason there is no figure."""

    values: dict[str, tuple[int | Decimal, ...] | str] = field(default_factory=dict)

    def number(self, code: str) -> int | Decimal:
        value = self.values.get(code)
        return sum(value) if isinstance(value, tuple) else 0

    def part(self, code: str, index: int) -> int | Decimal:
        value = self.values.get(code)
        return value[index] if isinstance(value, tuple) and len(value) > index else 0


def _split(total: int, female: float, rng: random.Random) -> tuple[int, int]:
    """(male, female) of `total`, the female share jittered a little."""
    women = round(total * min(1.0, max(0.0, female + rng.uniform(-0.04, 0.04))))
    return total - women, women


def _part(whole: tuple[int, ...], share: tuple[float, float], rng) -> tuple[int, ...]:
    return tuple(min(n, round(n * rng.uniform(*share))) for n in whole)


def _territory(place: Place, share: float, rng: random.Random, steady, out: dict) -> None:
    """The figures of a commune's (or an old district's) own area; `steady` draws what hardly
    changes within a year (people at work, firms, pupils, trusted addresses)."""
    people = place.population
    employed = round(people * steady.uniform(0.53, 0.58))
    out["BDG_M2_LD"] = labour = _split(employed, 0.48, steady)
    wage, farm = WAGE[place.region], FARM[place.region]
    out["BDG_M2_LD_LUONG"] = (round(labour[0] * wage * 1.12), round(labour[1] * wage * 0.88))
    out["BDG_M2_LD_NN"] = (round(labour[0] * farm * 0.95), round(labour[1] * farm * 1.05))
    owners = {"urban": 380, "plains": 900, "island": 700}.get(place.region, 2500)
    out["BDG_M2_DN"] = _split(max(2, people // owners), 0.26, steady)
    victims = rng.randint(0, max(1, round(people * 0.00022 * share)))
    out["BDG_M3_NN"] = (rng.randint(0, 1) if victims > 2 else 0, victims)
    out["BDG_M3_NN_DV"] = _part(out["BDG_M3_NN"], (0.75, 1.0), rng)
    out["BDG_M3_GBL"] = (victims, 0)
    out["BDG_M3_GBL_TV"] = _part(out["BDG_M3_GBL"], (0.45, 0.7), rng)
    trafficked = 1 if place.region == "highland" and rng.random() < 0.08 else 0
    out["BDG_M3_MB"] = (0, trafficked)
    out["BDG_M3_MB_HT"] = (0, trafficked)
    births = round(people * 0.0145 * share * rng.uniform(0.9, 1.1))
    boys = round(births * (1.1 + rng.uniform(-0.05, 0.06)) / (2.1 + rng.uniform(-0.05, 0.06)))
    out["BDG_M4_SINH"] = (boys, births - boys)
    risk = 0.0009 if place.region == "highland" else 0.0003
    out["BDG_M4_TUVONG_ME"] = (1 if rng.random() < births * risk else 0,)
    teen = 0.09 if place.region == "highland" else 0.03
    out["BDG_M4_SINH_VTN"] = (round(births * teen * rng.uniform(0.7, 1.3)),)
    minority = {"highland": 0.016, "plains": 0.0005, "urban": 0.0004}.get(place.region, 0)
    pupils = _split(round(people * minority), 0.48, steady)
    out["BDG_M5_DTTS_L5"] = pupils
    out["BDG_M5_DTTS_HT"] = _part(pupils, (0.9, 0.99), steady)
    addresses = steady.randint(1, 2) if place.region == "highland" else steady.randint(0, 2)
    out["BDG_DV_DCTC"] = (addresses,)
    out["BDG_DV_DCTC_LUOT"] = (0, rng.randint(0, min(victims, 2 * addresses)))


def _agency(place: Place, share: float, rng: random.Random, steady, out: dict) -> None:
    """An agency's own figures and its sector's services; territory figures: no data."""
    code = place.unit.code
    for element, reason in AREA_ONLY.items():
        out[element] = NO_DATA[reason]
    out["BDG_DV_YTE"] = NO_DATA["health"]
    out["BDG_DV_TGPL"] = NO_DATA["legal"]
    if code == "SYT":
        out["BDG_DV_YTE"] = (round(rng.randint(3, 8) * share), round(rng.randint(40, 90) * share))
    if code == "STP":
        out["BDG_DV_TGPL"] = (round(rng.randint(18, 40) * share),)
    facilities = (5, 4) if code == "SNV" else (0, 0)
    out["BDG_M3_CSTG"], out["BDG_M3_CSTG_BLG"] = (facilities[0],), (facilities[1],)
    staff = steady.randint(40, 120) if code in ("SYT", "SGDDT") else steady.randint(4, 30)
    out["BDG_M5_THS"] = _split(staff, 0.52, steady)
    out["BDG_M5_TS"] = _split(steady.randint(0, 4), 0.35, steady)


def figures(place: Place, *, share: float, year: int, rng: random.Random) -> Figures:
    """The unit's figures for a period of `share` of a year (0.5 for six months) in `year`:
    what it did drawn from `rng`, what it has (staff, firms, pupils, addresses, models) the same
    in every round."""
    out: dict = {}
    growth = 1 + 0.05 * (year - 2025)
    code, district = place.unit.code, place.unit.kind == "district"
    steady = random.Random(f"ổn định/{code}")
    bodies = steady.randint(11, 14) if district else 1  # an old district: its offices
    out["BDG_M1_CQ"] = (bodies,)
    female_head = random.Random(f"lãnh đạo nữ/{code}").random() < 0.32 or code == "HLHPN"
    heads = round(bodies * steady.uniform(0.2, 0.4)) if district else int(female_head)
    out["BDG_M1_CQ_LDNU"] = (min(bodies, heads),)
    leaders = steady.randint(40, 70) if district else steady.randint(8, 30)
    out["BDG_M1_LDQL"] = _split(leaders, 0.88 if code == "HLHPN" else 0.3, steady)
    if not place.is_local:
        _agency(place, share, rng, steady, out)
    else:
        _territory(place, share, rng, steady, out)
        out["BDG_M3_CSTG"], out["BDG_M3_CSTG_BLG"] = (0,), (0,)
        masters = steady.randint(8, 20) if district else steady.randint(0, 3)
        out["BDG_M5_THS"] = _split(masters, 0.5, steady)
        out["BDG_M5_TS"] = (0, int(district and steady.random() < 0.3))
        out["BDG_DV_YTE"] = NO_DATA["health"]
        out["BDG_DV_TGPL"] = NO_DATA["legal"]
    _activities(place, share * growth, rng, out)
    out["BDG_HD_MH"] = (steady.randint(*MODELS.get(code, (0, 3))),)
    return Figures(out)


def _activities(place: Place, share: float, rng: random.Random, out: dict) -> None:
    """Communication, training, models, inspections, spending, the Action Month."""
    code, people = place.unit.code, place.population
    talks = max(1, round(rng.randint(6, 28) * share))
    out["BDG_HD_TT"] = (talks,)
    out["BDG_HD_TT_NGUOI"] = _split(talks * rng.randint(40, 95), 0.6, rng)
    classes = rng.randint(0, 3) if place.is_local else rng.randint(1, 5)
    out["BDG_HD_TH"] = (classes,)
    out["BDG_HD_TH_HV"] = _split(classes * rng.randint(25, 50), 0.56, rng)
    checks = {"SVHTTDL": (5, 14), "SNV": (4, 9)}.get(code, (0, 3))
    out["BDG_HD_KT"] = (round(rng.randint(*checks) * max(share, 0.5)),)
    if place.is_local:
        reach = round(people * rng.uniform(0.4, 0.85) * share)
        out["BDG_M6_TT_LUOT"] = _split(reach, 0.55, rng)
        out["BDG_M6_TIN_BAI"] = (round(rng.randint(6, 24) * share),)
        spent = rng.uniform(8, 60) * (4 if place.unit.kind == "district" else 1)
    else:
        media = code in ("BQN", "DPTTH")
        out["BDG_M6_TT_LUOT"] = (
            NO_DATA["media"] if media else _split(rng.randint(300, 4500), 0.55, rng)
        )
        articles = {"BQN": (70, 140), "DPTTH": (90, 200)}.get(code, (2, 20))
        out["BDG_M6_TIN_BAI"] = (round(rng.randint(*articles) * share),)
        spent = rng.uniform(250, 600) if code == "SNV" else rng.uniform(20, 300)
    # Millions of đồng, to the hundred thousand.
    out["BDG_HD_KP"] = (Decimal(str(round(spent * share, 1))),)
    out["BDG_HD_TTHD"] = (int(rng.random() < 0.96),)
