"""Password alone is not enough for coordinators, admins and GBV users (security.md)."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, Event
from conftest import make_user, second_factor, totp_code
from core.roles import Role

PASSWORD = "mưa-rơi-trên-phố-cổ-hội-an"
SECOND_FACTOR = reverse("accounts:second_factor")


def _user(username, role, unit):
    user = make_user(username, role, unit)
    user.set_password(PASSWORD)
    user.save()
    return user


def _password_only(username) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "unit"),
    [
        (Role.COORDINATOR, "SNV"),
        (Role.ADMIN, "SNV"),
        (Role.LEADER, "51"),
        (Role.CASE_WORKER, "SYT"),
        (Role.CASE_SUPERVISOR, "SYT"),
    ],
)
def test_password_alone_reaches_nothing_but_the_second_factor(role, unit):
    _user("nguoidung", role, unit)
    client = _password_only("nguoidung")
    for path in ("/", reverse("reports:index"), reverse("accounts:users"), "/cases/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SECOND_FACTOR)
    assert client.get("/api/v1/rounds").status_code == 401
    assert client.get(SECOND_FACTOR).status_code == 200


@pytest.mark.django_db
def test_reporters_need_no_second_factor():
    _user("baocao", Role.REPORTER, "SYT")
    assert _password_only("baocao").get("/").status_code == 200


@pytest.mark.django_db
def test_first_use_sets_up_the_authenticator_then_asks_for_codes(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the wrong code below
    user = _user("dieuphoi", Role.COORDINATOR, "SNV")
    client = _password_only("dieuphoi")
    page = client.get(SECOND_FACTOR).content.decode()
    assert "<svg" in page and "Khóa bí mật" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    right = totp_code(device.bin_key)
    wrong = client.post(SECOND_FACTOR, {"code": "000000" if right != "000000" else "111111"})
    assert "Mã không đúng" in wrong.content.decode()
    assert Event.objects.filter(actor=user, action=Action.LOGIN_FAILED).exists()
    assert client.get("/").status_code == 302

    response = client.post(SECOND_FACTOR, {"code": totp_code(device.bin_key), "next": "/reports/"})
    assert response.status_code == 302 and response["Location"] == "/reports/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200

    # Next login: the same device, no new secret shown.
    again = _password_only("dieuphoi")
    assert "Khóa bí mật" not in again.get(SECOND_FACTOR).content.decode()


@pytest.mark.django_db
def test_wrong_codes_slow_down_the_next_tries():
    user = _user("dieuphoi", Role.COORDINATOR, "SNV")
    device = second_factor(user)
    client = _password_only("dieuphoi")
    client.post(
        SECOND_FACTOR, {"code": "999999" if totp_code(device.bin_key) != "999999" else "000000"}
    )
    response = client.post(SECOND_FACTOR, {"code": totp_code(device.bin_key)})
    assert "đợi ít giây" in response.content.decode()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_a_code_cannot_be_used_twice():
    user = _user("quantri", Role.ADMIN, "SNV")
    device = second_factor(user)
    code = totp_code(device.bin_key)
    assert _password_only("quantri").post(SECOND_FACTOR, {"code": code}).status_code == 302
    replay = _password_only("quantri").post(SECOND_FACTOR, {"code": code})
    assert replay.status_code == 200 and "Mã không đúng" in replay.content.decode()


@pytest.mark.django_db
def test_next_must_stay_on_this_site():
    user = _user("hotro", Role.CASE_WORKER, "SYT")
    device = second_factor(user)
    response = _password_only("hotro").post(
        SECOND_FACTOR, {"code": totp_code(device.bin_key), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_gbv_sessions_end_after_thirty_idle_minutes(client):
    worker = make_user("hotro", Role.CASE_WORKER, "SYT")
    client.force_login(worker)
    client.get("/")
    assert client.session.get_expiry_age() == 30 * 60
    reporter = make_user("baocao", Role.REPORTER, "SYT")
    client.force_login(reporter)
    client.get("/")
    assert client.session.get_expiry_age() > 30 * 60


@pytest.mark.django_db
def test_manager_resets_a_lost_authenticator(client, admin_user):
    # A GBV account's reset needs a second person's approval (test_gbv_access.py).
    worker = make_user("lanhdao", Role.LEADER, "51")
    second_factor(worker)
    client.force_login(admin_user)
    response = client.post(reverse("accounts:user_reset_second_factor", args=[worker.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=worker).exists()
    event = Event.objects.filter(object_id=str(worker.pk), action=Action.UPDATE).get()
    assert "second_factor" in event.changes


def test_the_codes_are_standard_totp():
    # RFC 6238 test vector (SHA-1, 8 digits at T=59 → 94287082); apps compute the same.
    totp = TOTP(b"12345678901234567890", digits=8)
    totp.time = 59
    assert totp.token() == 94287082


@pytest.mark.django_db
def test_demo_code_stands_in_for_the_phone_of_demo_users_only(settings):
    import io

    from django.core.management import CommandError, call_command

    from demo.people import load_demo

    load_demo()
    out = io.StringIO()
    call_command("demo_code", "coordinator", stdout=out)
    device = TOTPDevice.objects.get(user__username="coordinator")
    assert device.verify_token(out.getvalue().strip())
    real = make_user("that", Role.COORDINATOR, "SNV")
    second_factor(real)
    with pytest.raises(CommandError):
        call_command("demo_code", "that")
    settings.HTTPS = True
    with pytest.raises(CommandError):
        call_command("demo_code", "coordinator")


@pytest.mark.django_db
def test_the_session_key_changes_when_the_second_factor_is_accepted():
    user = _user("dieuphoi", Role.COORDINATOR, "SNV")
    device = second_factor(user)
    client = _password_only("dieuphoi")
    before = client.session.session_key
    assert client.post(SECOND_FACTOR, {"code": totp_code(device.bin_key)}).status_code == 302
    after = client.session.session_key
    assert after and after != before
    assert client.get("/").status_code == 200  # the new session carries both factors


JUNK_NEXT = [
    "\x00",
    "%00",
    "http://evil.example/",
    "//x",
    "/\\evil.example",
    "\\\\evil.example",
    "/a\r\nSet-Cookie: x=1",
    "javascript:alert(1)",
    "/" + "a" * 5000,
    "/trang-chủ",
    "ᴴᵀᵀᴾ://evil",
    "home",
]


@pytest.mark.django_db
def test_junk_next_never_breaks_the_second_factor_page():
    user = _user("dieuphoi", Role.COORDINATOR, "SNV")
    second_factor(user)
    client = _password_only("dieuphoi")
    for junk in JUNK_NEXT:
        response = client.get(SECOND_FACTOR, {"next": junk})
        assert response.status_code == 200, repr(junk)
    # Raw query strings too (the client would encode them otherwise).
    for raw in ("next=%00", "next=%ff%fe", "next=" + "%C3" * 3000, "next=%0d%0a"):
        assert client.get(f"{SECOND_FACTOR}?{raw}").status_code == 200, raw
    # Once verified, the GET sends on: home for junk.
    verified = Client()
    verified.force_login(user)
    session = verified.session
    session[DEVICE_ID_SESSION_KEY] = second_factor(user).persistent_id
    session.save()
    for junk in JUNK_NEXT:
        response = verified.get(SECOND_FACTOR, {"next": junk})
        assert (response.status_code, response["Location"]) == (302, "/"), repr(junk)
    assert verified.get(SECOND_FACTOR, {"next": "/reports/?a=1&b=2"})["Location"] == (
        "/reports/?a=1&b=2"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("junk", JUNK_NEXT)
def test_a_correct_code_with_junk_next_goes_home(junk):
    user = _user("dieuphoi", Role.COORDINATOR, "SNV")
    device = second_factor(user)
    response = _password_only("dieuphoi").post(
        SECOND_FACTOR, {"code": totp_code(device.bin_key), "next": junk}
    )
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.django_db
def test_the_second_factor_keeps_the_whole_next_path():
    user = _user("dieuphoi", Role.COORDINATOR, "SNV")
    device = second_factor(user)
    client = _password_only("dieuphoi")
    redirect = client.get("/reports/?a=1&b=2")["Location"]
    assert redirect.startswith(SECOND_FACTOR)
    next_path = client.get(redirect).context["request"].GET["next"]
    assert next_path == "/reports/?a=1&b=2"
    response = client.post(SECOND_FACTOR, {"code": totp_code(device.bin_key), "next": next_path})
    assert response["Location"] == "/reports/?a=1&b=2"
