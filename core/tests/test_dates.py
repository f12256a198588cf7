"""Dates typed and shown as dd/mm/yyyy whatever the browser's locale (core.widgets), and every
form of every app using that one rule."""

import datetime
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.utils import translation

from core import layers
from core.widgets import DateField, DateInput, parse_date

DAY = datetime.date(2026, 12, 7)


@pytest.mark.parametrize(
    "text",
    [
        "07/12/2026",
        "7/12/2026",
        " 07/12/2026 ",
        "07.12.2026",
        "07-12-2026",
        "07122026",
        "2026-12-07",
    ],
)
def test_the_shapes_a_date_is_typed_in(text):
    assert parse_date(text) == DAY


@pytest.mark.parametrize("text", ["12/2026", "07/12/26", "07/12-2026", "2026/12/07", "hôm nay", ""])
def test_what_is_not_a_date(text):
    assert parse_date(text) is None


def test_day_first_whatever_the_active_language():
    """dd/mm, never the American mm/dd, even where no language is active (commands, tasks)."""
    field = DateField()
    with translation.override(None):
        assert field.clean("05/06/2026") == datetime.date(2026, 6, 5)
    with translation.override("en"):
        assert field.clean("05/06/2026") == datetime.date(2026, 6, 5)


def test_clear_vietnamese_errors():
    field = DateField()
    with pytest.raises(forms.ValidationError) as shape:
        field.clean("12/07")
    assert "gõ ngày/tháng/năm, ví dụ" in shape.value.messages[0]
    with pytest.raises(forms.ValidationError) as missing:
        field.clean("31/2/2026")
    assert shape.value.messages != missing.value.messages
    assert missing.value.messages == ["Không có ngày 31/02/2026 trong lịch."]
    assert DateField(required=False).clean("") is None


def test_the_box_shows_dd_mm_yyyy_and_opens_the_number_pad():
    html = DateField().widget.render("due_on", DAY)
    assert 'type="text"' in html and 'value="07/12/2026"' in html
    assert 'inputmode="numeric"' in html and 'placeholder="dd/mm/yyyy"' in html
    assert "pattern=" in html
    # What a user typed wrong comes back as typed.
    assert 'value="31/02/2026"' in DateField().widget.render("due_on", "31/02/2026")


def _form_classes():
    """Every form class defined in the forms modules of the project's apps."""
    for app in layers.LAYERS:
        try:
            package = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        modules = [package]
        if hasattr(package, "__path__"):
            modules += [
                importlib.import_module(f"{app}.forms.{info.name}")
                for info in pkgutil.iter_modules(package.__path__)
            ]
        for module in modules:
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield cls


def test_every_form_date_is_the_one_date_field():
    classes = list(_form_classes())
    assert len(classes) > 50
    dated = {
        f"{cls.__module__}.{cls.__name__}.{name}": field
        for cls in classes
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.DateField)
    }
    assert len(dated) > 30
    wrong = [
        name
        for name, field in dated.items()
        if not isinstance(field, DateField) or not isinstance(field.widget, DateInput)
    ]
    assert wrong == []
