"""Accent folding for search (core.text): the marks on what was found, and the folded columns
every way of writing a record keeps true."""

import datetime
import unicodedata

import pytest
from django.apps import apps
from django.template import Context, Template

from activities.models import Activity, Channel, Kind
from core.text import FoldedField, fold, marked, refold, searchable, words
from orgs.models import Unit, UnitKind


def test_fold_is_what_a_keyboard_without_vietnamese_types():
    assert fold("Xã Tịnh Khê") == "xa tinh khe"
    assert fold("ĐỨC PHỔ") == fold("đức phổ") == "duc pho"
    assert fold(unicodedata.normalize("NFD", "Tịnh Khê")) == "tinh khe"
    assert words("  Tịnh   KHÊ ") == ["tinh", "khe"]
    assert words("IV.13.a; BDG_DV (Khê)") == ["iv", "13", "a", "bdg", "dv", "khe"]
    assert searchable("Xã Tịnh Khê,") == " xa tinh khe " and searchable("  ") == ""


def test_marks_keep_the_text_as_written():
    assert marked("Xã Tịnh Khê", ["tinh khe"]) == [("Xã ", False), ("Tịnh Khê", True)]
    assert marked("Phường Đức Phổ", ["duc"]) == [("Phường ", False), ("Đức", True), (" Phổ", False)]
    decomposed = unicodedata.normalize("NFD", "Khê")  # the mark goes with its letter
    assert marked(decomposed, ["khe"]) == [(decomposed, True)]
    assert marked("", ["xy"]) == [] and marked("abc", []) == [("abc", False)]
    # Where a word starts, punctuation between words as typed; one letter alone marks nothing.
    assert marked("Ban An Phú", ["an"]) == [("Ban ", False), ("An", True), (" Phú", False)]
    assert marked("Mục IV.13.a", ["iv 13 a", "a"]) == [("Mục ", False), ("IV.13.a", True)]
    assert marked("Phường Cẩm Thành", ["cam", "thanh"]) == [("Phường ", False), ("Cẩm Thành", True)]


def test_highlight_escapes_what_it_marks():
    template = Template("{% load search_tags %}{{ text|highlight:typed }}")
    html = template.render(Context({"text": "<b>Tịnh</b> & Khê", "typed": ["tinh", "khe"]}))
    assert html == "&lt;b&gt;<mark>Tịnh</mark>&lt;/b&gt; &amp; <mark>Khê</mark>"


def test_a_long_text_is_cut_around_the_first_word_found():
    text = "Mở đầu dài. " * 40 + "Tư vấn sức khỏe sinh sản" + " phần cuối." * 40
    template = Template("{% load search_tags %}{{ text|excerpt:typed }}")
    html = template.render(Context({"text": text, "typed": ["suc", "khoe"]}))
    assert html.startswith("…") and html.endswith("…") and len(html) < 320
    assert "<mark>sức khỏe</mark>" in html


def folded_models():
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, FoldedField)
    ]


@pytest.mark.django_db
def test_the_loaders_keep_every_folded_column():
    """The province, the plan and the reporting set-up as the session loaded them, and the
    catalogue's loader (computed indicators), all through their services: nothing to mend."""
    from indicators.services import load_catalogue

    load_catalogue()
    found = folded_models()
    assert {m._meta.label for m, _ in found} == {
        "orgs.Unit",
        "plans.PlanItem",
        "reports.Round",
        "activities.Activity",
        "indicators.DataElement",
        "indicators.ComputedIndicator",
    }
    assert [(m._meta.label, refold(m, name)) for m, name in found if refold(m, name)] == []


@pytest.mark.django_db
def test_every_way_of_writing_keeps_the_folded_column(coordinator):
    unit = Unit.objects.create(code="T1", name="Xã Đăk Thử", kind=UnitKind.COMMUNE)
    assert unit.search == Unit.objects.get(pk=unit.pk).search == " t1 xa dak thu "
    unit.short_name = "Đăk Thử"
    unit.save()
    assert Unit.objects.get(pk=unit.pk).search == " t1 xa dak thu dak thu "
    made = Activity.objects.bulk_create(
        [
            Activity(
                kind=Kind.OTHER,
                unit=unit,
                title="Nói chuyện chuyên đề",
                note="Ở Nhà văn hóa",
                starts_on=datetime.date(2026, 1, 5),
                channel=Channel.DIRECT,
                created_by=coordinator,
            )
        ]
    )
    assert Activity.objects.get(pk=made[0].pk).search == " noi chuyen chuyen de o nha van hoa "
    # A queryset's update() goes around the field: refold mends what it left.
    Unit.objects.filter(pk=unit.pk).update(name="Xã Mới")
    assert refold(Unit) == 1 and Unit.objects.get(pk=unit.pk).search == " t1 xa moi dak thu "
