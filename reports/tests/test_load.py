import datetime

import pytest

from indicators.models import CategoryOptionCombo, DataElement
from reports.exchange.formjson import export_form, import_forms
from reports.models import Form, Round
from reports.services.reference import load_reporting

pytestmark = pytest.mark.django_db


def test_the_2025_rounds_expect_the_units_valid_on_their_due_dates():
    six_months = Round.objects.get(code="BDG-2025S1")
    annual = Round.objects.get(code="BDG-2025")
    assert six_months.due_on == datetime.date(2025, 6, 5)
    assert annual.due_on == datetime.date(2025, 12, 10)
    assert six_months.period == "2025S1" and annual.period == "2025"
    kinds = lambda r: sorted(set(r.submissions.values_list("unit__kind", flat=True)))  # noqa: E731
    assert kinds(six_months) == ["agency", "district"]
    assert kinds(annual) == ["agency", "commune", "special_zone", "ward"]
    # Quảng Ngãi's 13 old districts (not Kon Tum's) and its 13 bodies; then 96 communes.
    assert six_months.submissions.count() == 13 + 13
    assert annual.submissions.count() == 13 + 96


def test_the_forms_follow_the_plan_and_the_strategy():
    form = Form.objects.get(code="BDG_NAM")
    titles = [s.title for s in form.sections.all()]
    assert "Tăng cường công tác quản lý, chỉ đạo, điều hành, phối hợp thực hiện" in titles
    assert any(t.startswith("Mục tiêu 3:") for t in titles)
    victims = DataElement.objects.get(code="BDG_M3_NN_DV")
    assert victims.sensitive and victims.category_combo.code == "SEX"
    assert set(
        CategoryOptionCombo.objects.filter(combo__code="SEX").values_list("name", flat=True)
    ) == {"Nam", "Nữ"}
    row = form.rows().get(data_element=victims)
    assert row.part_of.data_element.code == "BDG_M3_NN"


def test_loading_twice_and_form_json_round_trip():
    assert load_reporting().startswith("Báo cáo: 0 biểu mẫu mới, 0 đợt")
    form = Form.objects.get(code="BDG_6T")
    payload = export_form(form)
    (copy,) = import_forms(payload)
    assert (copy.code, copy.version, copy.based_on) == ("BDG_6T", 2, form)
    assert export_form(copy)["forms"][0]["sections"] == payload["forms"][0]["sections"]
