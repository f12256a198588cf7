import re

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import Action, Event
from core.roles import Role

pytestmark = pytest.mark.django_db
PASSWORD = "mây-trắng-bay-qua-đồi-chè"


@pytest.fixture
def lan(db):
    user = User.objects.create(username="lan", full_name="Lan", role=Role.LEADER)
    user.set_password(PASSWORD)
    user.save()
    return user


def _page(response) -> str:
    """The page without its per-response CSRF tokens."""
    body = response.content.decode()
    return re.sub(r'(X-CSRFToken": "|csrfmiddlewaretoken" value=")[^"]+', r"\1…", body)


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_page_is_vietnamese(client):
    body = client.get(reverse("accounts:login")).content.decode()
    assert "Đăng nhập" in body and "Tên đăng nhập" in body and "Mật khẩu" in body


def test_login_gives_a_new_session_and_is_audited(client, lan):
    client.get(reverse("accounts:login"))
    before = client.cookies.get("sessionid")
    response = _login(client, "lan", PASSWORD)
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert Event.objects.filter(action=Action.LOGIN, actor=lan).exists()
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home")).status_code == 302
    assert Event.objects.filter(action=Action.LOGOUT, actor=lan).exists()


def test_wrong_password_and_unknown_user_get_the_same_answer(client, lan):
    known = _login(client, "lan", "wrong-password-x", ip="10.0.0.2")
    unknown = _login(client, "khongco", "wrong-password-x", ip="10.0.0.3")
    assert known.status_code == unknown.status_code == 200
    assert _page(known).replace('value="lan"', "") == _page(unknown).replace('value="khongco"', "")
    assert Event.objects.filter(action=Action.LOGIN_FAILED, object_repr="khongco").exists()


def test_repeated_failures_lock_the_username_even_with_the_right_password(client, lan):
    for attempt in range(5):
        _login(client, "lan", f"wrong-{attempt}-password", ip=f"10.1.0.{attempt}")
    response = _login(client, "lan", PASSWORD, ip="10.1.0.99")
    assert response.status_code == 429
    assert "tạm bị khóa" in response.content.decode()


def test_lockout_looks_the_same_for_an_unknown_user(client, lan):
    for attempt in range(5):
        _login(client, "lan", "wrong-password-x", ip=f"10.2.0.{attempt}")
        _login(client, "khongco", "wrong-password-x", ip=f"10.3.0.{attempt}")
    known = _login(client, "lan", PASSWORD, ip="10.2.0.99")
    unknown = _login(client, "khongco", PASSWORD, ip="10.3.0.99")
    assert known.status_code == unknown.status_code == 429
    assert _page(known) == _page(unknown)


def test_repeated_failures_lock_the_ip_address_across_usernames(client, lan):
    for attempt in range(5):
        _login(client, f"user{attempt}", "wrong-password-x", ip="10.9.9.9")
    assert _login(client, "lan", PASSWORD, ip="10.9.9.9").status_code == 429
    assert _login(client, "lan", PASSWORD, ip="10.9.9.10").status_code == 302


def test_deactivating_a_user_ends_their_session(client, lan):
    client.force_login(lan)
    assert client.get(reverse("home")).status_code == 200
    User.objects.filter(pk=lan.pk).update(is_active=False)
    assert client.get(reverse("home")).status_code == 302


def test_behind_a_proxy_lockout_counts_the_users_address(client, lan, settings):
    settings.PROXY_COUNT = 1
    for attempt in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": f"u{attempt}", "password": "wrong-password-x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    # The attacker's address is locked; a colleague behind the same proxy is not.
    blocked = client.post(
        reverse("accounts:login"),
        {"username": "lan", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    allowed = client.post(
        reverse("accounts:login"),
        {"username": "lan", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert (blocked.status_code, allowed.status_code) == (429, 302)
    assert Event.objects.filter(action=Action.LOGIN, actor=lan).get().ip == "198.51.100.7"


def test_a_successful_login_does_not_wipe_the_failures_of_its_address(client, lan):
    for attempt in range(4):
        _login(client, f"guess{attempt}", "wrong-password-x", ip="10.5.5.5")
    assert _login(client, "lan", PASSWORD, ip="10.5.5.5").status_code == 302
    client.post(reverse("accounts:logout"))
    _login(client, "guess9", "wrong-password-x", ip="10.5.5.5")
    assert _login(client, "lan", PASSWORD, ip="10.5.5.5").status_code == 429
