import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import ApiToken, User
from audit.models import Event
from core.roles import Role
from orgs.models import Unit

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("production_hashers")
def test_coordinator_creates_a_unit_user(client, coordinator):
    client.force_login(coordinator)
    unit = Unit.objects.get(code="21548")
    response = client.post(
        reverse("accounts:user_new"),
        {
            "username": "lyson.baocao",
            "full_name": "Lương Thị Hoa",
            "email": "",
            "phone": "",
            "position": "",
            "unit": unit.pk,
            "role": Role.REPORTER,
            "password": "sóng-vỗ-ghềnh-đá-xanh",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="lyson.baocao")
    assert user.unit == unit and user.password.startswith("argon2")
    assert Event.objects.for_object(user).filter(action="create").exists()


def test_weak_initial_password_is_refused_with_a_message(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("accounts:user_new"),
        {
            "username": "x.baocao",
            "full_name": "X",
            "unit": coordinator.unit_id,
            "role": Role.REPORTER,
            "password": "Password123!",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="x.baocao").exists()
    assert "Mật khẩu" in response.content.decode()


def test_coordinator_cannot_grant_coordinator_or_admin(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("accounts:user_new"),
        {
            "username": "boss",
            "full_name": "Boss",
            "role": Role.ADMIN,
            "password": "sóng-vỗ-ghềnh-đá-xanh",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="boss").exists()


def test_nobody_changes_their_own_role_or_unit(client, coordinator):
    client.force_login(coordinator)
    other_unit = Unit.objects.get(code="CAT")
    response = client.post(
        reverse("accounts:user", args=[coordinator.pk]),
        {
            "username": "coordinator",
            "full_name": "Điều phối",
            "email": "",
            "phone": "",
            "position": "",
            "role": Role.ADMIN,
            "unit": other_unit.pk,
        },
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR and coordinator.unit.code == "SNV"
    assert coordinator.full_name == "Điều phối"


def test_reset_password_and_deactivate(client, coordinator, reporter):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:user_reset_password", args=[reporter.pk]))
    password = response.context["password"]
    reporter.refresh_from_db()
    assert reporter.check_password(password)
    client.post(reverse("accounts:user_set_active", args=[reporter.pk]), {"active": "0"})
    reporter.refresh_from_db()
    assert not reporter.is_active
    assert list(Event.objects.for_object(reporter).values_list("action", flat=True)) == [
        "update",
        "update",
    ]


def test_coordinator_cannot_reset_an_admin(client, coordinator, admin_user):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:user_reset_password", args=[admin_user.pk]))
    assert response.status_code == 403


def test_api_token_command_and_scoped_api(client, reporter, capsys):
    call_command("api_token", reporter.username)
    key = capsys.readouterr().out.strip()
    assert ApiToken.objects.get(user=reporter).digest != key
    headers = {"Authorization": f"Bearer {key}"}
    tasks = client.get("/api/v1/plans/2025/tasks", headers=headers).json()
    assert tasks and {t["unit"] for t in tasks} == {"SYT"}
    assert client.get("/api/v1/plans/2025/tasks").status_code == 401
    assert (
        client.get("/api/v1/plans/2025/tasks", headers={"Authorization": "Bearer x"}).status_code
        == 401
    )
    units = client.get("/api/v1/units", headers=headers).json()
    assert [u["code"] for u in units] == ["SYT"]
    assert client.get("/api/v1/units/21025/successions", headers=headers).status_code == 404


def test_api_successions_for_a_province_user(client, leader):
    _, key = ApiToken.issue(leader)
    links = client.get(
        "/api/v1/units/21025/successions", headers={"Authorization": f"Bearer {key}"}
    ).json()
    assert {"predecessor": "522", "successor": "21025", "effective_on": "2025-07-01"} in links


def test_demo_loads_once_and_a_second_run_changes_nothing():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from activities.models import Activity
    from cases.models import Case, Incident
    from demo.activities import load_demo_activities
    from demo.cases import load_demo_cases
    from demo.people import load_demo
    from plans.models import ProgressUpdate

    def state():
        return (
            list(User.objects.values_list("username", "password", "version")),
            ProgressUpdate.objects.count(),
            Event.objects.count(),
            TOTPDevice.objects.count(),
            Case.objects.count(),
            Incident.objects.count(),
            Activity.objects.count(),
        )

    load_demo()
    load_demo_cases()
    load_demo_activities()
    snapshot = state()
    load_demo()
    load_demo_cases()
    load_demo_activities()
    assert snapshot == state()
    assert snapshot[-2] == 3 and snapshot[-1] > 0
    assert User.objects.get(username="coordinator").check_password("hoa-sen-trong-dam")


def test_two_managers_editing_the_same_user_do_not_overwrite_each_other(
    client, coordinator, reporter
):
    client.force_login(coordinator)
    stale = reporter.version
    User.objects.filter(pk=reporter.pk).update(full_name="Tên do admin sửa", version=stale + 1)
    response = client.post(
        reverse("accounts:user", args=[reporter.pk]),
        {
            "username": reporter.username,
            "full_name": "Tên tôi gõ",
            "unit": reporter.unit_id,
            "role": Role.REPORTER,
            "expected_version": stale,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Tên tôi gõ" in body and "Tên do admin sửa" in body
    assert User.objects.get(pk=reporter.pk).full_name == "Tên do admin sửa"
