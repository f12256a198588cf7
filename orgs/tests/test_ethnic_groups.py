"""The official list of Vietnam's 54 ethnic groups: loaded once, kept by admins, the only values a
survivor's ethnic group may take."""

import pytest
from django.urls import reverse

from audit.models import Action, Event
from cases.forms.cases import SurvivorForm
from cases.models import Survivor
from orgs.models import EthnicGroup, ethnic_key
from orgs.services import ethnic_group_codes, load_ethnic_groups, reference_ethnic_groups

pytestmark = pytest.mark.django_db


def _survivor_data(**changes):
    data = {"sex": "female", "age_band": "26-40", "ethnic_group": "19"}
    return {**data, **changes}


def test_the_list_has_54_groups_with_codes_01_to_54():
    groups = list(EthnicGroup.objects.order_by("code"))
    assert [g.code for g in groups] == [f"{n:02d}" for n in range(1, 55)]
    assert len({ethnic_key(g.name) for g in groups}) == 54  # no two names fold to one
    named = {g.code: g.name for g in groups}
    assert (named["01"], named["19"], named["23"], named["53"], named["54"]) == (
        "Kinh",
        "Hrê",
        "Bru-Vân Kiều",
        "Ơ Đu",
        "Rơ-măm",
    )
    assert [g.code for g in EthnicGroup.objects.all()][:3] == ["01", "02", "03"]  # list order


def test_loading_again_adds_nothing_and_keeps_an_admins_edit():
    EthnicGroup.objects.filter(code="08").update(name="H'Mông")
    assert load_ethnic_groups() == 0
    assert EthnicGroup.objects.count() == 54
    assert EthnicGroup.objects.get(code="08").name == "H'Mông"


def test_free_text_maps_to_codes_by_normalised_name():
    codes = ethnic_group_codes()
    assert len(reference_ethnic_groups()) == 54
    for typed, code in [
        ("Kinh", "01"),
        ("hre", "19"),
        ("Xơ Đăng", "14"),
        ("Ca Dong", "14"),
        ("Giẻ Triêng", "27"),
        ("Rơ Măm", "54"),
        ("GIA RAI", "10"),
        ("Ba Na", "13"),
        ("H'Mông", "08"),
    ]:
        assert codes.get(ethnic_key(typed)) == code, typed
    for unknown in ("Không rõ", "Người nước ngoài", "", "Klingon"):
        assert ethnic_key(unknown) not in codes


def test_the_survivor_form_refuses_a_value_not_in_the_list():
    for bad in ("99", "Klingon", "Hrê"):  # the form takes codes only
        form = SurvivorForm(_survivor_data(ethnic_group=bad))
        assert not form.is_valid()
        assert form.errors["ethnic_group"] == ["Hãy chọn một dân tộc trong danh mục."]
    blank = SurvivorForm(_survivor_data(ethnic_group=""))
    assert blank.is_valid() and blank.cleaned_data["ethnic_group"] is None  # unknown, foreigner
    good = SurvivorForm(_survivor_data())
    assert good.is_valid() and good.cleaned_data["ethnic_group"].name == "Hrê"
    assert '<option value="19" selected>Hrê</option>' in str(good["ethnic_group"])


def test_a_group_no_longer_offered_stays_for_the_survivor_who_has_it():
    EthnicGroup.objects.filter(code="11").update(active=False)
    assert not SurvivorForm(_survivor_data(ethnic_group="11")).is_valid()
    survivor = Survivor(ethnic_group="Ngái")
    assert survivor.ethnic_group.code == "11"
    form = SurvivorForm(_survivor_data(ethnic_group="11"), instance=survivor)
    assert form.is_valid()


def test_a_name_outside_the_list_is_refused_by_the_model_too():
    assert Survivor(ethnic_group="Kinh").ethnic_group.code == "01"
    assert Survivor(ethnic_group="").ethnic_group is None
    with pytest.raises(ValueError, match="Không có dân tộc"):
        Survivor(ethnic_group="Người sao Hỏa")


def test_admins_edit_the_list_and_the_change_is_audited(client, admin_user, coordinator):
    group = EthnicGroup.objects.get(code="08")
    url = reverse("orgs:ethnic_group_edit", args=[group.pk])
    client.force_login(coordinator)
    assert client.get(reverse("orgs:ethnic_groups")).status_code == 403
    assert client.post(url, {"name": "X", "sort_order": 8}).status_code == 403
    client.force_login(admin_user)
    page = client.get(reverse("orgs:ethnic_groups")).content.decode()
    assert "Bru-Vân Kiều" in page and page.count("<tr>") == 55
    data = {"name": "H'Mông", "active": "on", "sort_order": 8, "expected_version": 1}
    assert client.post(url, data).status_code == 302
    group.refresh_from_db()
    assert (group.name, group.version) == ("H'Mông", 2)
    event = Event.objects.for_object(group).get()
    assert event.action == Action.UPDATE and event.changes["name"] == ["Mông", "H'Mông"]
    clash = client.post(url, {**data, "name": "kinh", "expected_version": 2})
    assert "Đã có dân tộc khác mang tên này." in clash.content.decode()
    stale = client.post(url, {**data, "name": "Hmông", "expected_version": 1})
    assert "người khác đã lưu" in stale.content.decode()
    group.refresh_from_db()
    assert group.name == "H'Mông"
