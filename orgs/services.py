import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from audit.models import Action
from audit.services import diff, record_event, save_audited, snapshot

from .models import EthnicGroup, Succession, Unit, UnitKind, ethnic_key
from .signals import units_loaded

DATA = Path(__file__).resolve().parent / "data"
PROVINCE_CODE = "51"
KON_TUM_CODE = "62"
REFORM_DAY = datetime.date(2025, 7, 1)
LAST_DAY_OF_DISTRICTS = REFORM_DAY - datetime.timedelta(days=1)
COMMUNE_KINDS = {"xã": UnitKind.COMMUNE, "phường": UnitKind.WARD, "đặc khu": UnitKind.SPECIAL_ZONE}


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    links_created: int = 0

    def __str__(self):
        return (
            f"{len(self.created)} đơn vị mới, {len(self.updated)} đơn vị cập nhật, "
            f"{self.links_created} liên kết kế thừa mới"
        )


def _read(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def reference_units() -> list[dict]:
    """Every unit the reference files define, as field dicts keyed by code (parents first)."""
    units: list[dict[str, str | datetime.date | None]] = [
        {
            "code": PROVINCE_CODE,
            "name": "Tỉnh Quảng Ngãi",
            "short_name": "Quảng Ngãi",
            "kind": UnitKind.PROVINCE,
            "parent": None,
            "valid_from": None,
            "valid_to": None,
            "note": "Từ 01/07/2025 gồm cả tỉnh Kon Tum (cũ) theo Nghị quyết 202/2025/QH15.",
        }
    ]
    # Kon Tum's districts were not Quảng Ngãi's: they sit under the old province, which passed
    # into Quảng Ngãi on the reform day (a succession link, like every other).
    units.append(
        {
            "code": KON_TUM_CODE,
            "name": "Tỉnh Kon Tum (cũ)",
            "short_name": "Kon Tum (cũ)",
            "kind": UnitKind.PROVINCE,
            "parent": None,
            "valid_from": None,
            "valid_to": LAST_DAY_OF_DISTRICTS,
            "note": "Hợp nhất vào tỉnh Quảng Ngãi từ 01/07/2025 (Nghị quyết 202/2025/QH15).",
        }
    )
    for row in _read("agencies.csv"):
        units.append(
            {
                "code": row["code"],
                "name": row["name"],
                "short_name": row["short_name"],
                "kind": UnitKind.AGENCY,
                "parent": PROVINCE_CODE,
                "valid_from": None,
                "valid_to": None,
                "note": f"Mục IV.{row['plan_number']} của Kế hoạch bình đẳng giới năm 2025.",
            }
        )
    for row in _read("quang_ngai_old_districts.csv"):
        units.append(
            {
                "code": row["code"],
                "name": row["name"],
                "short_name": "",
                "kind": UnitKind.DISTRICT,
                "parent": KON_TUM_CODE if row["old_province"] == "Kon Tum" else PROVINCE_CODE,
                "valid_from": None,
                "valid_to": LAST_DAY_OF_DISTRICTS,
                "note": f"Thuộc tỉnh {row['old_province']} (cũ); "
                f"{row['n_commune_units_pre2025']} đơn vị cấp xã trước sắp xếp.",
            }
        )
    for row in _read("quang_ngai_units_2025.csv"):
        units.append(
            {
                "code": row["code"],
                "name": row["name"],
                "short_name": "",
                "kind": COMMUNE_KINDS[row["type"]],
                "parent": PROVINCE_CODE,
                "valid_from": REFORM_DAY,
                "valid_to": None,
                "note": f"Hình thành từ: {row['old_units']} ({row['old_districts']}, "
                f"tỉnh {row['old_province']} cũ).",
            }
        )
    return units


def reference_successions() -> list[tuple[str, str]]:
    """(old unit code, new unit code) pairs: a district whose communes went into the unit."""
    district_codes = {row["name"]: row["code"] for row in _read("quang_ngai_old_districts.csv")}
    pairs = [(KON_TUM_CODE, PROVINCE_CODE)]
    for row in _read("quang_ngai_units_2025.csv"):
        for name in row["old_districts"].split(";"):
            pairs.append((district_codes[name.strip()], row["code"]))
    return pairs


def reference_ethnic_groups() -> list[dict]:
    """The 54 groups of orgs/data/ethnic_groups.csv: code, name, sort order, other names."""
    return [
        {
            "code": row["code"],
            "name": row["name"],
            "sort_order": position,
            "aliases": [a.strip() for a in row["aliases"].split(";") if a.strip()],
        }
        for position, row in enumerate(_read("ethnic_groups.csv"), start=1)
    ]


def ethnic_group_codes() -> dict[str, str]:
    """ethnic_key of every name and other name of the reference list → its code."""
    codes = {}
    for row in reference_ethnic_groups():
        for name in [row["name"], *row["aliases"]]:
            codes[ethnic_key(name)] = row["code"]
    return codes


def load_ethnic_groups(model=EthnicGroup) -> int:
    """Create the groups of the reference list that are missing (never overwrites an admin's
    edit); `model` may be a migration's historical model. The number created."""
    existing = set(model.objects.values_list("code", flat=True))
    missing = [
        model(code=row["code"], name=row["name"], sort_order=row["sort_order"])
        for row in reference_ethnic_groups()
        if row["code"] not in existing
    ]
    model.objects.bulk_create(missing)
    return len(missing)


@transaction.atomic
def load_reference_units(*, refresh: bool = False) -> LoadReport:
    """Create the units and succession links the reference files define; never duplicate.

    Existing units are left as the coordinator edited them unless `refresh` is asked for.
    """
    report = LoadReport()
    by_code = {unit.code: unit for unit in Unit.objects.all()}
    for data in reference_units():
        values = {**data, "parent": by_code.get(data["parent"])}
        unit = by_code.get(data["code"])
        if unit is None:
            unit = Unit.objects.create(**values)
            by_code[unit.code] = unit
            report.created.append(unit.code)
            record_event(actor=None, action=Action.CREATE, obj=unit, label=unit.name)
        elif refresh:
            before = snapshot(unit, Unit.AUDITED)
            for name, value in values.items():
                setattr(unit, name, value)
            changes = diff(before, snapshot(unit, Unit.AUDITED))
            if changes:
                unit.version += 1
                unit.save()
                report.updated.append(unit.code)
                record_event(actor=None, action=Action.UPDATE, obj=unit, changes=changes)
    existing = set(Succession.objects.values_list("predecessor__code", "successor__code"))
    for old, new in reference_successions():
        if (old, new) not in existing:
            Succession.objects.create(
                predecessor=by_code[old], successor=by_code[new], effective_on=REFORM_DAY
            )
            existing.add((old, new))
            report.links_created += 1
    load_ethnic_groups()
    units_loaded.send(sender=Unit)
    return report


@transaction.atomic
def close_unit(*, unit: Unit, valid_to, successors, expected_version: int, actor, request=None):
    """End a unit's validity and link it to the units that take over (one reform step)."""
    unit.version = expected_version
    unit.valid_to = valid_to
    current = save_audited(actor=actor, obj=unit, fields=Unit.AUDITED, request=request)
    for successor in successors:
        link, created = Succession.objects.get_or_create(
            predecessor=current,
            successor=successor,
            defaults={"effective_on": valid_to + datetime.timedelta(days=1)},
        )
        if created:
            record_event(actor=actor, action=Action.CREATE, obj=link, request=request)
    return current


ETHNIC_FIELDS = ["name", "active", "sort_order"]
LINK_FIELDS = ["predecessor", "successor", "effective_on", "note"]


def save_unit(*, form, actor, request=None) -> Unit:
    """Create or edit a unit (ConcurrentEdit when someone saved it since the form was opened)."""
    return save_audited(actor=actor, form=form, fields=Unit.AUDITED, request=request)


def add_succession(*, form, actor, request=None) -> Succession:
    return save_audited(actor=actor, form=form, fields=LINK_FIELDS, request=request)


def save_ethnic_group(*, form, actor, request=None) -> EthnicGroup:
    return save_audited(actor=actor, form=form, fields=ETHNIC_FIELDS, request=request)
