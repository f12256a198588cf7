"""What the analytics engine reads of a value, DataValue.number (the value as a number) and the
unit and round copied from its submission, is right whatever path saved the value: the grid's
services, the Excel upload, the dataValueSets and ADX imports, bulk loads and queryset updates."""

import re
from decimal import Decimal

import pytest

from reports import excel
from reports.exchange import adx
from reports.models import DataValue, Submission
from reports.services import submissions
from reports.tests.test_api import ANNUAL, auth, fill, move_round, post, value
from reports.tests.test_excel import MB, _fill_everything

pytestmark = pytest.mark.django_db


def expected(text: str, no_data: bool) -> Decimal | None:
    """Worked out apart from the model: plain decimal text is a number, anything else is not."""
    if no_data or not re.fullmatch(r"-?[0-9]{1,15}(\.[0-9]+)?", text):
        return None
    return Decimal(text).quantize(Decimal("0.000001"))


def assert_derived_fields_are_right():
    rows = list(DataValue.objects.order_by("pk").values_list("value", "no_data", "number"))
    assert any(number is not None for _v, _n, number in rows)
    assert rows == [(text, no_data, expected(text, no_data)) for text, no_data, _ in rows]
    copied = DataValue.objects.values_list(
        "unit_id", "round_id", "submission__unit_id", "submission__round_id"
    )
    assert all(unit == of_unit and round_ == of_round for unit, round_, of_unit, of_round in copied)


@pytest.fixture
def annual_open():
    move_round()


def syt() -> Submission:
    return Submission.objects.select_related("round__form", "unit").get(
        round__code=ANNUAL, unit__code="SYT"
    )


def test_grid_saves_and_edits(coordinator, annual_open):
    fill("SYT", coordinator)  # integers, decimals, booleans and a "no data" cell
    assert_derived_fields_are_right()
    first = DataValue.objects.filter(number__isnull=False).select_related("data_element").first()
    row = syt().round.form.rows().get(data_element=first.data_element)
    submissions.save_values(
        submission=syt(),
        cells=[submissions.CellInput(row=row, option_combo=first.option_combo, raw="")],
        actor=coordinator,
    )
    first.refresh_from_db()
    assert (first.value, first.number) == ("", None)
    assert_derived_fields_are_right()


def test_excel_upload(reporter, annual_open):
    submission = syt()
    data, _values, _answers = _fill_everything(submission, excel.export_submission(submission))
    result = excel.parse_submission(submission, data, 10 * MB)
    assert result.ok, result.problems
    excel.apply_import(submission=submission, result=result, actor=reporter)
    assert DataValue.objects.filter(number=Decimal("12.5")).exists()
    assert_derived_fields_are_right()


def test_data_value_sets_import(client, reporter, annual_open):
    payload = {"dataValues": [value("BDG_HD_KP", raw="1.234"), value("BDG_M1_CQ", raw="7")]}
    response = post(client, auth(reporter), payload)
    assert response.status_code == 200, response.json()
    assert DataValue.objects.get(data_element__code="BDG_HD_KP").number == Decimal("1.234")
    assert_derived_fields_are_right()


def test_adx_import(client, coordinator, annual_open):
    fill("SYT", coordinator)
    headers = auth(coordinator)
    body = client.get("/api/v1/adx", headers=headers).content
    DataValue.objects.all().delete()
    response = client.post("/api/v1/adx", body, content_type=adx.MIME, headers=headers)
    assert response.status_code == 200, response.json()
    assert_derived_fields_are_right()


def test_bulk_loads_and_queryset_updates(coordinator, annual_open):
    fill("SYT", coordinator)
    cells = list(DataValue.objects.values("data_element_id", "option_combo_id"))
    DataValue.objects.all().delete()
    texts = ["7", "-3.25", "0012", "", "1e5", " 5", "5.", "true", "12345678901234567890", "1.5"]
    submission = syt()
    DataValue.objects.bulk_create(
        DataValue.of(submission, **cell, value=texts[i % len(texts)], no_data=i % 7 == 0)
        for i, cell in enumerate(cells)
    )
    assert_derived_fields_are_right()
    DataValue.objects.filter(number__isnull=True, no_data=False).update(value="42")
    assert_derived_fields_are_right()
    DataValue.objects.filter(value="42").update(no_data=True)
    assert not DataValue.objects.filter(value="42", number__isnull=False).exists()
