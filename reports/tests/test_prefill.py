"""The prefill mechanism (reports/prefill.py, its registry indicators/sources.py), whatever the
source: the registry, the preview and its digest, the fill that writes what was previewed or
nothing, who may use it; no template names a data element code; the catalogue keeps the elements
a GBV source fills marked sensitive."""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audit.models import Event
from core.roles import Role
from indicators import sources
from indicators.forms import DataElementForm
from indicators.models import DataElement
from reports import prefill
from reports.models import DataValue, Round, Submission

pytestmark = pytest.mark.django_db


class HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden":
            self.inputs[attrs["name"]] = attrs["value"]


@pytest.fixture
def submission(db):
    """Sở Y tế's annual report, its round open today."""
    today = timezone.localdate()
    Round.objects.filter(code="BDG-2025").update(
        opens_on=today - datetime.timedelta(days=1),
        due_on=today + datetime.timedelta(days=10),
        lock_on=today + datetime.timedelta(days=30),
    )
    return Submission.objects.get(round__code="BDG-2025", unit__code="SYT")


@pytest.fixture
def counter(monkeypatch):
    """A source of this test: inspections and the Action Month flag, from a dict it can change."""
    figures = {("BDG_HD_KT", "default"): 3, ("BDG_HD_TTHD", "default"): "true"}
    source = sources.Source(
        key="kiem-thu",
        title="nguồn thử",
        elements=("BDG_HD_KT", "BDG_HD_TTHD", "KHONG_CO_TRONG_BIEU"),
        compute=lambda submission: (dict(figures), ["Cảnh báo thử"]),
        note="Tính cho %(unit)s từ %(start)s đến %(end)s.",
    )
    monkeypatch.setitem(sources._sources, source.key, source)
    return figures


def _preview(client, submission, key="kiem-thu") -> tuple[dict, str]:
    response = client.get(reverse("reports:prefill", args=[submission.pk, key]))
    assert response.status_code == 200
    parser = HiddenInputs()
    parser.feed(response.content.decode())
    return parser.inputs, response.content.decode()


def _fill(client, submission, data, key="kiem-thu"):
    url = reverse("reports:prefill_fill", args=[submission.pk, key])
    return client.post(url, data, follow=True)


def _stored(submission) -> dict:
    return {
        (v.data_element.code, v.option_combo.code): v.value
        for v in DataValue.objects.filter(submission=submission).select_related(
            "data_element", "option_combo"
        )
    }


def test_a_registered_source_previews_and_fills(client, submission, reporter, counter):
    client.force_login(reporter)
    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert "Lấy số liệu từ nguồn thử" in page
    fields, preview = _preview(client, submission)
    assert len([n for n in fields if n.startswith("v")]) == 2 and fields["digest"]
    assert "Cảnh báo thử" in preview and "Tính cho Sở Y tế từ 15/12/2024 đến 14/12/2025" in preview
    response = _fill(client, submission, fields)
    assert _stored(submission) == {
        ("BDG_HD_KT", "default"): "3",
        ("BDG_HD_TTHD", "default"): "true",
    }
    shown = [str(m) for m in response.context["messages"]]
    filled = f"Đã điền 2 ô số liệu từ nguồn thử vào báo cáo của Sở Y tế, đợt “{submission.round}”."
    assert filled in shown and "Cảnh báo thử" in shown
    event = Event.objects.filter(object_type="reports.submission").latest("pk")
    assert event.changes == {"prefill": [None, "kiem-thu"]}
    # A unit's correction shows as a difference in the next preview.
    DataValue.objects.filter(submission=submission, data_element__code="BDG_HD_KT").update(
        value="5"
    )
    _fields, preview = _preview(client, submission)
    assert "−2" in preview


def test_values_changed_since_the_preview_refuse_the_fill(client, submission, reporter, counter):
    client.force_login(reporter)
    fields, _page = _preview(client, submission)
    counter["BDG_HD_KT", "default"] = 4
    response = _fill(client, submission, fields)
    assert "Số liệu nguồn đã thay đổi từ khi xem trước" in response.content.decode()
    assert not DataValue.objects.filter(submission=submission).exists()
    fields, _page = _preview(client, submission)
    _fill(client, submission, fields)
    assert _stored(submission)["BDG_HD_KT", "default"] == "4"


def test_a_forged_digest_or_version_changes_nothing(client, submission, reporter, counter):
    client.force_login(reporter)
    fields, _page = _preview(client, submission)
    assert (
        "Số liệu nguồn đã thay đổi"
        in _fill(client, submission, {**fields, "digest": "0" * 64}).content.decode()
    )
    versions = {name: "7" for name in fields if name.startswith("v")}
    response = _fill(client, submission, {**fields, **versions})
    assert "Các ô đã thay đổi từ khi xem trước" in response.content.decode()
    assert not DataValue.objects.filter(submission=submission).exists()


def test_only_the_roles_a_source_names_use_it(client, submission, reporter, approver, monkeypatch):
    source = sources.Source(
        key="chi-lanh-dao",
        title="nguồn của lãnh đạo",
        elements=("BDG_HD_KT",),
        compute=lambda submission: {("BDG_HD_KT", "default"): 1},
        roles=frozenset({Role.APPROVER}),
    )
    monkeypatch.setitem(sources._sources, source.key, source)
    client.force_login(reporter)
    url = reverse("reports:prefill", args=[submission.pk, source.key])
    assert client.get(url).status_code == 403
    page = client.get(reverse("reports:submission", args=[submission.pk])).content.decode()
    assert "nguồn của lãnh đạo" not in page
    client.force_login(approver)
    assert client.get(url).status_code == 200
    assert client.get(reverse("reports:prefill", args=[submission.pk, "khong-co"])).status_code == (
        404
    )


def test_a_form_without_the_sources_elements_offers_nothing(submission, reporter, monkeypatch):
    source = sources.Source(
        key="ngoai-bieu",
        title="nguồn ngoài biểu",
        elements=("KHONG_CO_TRONG_BIEU",),
        compute=lambda submission: {("KHONG_CO_TRONG_BIEU", "default"): 1},
    )
    monkeypatch.setitem(sources._sources, source.key, source)
    codes = submission.round.form.rows().values_list("data_element__code", flat=True)
    assert source not in prefill.offered(submission, reporter, codes)
    assert prefill.preview(source, submission) is None


def test_the_registry_refuses_sources_for_other_roles_and_a_key_twice():
    with pytest.raises(ValueError):
        sources.register(
            sources.Source(
                key="cho-dieu-phoi",
                title="x",
                elements=("BDG_HD_KT",),
                compute=dict,
                roles=frozenset({Role.COORDINATOR}),
            )
        )
    with pytest.raises(ValueError):
        sources.register(
            sources.Source(key="cases", title="x", elements=("BDG_HD_KT",), compute=dict)
        )
    assert {s.key for s in sources.sources()} >= {"cases", "activities"}


def _templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return [
        path
        for path in base.glob("*/templates/**/*.html")
        if not path.is_relative_to(base / ".venv")
    ]


def test_no_template_names_a_data_element_code():
    """Templates decide nothing by element code: which cells a source fills is the registry's."""
    codes = set(DataElement.objects.values_list("code", flat=True))
    quoted = re.compile(r"""["'](BDG|GBV)_[A-Z0-9_]*["']""")
    templates = _templates()
    assert len(templates) > 50
    found = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        if quoted.search(text) or any(f'"{c}"' in text or f"'{c}'" in text for c in codes):
            found.append(str(path))
    assert found == []


def _element_data(element: DataElement, **changes) -> dict:
    data = {
        "code": element.code,
        "name": element.name,
        "short_name": element.short_name,
        "description": element.description,
        "value_type": element.value_type,
        "unit_of_measure": element.unit_of_measure,
        "aggregation": element.aggregation,
        "category_combo": element.category_combo_id,
        "sensitive": "on" if element.sensitive else "",
    }
    return {**data, **changes}


def test_the_catalogue_keeps_gbv_filled_elements_sensitive():
    victims = DataElement.objects.get(code="BDG_M3_NN")
    assert victims.sensitive
    form = DataElementForm(_element_data(victims, sensitive=""), instance=victims)
    assert not form.is_valid()
    assert "hồ sơ hỗ trợ nạn nhân" in " ".join(form.errors["sensitive"])
    assert DataElementForm(_element_data(victims), instance=victims).is_valid()
    # An element no sensitive source fills may be unmarked.
    trainings = DataElement.objects.get(code="BDG_HD_TH")
    DataElement.objects.filter(pk=trainings.pk).update(sensitive=True)
    trainings.refresh_from_db()
    assert DataElementForm(_element_data(trainings, sensitive=""), instance=trainings).is_valid()
