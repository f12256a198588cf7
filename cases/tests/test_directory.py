"""The referral service directory: seeded from the units, kept by the coordinator, and the only
way to a recipient: a referral to a unit that does not give the service is refused."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import Action, Event
from cases.models import Referral, ServiceProvider, ServiceRecord, ServiceType, Share
from cases.services.directory import COMMUNE_SERVICES, DEFAULT_PROVIDERS, seed_default_providers
from cases.services.referrals import refer_case
from orgs.models import Unit

pytestmark = pytest.mark.django_db
NEWSPAPER = "BQN"  # Báo Quảng Ngãi (orgs/data/agencies.csv)


def _listed(service_type) -> set[str]:
    return set(ServiceProvider.objects.offering(service_type).values_list("unit__code", flat=True))


def _refer(client, w, to_code, service_type, **extra):
    client.force_login(w["people"]["supervisor"])
    payload = {
        "service_type": service_type,
        "to_agency": Unit.objects.get(code=to_code).pk,
        "shares": [Share.PROFILE, Share.INCIDENTS],
        "override": "on",
        "override_reason": "Nạn nhân cần được hỗ trợ khẩn cấp ngay trong đêm nay",
        "confirm": "1",
        **extra,
    }
    return client.post(reverse("cases:referral_new", args=[w["case"].pk]), payload)


def _new_referrals(w):
    return Referral.objects.exclude(pk__in=[w["referral"].pk, w["ended_referral"].pk])


def test_the_directory_starts_from_the_units_and_leaves_the_newspaper_out(db):
    assert Unit.objects.get(code=NEWSPAPER).name.startswith("Báo Quảng Ngãi")
    assert _listed(ServiceType.POLICE) == {"CAT"}
    assert _listed(ServiceType.LEGAL) == {"STP"}
    assert {"SYT"} <= _listed(ServiceType.HEALTH)
    assert {"HLHPN", "SYT", "21025"} <= _listed(ServiceType.PSYCHOSOCIAL)
    assert not ServiceProvider.objects.filter(unit__code=NEWSPAPER).exists()
    communes = Unit.objects.filter(kind__in=("commune", "ward", "special_zone"), valid_to=None)
    assert communes.count() == 96
    expected = sum(map(len, DEFAULT_PROVIDERS.values())) + 96 * len(COMMUNE_SERVICES)
    assert ServiceProvider.objects.count() == expected
    # Loading the units again adds nothing, and keeps an entry the coordinator stopped stopped.
    ServiceProvider.objects.filter(unit__code="STP").update(active=False)
    assert seed_default_providers() == 0
    assert ServiceProvider.objects.count() == expected and not _listed(ServiceType.LEGAL)


def test_a_referral_to_the_newspaper_is_refused_by_the_form(client, gbv):
    last = Event.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = _refer(client, gbv, NEWSPAPER, ServiceType.LEGAL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Báo Quảng Ngãi không có trong danh bạ dịch vụ với dịch vụ “Trợ giúp pháp lý”" in html
    assert not _new_referrals(gbv).exists()
    assert not Event.objects.filter(pk__gt=last, action=Action.CREATE).exists()


def test_a_referral_to_the_newspaper_is_refused_by_the_service(gbv):
    records, events = ServiceRecord.objects.count(), Event.objects.count()
    with pytest.raises(ValidationError) as refused:
        refer_case(
            actor=gbv["people"]["supervisor"],
            case=gbv["case"],
            service_type=ServiceType.PSYCHOSOCIAL,
            to_agency=Unit.objects.get(code=NEWSPAPER),
            due_on=gbv["referral"].due_on,
            shares=[Share.PROFILE],
            override_reason="Nạn nhân cần được hỗ trợ khẩn cấp ngay trong đêm nay",
        )
    assert refused.value.code == "not_a_provider"
    assert "không có trong danh bạ dịch vụ" in refused.value.messages[0]
    assert not _new_referrals(gbv).exists()
    assert (ServiceRecord.objects.count(), Event.objects.count()) == (records, events)


def test_a_provider_of_another_service_is_refused_and_the_right_one_accepted(client, gbv):
    assert (
        "không có trong danh bạ" in _refer(client, gbv, "CAT", ServiceType.HEALTH).content.decode()
    )
    assert not _new_referrals(gbv).exists()
    response = _refer(client, gbv, "CAT", ServiceType.POLICE)
    assert response.status_code == 302
    assert _new_referrals(gbv).get().to_agency.code == "CAT"


def test_the_form_offers_only_providers_of_the_chosen_service(client, gbv):
    client.force_login(gbv["people"]["owner"])
    url = reverse("cases:referral_new", args=[gbv["case"].pk])
    form = client.get(url).content.decode()
    pk = {code: Unit.objects.get(code=code).pk for code in ("STP", "CAT", "SYT", NEWSPAPER)}
    assert 'hx-get="/cases/referrals/recipients/"' in form and 'id="recipients"' in form
    assert f'value="{pk["STP"]}"' in form and f'value="{pk[NEWSPAPER]}"' not in form
    legal = client.get(reverse("cases:referral_recipients"), {"service_type": "legal"})
    html = legal.content.decode()
    assert "<html" not in html and 'name="to_agency"' in html
    assert f'value="{pk["STP"]}"' in html
    for other in ("CAT", "SYT", NEWSPAPER):
        assert f'value="{pk[other]}"' not in html, other
    # The unit chosen before stays chosen when it gives the new service too.
    police = client.get(
        reverse("cases:referral_recipients"), {"service_type": "police", "to_agency": pk["CAT"]}
    ).content.decode()
    assert f'value="{pk["CAT"]}" selected' in police


def test_the_coordinator_keeps_the_directory(client, gbv):
    coordinator = gbv["people"]["coordinator"]
    client.force_login(coordinator)
    url = reverse("cases:providers")
    page = client.get(url).content.decode()
    assert "Thêm vào danh bạ" in page and "Ngừng" in page
    mttq = Unit.objects.get(code="MTTQ")
    added = client.post(url, {"service_type": "livelihood", "unit": mttq.pk, "note": "Vay vốn"})
    assert added.status_code == 302
    entry = ServiceProvider.objects.get(unit=mttq, service_type="livelihood")
    assert (entry.active, entry.note) == (True, "Vay vốn")
    event = Event.objects.for_object(entry).get()
    assert event.action == Action.CREATE and event.actor == coordinator
    again = client.post(url, {"service_type": "livelihood", "unit": mttq.pk})
    assert "đã có trong danh bạ" in again.content.decode()
    assert ServiceProvider.objects.filter(unit=mttq).count() == 1

    # Stopping an entry takes the unit off the referral form, and the service refuses it.
    stp = ServiceProvider.objects.get(unit__code="STP", service_type="legal")
    toggle = reverse("cases:provider_toggle", args=[stp.pk])
    assert client.post(toggle, {"expected_version": stp.version}).status_code == 302
    stp.refresh_from_db()
    assert (stp.active, stp.version) == (False, 2)
    update = Event.objects.for_object(stp).get(action=Action.UPDATE)
    assert (update.actor, update.changes) == (coordinator, {"active": [True, False]})
    stale = client.post(toggle, {"expected_version": 1}, follow=True)
    assert "vừa được người khác thay đổi" in stale.content.decode()
    stp.refresh_from_db()
    assert not stp.active
    refused = _refer(client, gbv, "STP", ServiceType.LEGAL, override="", override_reason="")
    assert "không có trong danh bạ dịch vụ" in refused.content.decode()


@pytest.mark.parametrize("persona", ["owner", "supervisor", "admin"])
def test_others_read_the_directory_but_change_nothing(client, gbv, persona):
    client.force_login(gbv["people"][persona])
    page = client.get(reverse("cases:providers")).content.decode()
    assert "Công an tỉnh" in page and "Thêm vào danh bạ" not in page
    count = ServiceProvider.objects.count()
    mttq = Unit.objects.get(code="MTTQ")
    response = client.post(reverse("cases:providers"), {"service_type": "health", "unit": mttq.pk})
    assert response.status_code == 403 and ServiceProvider.objects.count() == count


def test_the_list_filters(client, gbv):
    client.force_login(gbv["people"]["coordinator"])

    def listed(**params) -> str:
        page = client.get(reverse("cases:providers"), params).content.decode()
        return page.split('<div id="providers">')[1]  # the table, not the add form's options

    police = listed(service_type="police")
    assert "Công an tỉnh" in police and "Sở Tư pháp" not in police
    named = listed(q="Tư pháp")
    assert "Sở Tư pháp" in named and "Công an tỉnh" not in named
    ServiceProvider.objects.filter(unit__code="CAT").update(active=False)
    stopped = listed(status="stopped")
    assert "Công an tỉnh" in stopped and "Sở Tư pháp" not in stopped
