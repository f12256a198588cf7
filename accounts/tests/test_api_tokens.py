"""Personal API tokens as DHIS2's personal access tokens: made and revoked by their user on the
account page (key shown once, only a digest kept), scoped (read-only refused on writes with a
403 WebMessage), expiring (401 once expired), never more than the user may do, audited."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken, TokenScope
from audit.models import Action, Event

pytestmark = pytest.mark.django_db
URL = "/api/v1/dataValueSets"
LIST = reverse("accounts:api_tokens")


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def make(user, scope=TokenScope.READ, days=30, name="DHIS2 Bộ"):
    return services.create_api_token(actor=user, name=name, scope=scope, expires_on=in_days(days))


def auth(key: str) -> dict:
    return {"Authorization": f"ApiToken {key}"}


def post_value(client, key):
    payload = {"dataValues": [{"dataElement": "BDG_M1_CQ", "period": "2025", "orgUnit": "SYT"}]}
    payload["dataValues"][0]["value"] = "3"
    return client.post(URL, json.dumps(payload), "application/json", headers=auth(key))


def test_the_page_creates_a_token_showing_its_key_once(client, reporter):
    client.force_login(reporter)
    assert client.get(reverse("accounts:account")).content.decode().count(LIST) == 1
    page = client.get(LIST)
    assert page.status_code == 200 and "Bạn chưa có khóa API nào." in page.content.decode()
    response = client.post(
        LIST, {"name": "Đồng bộ DHIS2", "scope": "read", "expires_on": in_days(30).isoformat()}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = response.context["new_key"]
    token = ApiToken.objects.get(user=reporter)
    assert key in response.content.decode() and token.digest != key and key not in token.digest
    assert token.name == "Đồng bộ DHIS2" and token.scope == TokenScope.READ
    assert token.expires_at == timezone.make_aware(
        datetime.datetime.combine(in_days(31), datetime.time.min)
    )
    # Listed afterwards, the key never shown again.
    page = client.get(LIST).content.decode()
    assert "Đồng bộ DHIS2" in page and "Chỉ đọc" in page and key not in page
    assert f"hết ngày {in_days(30):%d/%m/%Y}" in page  # the day chosen, not the next midnight
    assert token.prefix in page
    event = Event.objects.get(
        action=Action.CREATE, object_type="accounts.apitoken", object_id=str(token.pk)
    )
    assert event.actor == reporter and event.changes["scope"] == "read"
    assert key not in json.dumps(event.changes)


@pytest.mark.parametrize("days", [0, -1, 366, 1000])
def test_expiry_is_in_the_future_and_at_most_a_year(client, reporter, days):
    client.force_login(reporter)
    response = client.post(
        LIST, {"name": "x", "scope": "write", "expires_on": in_days(days).isoformat()}
    )
    assert response.status_code == 400 and not ApiToken.objects.exists()
    with pytest.raises(ValidationError):
        make(reporter, days=days)


def test_the_form_offers_30_days_by_default_and_a_year_at_most(client, reporter):
    client.force_login(reporter)
    form = client.get(LIST).context["form"]
    assert form["expires_on"].initial == in_days(30)
    last = in_days(365).strftime("%d/%m/%Y")
    assert form.fields["expires_on"].help_text.endswith(f"đến hết ngày {last}.")


def test_a_read_only_token_reads_and_is_refused_any_write(client, reporter):
    _, key = make(reporter, scope=TokenScope.READ)
    assert client.get("/api/v1/rounds", headers=auth(key)).status_code == 200
    response = post_value(client, key)
    assert response.status_code == 403
    body = response.json()
    assert body["httpStatus"] == "Forbidden" and body["httpStatusCode"] == 403
    assert body["status"] == "ERROR" and "chỉ có quyền đọc" in body["message"]
    # The API has no PUT/DELETE routes today (405); every write route is refused the same way.
    for path in ("/api/v1/adx", f"{URL}.csv", "/api/v1/dataValueSets.json"):
        assert client.post(path, b"", "text/csv", headers=auth(key)).status_code == 403, path
    submit = "/api/v1/submissions/X/SYT/submit"
    assert client.post(submit, headers={"Authorization": f"Bearer {key}"}).status_code == 403


def test_a_read_write_token_writes_within_its_users_rights(client, reporter, leader):
    _, key = make(reporter, scope=TokenScope.WRITE)
    assert post_value(client, key).status_code in (200, 409)  # reached the importer
    # A leader may not import: a write token does not give them the right.
    _, leader_key = make(leader, scope=TokenScope.WRITE)
    response = post_value(client, leader_key)
    assert response.status_code == 403 and "không có quyền nhập" in response.json()["detail"]


def test_a_gbv_account_token_reads_nothing_it_may_not(client, case_worker):
    _, key = make(case_worker, scope=TokenScope.WRITE)
    assert post_value(client, key).status_code == 403
    assert client.get(URL, {"dataSet": "BDG_NAM"}, headers=auth(key)).status_code in (403, 404)


def test_an_expired_token_is_401_saying_so(client, reporter):
    token, key = make(reporter)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    response = client.get("/api/v1/rounds", headers=auth(key))
    assert response.status_code == 401 and "hết hạn" in response.json()["detail"]
    assert "Đã hết hạn" in (client.force_login(reporter) or client.get(LIST).content.decode())


def test_revoke_from_the_page_with_a_confirmation(client, reporter):
    token, key = make(reporter)
    client.force_login(reporter)
    revoke = reverse("accounts:api_token_revoke", args=[token.pk])
    assert f'href="{revoke}"' in client.get(LIST).content.decode()
    confirm = client.get(revoke)
    assert confirm.status_code == 200 and "Thu hồi khóa" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # a GET only asks
    assert client.get("/api/v1/rounds", headers=auth(key)).status_code == 200
    assert client.post(revoke).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/rounds", headers=auth(key)).status_code == 401
    assert "Đã thu hồi" in client.get(LIST).content.decode()
    assert Event.objects.filter(
        action=Action.UPDATE,
        object_type="accounts.apitoken",
        object_id=str(token.pk),
        actor=reporter,
    ).exists()
    # Twice is harmless and audited once.
    client.post(revoke)
    assert (
        Event.objects.filter(
            action=Action.UPDATE, object_type="accounts.apitoken", object_id=str(token.pk)
        ).count()
        == 1
    )


def test_another_users_token_is_404(client, reporter, outsider):
    token, key = make(outsider)
    revoke = reverse("accounts:api_token_revoke", args=[token.pk])
    for url in (LIST, revoke):  # signed out: the login page
        assert reverse("accounts:login") in client.get(url)["Location"]
    client.force_login(reporter)
    revoke = reverse("accounts:api_token_revoke", args=[token.pk])
    assert client.get(revoke).status_code == 404
    assert client.post(revoke).status_code == 404
    assert "DHIS2 Bộ" not in client.get(LIST).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    with pytest.raises(PermissionDenied):
        services.revoke_api_token(actor=reporter, token=token)
    with pytest.raises(PermissionDenied):
        services.create_api_token(
            actor=reporter, owner=outsider, name="x", scope="read", expires_on=in_days(3)
        )


def test_last_used_is_recorded(client, reporter):
    token, key = make(reporter)
    assert token.last_used_at is None
    client.get("/api/v1/rounds", headers=auth(key))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_disabled_users_token_stops(client, reporter, coordinator):
    _, key = make(reporter)
    services.set_active(actor=coordinator, user=reporter, active=False)
    assert client.get("/api/v1/rounds", headers=auth(key)).status_code == 401


def test_the_command_issues_an_audited_read_only_token(reporter, capsys):
    call_command("api_token", reporter.username, "--days", "7")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=reporter)
    assert token.scope == TokenScope.READ and token.digest != key
    assert token.expires_at.date() <= in_days(8)
    assert Event.objects.filter(
        action=Action.CREATE, object_type="accounts.apitoken", object_id=str(token.pk)
    ).exists()
