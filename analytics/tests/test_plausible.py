"""A computed indicator outside its plausible range is flagged on the dashboard, not shown as a
figure that meets or misses its target: the demo's maternal mortality ratio of 43.356,82 per
100.000 live births (maternal deaths typed as the number of births)."""

import pytest
from django.urls import reverse

from indicators.services import load_catalogue
from reports.models import Round
from reports.services import submissions
from reports.tests.test_api import ANNUAL, move_round

pytestmark = pytest.mark.django_db


def enter(round_, actor, unit, element, values: dict):
    row = round_.form.rows().get(data_element__code=element)
    combos = {c.code: c for c in row.data_element.category_combo.option_combos.all()}
    submissions.save_values(
        submission=round_.submissions.get(unit__code=unit),
        cells=[
            submissions.CellInput(row=row, option_combo=combos[code], raw=raw, machine=True)
            for code, raw in values.items()
        ],
        actor=actor,
    )


def lines(client, **query):
    response = client.get(reverse("analytics:dashboard"), {"round": ANNUAL, **query})
    found = {line.code: line for _t, group in response.context["objectives"] for line in group}
    return found, response.content.decode()


@pytest.mark.parametrize(
    "deaths,births,flagged", [("1723", ("2000", "1974"), True), ("2", ("2200", "2100"), False)]
)
def test_an_implausible_ratio_is_flagged_not_judged(client, coordinator, deaths, births, flagged):
    load_catalogue()
    move_round()
    round_ = Round.objects.get(code=ANNUAL)
    enter(round_, coordinator, "SYT", "BDG_M4_SINH", {"MALE": births[0], "FEMALE": births[1]})
    enter(round_, coordinator, "SYT", "BDG_M4_TUVONG_ME", {"default": deaths})
    client.force_login(coordinator)
    found, body = lines(client)
    line = found["M4-CT2"]
    assert line.implausible == flagged
    if flagged:
        assert line.shown == "43.356,82"  # the figure itself is kept, struck through
        assert line.status == "Cần kiểm tra số liệu" and line.bar == 0
        assert "<del" in body and "Ngoài khoảng hợp lý (0–1.000): cần kiểm tra số liệu" in body
        csv = client.get(reverse("analytics:dashboard"), {"round": ANNUAL, "format": "csv"})
        assert "Cần kiểm tra số liệu" in csv.content.decode("utf-8-sig")
    else:
        assert line.status in ("Đạt", "Chưa đạt") and "Ngoài khoảng hợp lý" not in body
