"""The analytics API with DHIS2's UIDs: dx, ou and co items by UID as well as by code, and
`outputIdScheme=UID` keying rows and metadata by UIDs; the disclosure rules unchanged."""

import pytest

from analytics.tests.test_api import ANNUAL, conflict, get, put, rows
from indicators.models import (
    CategoryCombo,
    CategoryOptionCombo,
    ComputedIndicator,
    DataElement,
    ValueType,
)
from orgs.models import Unit
from reports.models import Status

pytestmark = pytest.mark.django_db


def uid(model, code: str) -> str:
    return model.objects.get(code=code).uid


@pytest.fixture
def elements(db):
    sex = CategoryCombo.objects.get(code="SEX")
    labour = DataElement.objects.create(
        code="T_LD", name="Số lao động", value_type=ValueType.INTEGER, category_combo=sex
    )
    gbv = DataElement.objects.create(
        code="T_GBV",
        name="Số vụ bạo lực",
        value_type=ValueType.INTEGER,
        category_combo=sex,
        sensitive=True,
    )
    put("CAT", "T_LD", {"MALE": "30", "FEMALE": "12"})
    put("SYT", "T_LD", {"MALE": "5", "FEMALE": "8"})
    put("CAT", "T_GBV", {"MALE": "2", "FEMALE": "40"}, status=Status.ACCEPTED)
    put("SYT", "T_GBV", {"MALE": "1", "FEMALE": "2"})
    return labour, gbv


def test_output_id_scheme_uid_keys_rows_and_metadata_by_uids(client, coordinator, elements):
    labour, _gbv = elements
    cat, male, female = uid(Unit, "CAT"), uid(CategoryOptionCombo, "MALE"), "FEMALE"
    female = uid(CategoryOptionCombo, female)
    args = (client, coordinator, "dx:T_LD", f"pe:{ANNUAL}", "ou:CAT", "co")
    body = get(*args, outputIdScheme="UID").json()
    assert body["rows"] == [
        [labour.uid, ANNUAL, cat, male, "30"],
        [labour.uid, ANNUAL, cat, female, "12"],
    ]
    meta = body["metaData"]
    assert meta["items"][labour.uid] == {"name": "Số lao động", "code": "T_LD"}
    assert meta["items"][cat]["code"] == "CAT" and meta["items"][male]["code"] == "MALE"
    assert meta["items"][ANNUAL]["period"] == "2025"  # periods have no UIDs, as in DHIS2
    assert "T_LD" not in meta["items"] and "CAT" not in meta["items"]
    assert meta["dimensions"]["dx"] == [labour.uid] and meta["dimensions"]["ou"] == [cat]
    assert meta["dimensions"]["pe"] == [ANNUAL]
    assert sorted(meta["dimensions"]["co"]) == sorted([male, female])
    # lower case, as DHIS2 reads it; CODE stays the default
    assert get(*args, outputIdScheme="uid").json()["rows"] == body["rows"]
    assert get(*args).json()["rows"][0][:4] == ["T_LD", ANNUAL, "CAT", "MALE"]


def test_items_by_uid_answer_as_items_by_code(client, coordinator, elements):
    labour, gbv = elements
    province, cat = Unit.objects.get(code="51"), uid(Unit, "CAT")
    by_code = rows(client, coordinator, "dx:T_LD;T_GBV", "pe:2025", "ou:51;LEVEL-2")
    by_uid = rows(
        client, coordinator, f"dx:{labour.uid};{gbv.uid}", "pe:2025", f"ou:{province.uid};LEVEL-2"
    )
    assert by_uid == by_code and by_code  # codes out, as the default scheme says
    # The sensitive element's release is the same whatever names it: a small count is "<5".
    assert ["T_GBV", "2025", "SYT", "<5"] in by_uid
    for scheme in ("CODE", "UID", "NAME"):
        coded = rows(client, coordinator, "dx:T_GBV", "pe:2025", "ou:SYT;CAT", "co")
        named = rows(
            client,
            coordinator,
            f"dx:{gbv.uid}",
            "pe:2025",
            "ou:SYT;CAT",
            "co",
            outputIdScheme=scheme,
        )
        assert [row[-1] for row in named] == [row[-1] for row in coded]
    # LEVEL-n-<uid>, co items and a filter by UID.
    level = rows(client, coordinator, "dx:T_LD", "pe:2025", f"ou:LEVEL-2-{province.uid}")
    assert level == rows(client, coordinator, "dx:T_LD", "pe:2025", "ou:LEVEL-2-51")
    male = uid(CategoryOptionCombo, "MALE")
    assert rows(client, coordinator, "dx:T_LD", "pe:2025", f"ou:{cat}", f"co:{male}") == [
        ["T_LD", "2025", "CAT", "MALE", "30"]
    ]
    assert rows(client, coordinator, "dx:T_LD", "pe:2025", filter=f"ou:{cat}") == [
        ["T_LD", "2025", "42"]
    ]
    # A computed indicator by its UID.
    rate = ComputedIndicator.objects.create(
        code="T_RATE",
        name="Tỷ lệ",
        numerator=[{"element": "T_LD", "combo": "FEMALE"}],
        denominator=[{"element": "T_LD"}],
        factor=100,
    )
    assert rows(client, coordinator, f"dx:{rate.uid}", "pe:2025", "ou:CAT") == [
        ["T_RATE", "2025", "CAT", "28.57"]
    ]
    assert rows(
        client, coordinator, f"dx:{rate.uid}", "pe:2025", "ou:CAT", outputIdScheme="UID"
    ) == [[rate.uid, "2025", cat, "28.57"]]


def test_another_units_uid_reads_as_an_unknown_one(client, reporter, elements):
    # Sở Y tế's reporter sees its own unit only.
    own = rows(client, reporter, "dx:T_LD", "pe:2025", f"ou:{uid(Unit, 'SYT')}")
    assert own == [["T_LD", "2025", "SYT", "13"]]
    other = get(client, reporter, "dx:T_LD", "pe:2025", f"ou:{uid(Unit, 'CAT')}")
    unknown = get(client, reporter, "dx:T_LD", "pe:2025", "ou:aaaaaaaaaaa")
    assert conflict(other) == conflict(unknown) == "E7124"
    assert "CAT" not in other.json()["message"]
    assert (
        other.json()["message"].replace(uid(Unit, "CAT"), "aaaaaaaaaaa")
        == (unknown.json()["message"])
    )
    missing = get(client, reporter, "dx:aaaaaaaaaaa", "pe:2025", "ou:SYT")
    assert conflict(missing) == "E7124"
