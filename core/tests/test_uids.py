"""DHIS2-style UIDs (core.uids): the format, the same UID from the same reference data on every
installation, given by every way an object is created, kept when its code changes."""

import pytest
from django.apps import apps
from django.forms import modelform_factory

from core.uids import UID_PATTERN, fill_missing, is_uid, uid_for
from indicators.models import (
    CategoryCombo,
    CategoryOptionCombo,
    ComputedIndicator,
    DataElement,
    ValueType,
)
from orgs.models import Unit, UnitKind
from reports.models import Form
from reports.tests.factories import make_form

UID_MODELS = [
    "orgs.Unit",
    "indicators.DataElement",
    "indicators.CategoryOptionCombo",
    "indicators.ComputedIndicator",
    "reports.Form",
]


def test_the_format_is_dhis2s_and_the_generator_is_pinned():
    # Pinned: changing the generator would change every installation's UIDs.
    assert uid_for("indicators.DataElement", "BDG_M1_CQ") == "dmp9M5lD25x"
    assert uid_for("orgs.Unit", "51") == "D7m2Z18jEkk"
    keys = [(label, f"CODE_{n}") for label in UID_MODELS for n in range(300)]
    made = {uid_for(label, code) for label, code in keys}
    assert len(made) == len(keys)
    assert all(UID_PATTERN.match(uid) and is_uid(uid) for uid in made)
    assert not is_uid("1abcdefghij") and not is_uid("abc") and not is_uid("abcdefghij_")
    # The next candidate of a key is another UID of the same shape.
    assert is_uid(uid_for("orgs.Unit", "51", attempt=1)) and uid_for(
        "orgs.Unit", "51", attempt=1
    ) != uid_for("orgs.Unit", "51")


@pytest.mark.django_db
def test_reference_data_has_the_uids_of_its_keys():
    for label in UID_MODELS:
        model = apps.get_model(label)
        rows = list(model.objects.all())
        field = model._meta.get_field("uid")
        for row in rows:
            key = [getattr(row, name) for name in field.key_fields]
            assert row.uid == uid_for(label, *key), (label, key)
    # DHIS2's default category option combo has DHIS2's UID.
    assert CategoryOptionCombo.objects.get(code="default").uid == "HllvX50cXC0"
    assert Unit.objects.get(code="51").uid == "D7m2Z18jEkk"


@pytest.mark.django_db
def test_every_way_of_creating_gives_a_uid_and_a_code_change_keeps_it():
    sex = CategoryCombo.objects.get(code="SEX")
    element = DataElement.objects.create(
        code="T_UID", name="Thử", value_type=ValueType.INTEGER, category_combo=sex
    )
    assert element.uid == uid_for("indicators.DataElement", "T_UID")
    element.code = "T_UID_RENAMED"
    element.save()
    element.refresh_from_db()
    assert element.uid == uid_for("indicators.DataElement", "T_UID")
    # A new element given the old code cannot take the UID: the next candidate of the key.
    again = DataElement.objects.create(
        code="T_UID", name="Thử lại", value_type=ValueType.INTEGER, category_combo=sex
    )
    assert again.uid == uid_for("indicators.DataElement", "T_UID", attempt=1)
    indicator = ComputedIndicator.objects.create(code="T_UID_RATE", name="Tỷ lệ thử")
    assert indicator.uid == uid_for("indicators.ComputedIndicator", "T_UID_RATE")
    # bulk_create (the bench's units) fills UIDs too.
    Unit.objects.bulk_create(
        Unit(code=f"BULK{n}", name=f"Đơn vị {n}", kind=UnitKind.AGENCY) for n in range(3)
    )
    assert [u.uid for u in Unit.objects.filter(code__startswith="BULK").order_by("code")] == [
        uid_for("orgs.Unit", f"BULK{n}") for n in range(3)
    ]
    # A form's versions are data sets of their own.
    form = make_form(rows=1, code="TUID")
    assert form.uid == uid_for("reports.Form", "TUID", 1)
    # No form can set it.
    for label in UID_MODELS:
        assert "uid" not in modelform_factory(apps.get_model(label), fields="__all__")().fields


@pytest.mark.django_db
def test_a_migration_fills_rows_without_a_uid():
    form = Form.objects.order_by("pk").first()
    Form.objects.filter(pk=form.pk).update(uid="")
    Unit.objects.filter(code="51").update(uid="")
    assert fill_missing(Form) == 1 and fill_missing(Unit) == 1 and fill_missing(Unit) == 0
    assert Unit.objects.get(code="51").uid == "D7m2Z18jEkk"
    assert Form.objects.get(pk=form.pk).uid == uid_for("reports.Form", form.code, form.version)
