"""The strategy loader: every reference row read right, twice without duplicates."""

import csv
from decimal import Decimal

import pytest
from django.core.management import call_command

from indicators.expressions import check_terms, format_expression, known_elements
from indicators.models import ComputedIndicator, DataElement, Direction, Target
from indicators.services import DATA, load_catalogue
from indicators.targets import parse_target_value, verification_status

pytestmark = [pytest.mark.django_db]

D = Decimal
# (code, year): (value, direction) for every row and year of the reference file.
EXPECTED = {
    ("M1-CT", 2025): (D(60), "at_least"),
    ("M1-CT", 2030): (D(75), "at_least"),
    ("M2-CT1", 2025): (D(50), "at_least"),
    ("M2-CT1", 2030): (D(60), "about"),
    ("M2-CT2", 2025): (D(30), "at_most"),
    ("M2-CT2", 2030): (D(25), "at_most"),
    ("M2-CT3", 2025): (D(27), "at_least"),
    ("M2-CT3", 2030): (D(30), "at_least"),
    ("M3-CT1", 2025): (D("1.7"), "at_most"),
    ("M3-CT1", 2030): (D("1.4"), "at_most"),
    ("M3-CT2a", 2025): (D(80), "at_least"),
    ("M3-CT2a", 2030): (D(90), "at_least"),
    ("M3-CT2b", 2025): (D(50), "at_least"),
    ("M3-CT2b", 2030): (D(70), "at_least"),
    ("M3-CT3", 2025): (D(100), "at_least"),
    ("M3-CT3", 2030): (D(100), "at_least"),
    ("M3-CT4", 2025): (D(70), "at_least"),
    ("M3-CT4", 2030): (D(100), "at_least"),
    ("M4-CT1", 2025): (D(111), "at_most"),
    ("M4-CT1", 2030): (D(109), "at_most"),
    ("M4-CT2", 2025): (D(42), "at_most"),
    ("M4-CT2", 2030): (D(42), "at_most"),
    ("M4-CT3", 2025): (D(18), "at_most"),
    ("M4-CT3", 2030): (D(18), "at_most"),
    ("M4-CT4", 2025): (D(40), "at_least"),
    ("M4-CT4", 2030): (D(70), "at_least"),
    ("M5-CT1", 2025): (None, "milestone"),
    ("M5-CT1", 2030): (None, "milestone"),
    ("M5-CT2", 2025): (D(90), "at_least"),
    ("M5-CT2", 2030): (D(99), "about"),
    ("M5-CT3", 2025): (D(50), "at_least"),
    ("M5-CT3", 2030): (D(50), "at_least"),
    ("M6-CT1", 2025): (D(60), "at_least"),
    ("M6-CT1", 2030): (D(80), "at_least"),
    ("M6-CT2", 2025): (None, "at_least"),
    ("M6-CT2", 2030): (None, "at_least"),
}
LINKS = {
    "M1-CT": ("BDG_M1_CQ_LDNU", "BDG_M1_CQ"),
    "M2-CT1": ("BDG_M2_LD_LUONG[FEMALE]", "BDG_M2_LD_LUONG"),
    "M2-CT2": ("BDG_M2_LD_NN[FEMALE]", "BDG_M2_LD[FEMALE]"),
    "M2-CT3": ("BDG_M2_DN[FEMALE]", "BDG_M2_DN"),
    "M3-CT2a": ("BDG_M3_NN_DV", "BDG_M3_NN"),
    "M3-CT2b": ("BDG_M3_GBL_TV", "BDG_M3_GBL"),
    "M3-CT3": ("BDG_M3_MB_HT", "BDG_M3_MB"),
    "M3-CT4": ("BDG_M3_CSTG_BLG", "BDG_M3_CSTG"),
    "M4-CT1": ("BDG_M4_SINH[MALE]", "BDG_M4_SINH[FEMALE]"),
    "M5-CT2": ("BDG_M5_DTTS_HT", "BDG_M5_DTTS_L5"),
    "M5-CT3": ("BDG_M5_THS[FEMALE]", "BDG_M5_THS"),
}


def test_every_row_and_year_is_read_with_its_value_and_direction():
    load_catalogue()
    rows = list(csv.DictReader((DATA / "strategy_2021_2030_targets.csv").open(encoding="utf-8")))
    assert len(rows) == 18 and Target.objects.count() == 38  # + the doctors half of M5-CT3
    for row in rows:
        for year in (2025, 2030):
            target = Target.objects.get(code=row["target_code"], year=year)
            assert (target.value, target.direction) == EXPECTED[(target.code, year)], target
            assert target.value_text == row[f"target_{year}"]
            assert target.verification == row["verification"]
            assert target.source == row["source"]
            assert target.objective == int(row["objective_no"])


def test_targets_link_to_indicators_over_the_2025_form_elements():
    load_catalogue()
    elements = known_elements()
    for code, (numerator, denominator) in LINKS.items():
        indicator = ComputedIndicator.objects.get(code=code)
        assert {t.indicator for t in Target.objects.filter(code=code)} == {indicator}
        assert check_terms(indicator.numerator + indicator.denominator, elements) == []
        assert indicator.factor == 100
        assert format_expression(indicator.numerator) == numerator
        assert format_expression(indicator.denominator) == denominator
    assert ComputedIndicator.objects.get(code="M4-CT1").unit_of_measure == "bé trai/100 bé gái"
    sensitive = set(ComputedIndicator.objects.filter(sensitive=True).values_list("code", flat=True))
    assert sensitive == {"M3-CT2a", "M3-CT2b", "M3-CT3"}


def test_national_indicators_keep_their_metadata():
    load_catalogue()
    hdnd = DataElement.objects.get(code="TK_NU_DBHDND")
    assert hdnd.agency == "Sở Nội vụ" and hdnd.periodicity == "Đầu mỗi nhiệm kỳ"
    assert hdnd.disaggregation.startswith("Cấp hành chính")
    assert DataElement.objects.get(code="TK_CQ_LDNU").agency == "Bộ Nội vụ"
    assert DataElement.objects.filter(code__startswith="TK_").count() == 4


def test_loading_twice_changes_nothing_and_keeps_edits(capsys):
    call_command("load_catalogue")
    Target.objects.filter(code="M1-CT", year=2025).update(value_text="65")

    def counts():
        return [m.objects.count() for m in (Target, ComputedIndicator, DataElement)]

    before = counts()
    call_command("load_catalogue")
    assert counts() == before
    assert Target.objects.get(code="M1-CT", year=2025).value_text == "65"
    call_command("load_catalogue", "--refresh")
    assert Target.objects.get(code="M1-CT", year=2025).value_text == "60"
    assert "0 mục tiêu" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60", (D(60), Direction.AT_LEAST)),
        ("<30", (D(30), Direction.AT_MOST)),
        (">=27", (D(27), Direction.AT_LEAST)),
        ("~60", (D(60), Direction.ABOUT)),
        ("1.7", (D("1.7"), Direction.AT_LEAST)),
        ("1,7", (D("1.7"), Direction.AT_LEAST)),
        ("dưới 25", (D(25), Direction.AT_MOST)),
        ("không dưới 50", (D(50), Direction.AT_LEAST)),
        ("ít nhất 27", (D(27), Direction.AT_LEAST)),
        ("khoảng 99", (D(99), Direction.ABOUT)),
        ("from 2025", (None, Direction.MILESTONE)),
        ("từ năm 2025", (None, Direction.MILESTONE)),
        ("maintained", (None, Direction.MILESTONE)),
        ("masters >=50; doctors 30", (D(50), Direction.AT_LEAST)),
        ("", (None, Direction.AT_LEAST)),
    ],
)
def test_target_values_are_read_as_written(text, expected):
    assert parse_target_value(text) == expected


def test_verification_status():
    assert verification_status("verified (first half of Chỉ tiêu 2)") == "verified"
    assert verification_status("PARTIAL - text truncated in source") == "partial"
    assert verification_status("NOT VERIFIED - placeholder") == "unverified"
    assert verification_status("") == "unverified"
