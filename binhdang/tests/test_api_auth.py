"""API authentication as DHIS2 clients do it: Bearer, `ApiToken`, and Basic for accounts without
a second factor (through Django's authenticate, so axes counts and locks; never a session); the
OpenAPI document with a token."""

import base64

import pytest

from accounts.models import ApiToken, User
from audit.models import Action, Event
from core.roles import Role

pytestmark = pytest.mark.django_db
URL = "/api/v1/rounds"
PASSWORD = "mây-trắng-bay-qua-đồi-chè"


def basic(username, password=PASSWORD) -> dict:
    pair = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


@pytest.fixture
def with_password(reporter):
    reporter.set_password(PASSWORD)
    reporter.save()
    return reporter


@pytest.fixture
def leader_with_password(db):
    user = User.objects.create(username="lan", full_name="Lan", role=Role.LEADER)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.mark.parametrize("scheme", ["Bearer", "ApiToken", "apitoken"])
def test_token_schemes(client, reporter, scheme):
    _, key = ApiToken.issue(reporter)
    assert client.get(URL, headers={"Authorization": f"{scheme} {key}"}).status_code == 200
    assert client.get(URL, headers={"Authorization": f"{scheme} {key}x"}).status_code == 401
    assert client.get(URL, headers={"Authorization": f"Token {key}"}).status_code == 401


def test_basic_works_for_an_account_without_a_second_factor_and_sets_no_session(
    client, with_password
):
    response = client.get(URL, headers=basic(with_password.username))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies and "sessionid" not in client.cookies
    assert "Set-Cookie" not in response.headers or "sessionid" not in response["Set-Cookie"]
    # No login happened: nothing audited as a sign-in.
    assert not Event.objects.filter(action=Action.LOGIN, actor=with_password).exists()
    assert client.get(URL, headers=basic(with_password.username, "sai-mat-khau")).status_code == 401


def test_basic_is_refused_with_a_clear_message_for_a_second_factor_account(
    client, leader_with_password
):
    assert leader_with_password.needs_second_factor
    response = client.get(URL, headers=basic("lan"))
    assert response.status_code == 401
    assert "hai lớp" in response.json()["detail"] and "ApiToken" in response.json()["detail"]
    # Their token still works.
    _, key = ApiToken.issue(leader_with_password)
    assert client.get(URL, headers={"Authorization": f"ApiToken {key}"}).status_code == 200


def test_wrong_basic_passwords_count_toward_the_axes_lockout(client, with_password):
    name = with_password.username
    statuses = [
        client.get(URL, headers=basic(name, f"sai-{n}"), REMOTE_ADDR=f"10.4.0.{n}").status_code
        for n in range(5)
    ]
    # As on the login page: the fifth failure locks the name out (axes answers 429).
    assert statuses == [401, 401, 401, 401, 429]
    assert Event.objects.filter(action=Action.LOGIN_FAILED, object_repr=name).count() == 5
    # Locked: even the right password is refused now, on the API and on the login page.
    assert client.get(URL, headers=basic(name), REMOTE_ADDR="10.4.0.99").status_code == 429
    page = client.post("/accounts/login/", {"username": name, "password": PASSWORD})
    assert page.status_code == 429


@pytest.mark.parametrize(
    "header", ["Basic", "Basic !!!", "Basic " + base64.b64encode(b"x").decode()]
)
def test_unreadable_basic_is_401(client, header):
    assert client.get(URL, headers={"Authorization": header}).status_code == 401


def test_the_openapi_document_is_reachable_with_a_token(client, reporter, with_password):
    _, key = ApiToken.issue(reporter)
    for headers in (
        {"Authorization": f"Bearer {key}"},
        {"Authorization": f"ApiToken {key}"},
        basic(with_password.username),
    ):
        response = client.get("/api/v1/openapi.json", headers=headers)
        assert response.status_code == 200
        assert "/api/v1/dataValueSets.adx" in response.json()["paths"]
    bad = client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 302  # a browser: sign in first


def test_the_api_lockout_answers_json_as_a_web_message(client, with_password):
    name = with_password.username
    for n in range(5):
        client.get(URL, headers=basic(name, f"sai-{n}"), REMOTE_ADDR=f"10.5.0.{n}")
    response = client.get(URL, headers=basic(name), REMOTE_ADDR="10.5.0.99")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["httpStatus"] == "Too Many Requests" and body["httpStatusCode"] == 429
    assert body["status"] == "ERROR" and "tạm bị khóa" in body["message"]
    assert int(response["Retry-After"]) > 0
    # The login page still shows the HTML lockout page.
    page = client.post("/accounts/login/", {"username": name, "password": PASSWORD})
    assert page.status_code == 429 and page["Content-Type"].startswith("text/html")
    assert "Tạm khóa đăng nhập" in page.content.decode()
