"""Separation of duties for GBV access (security.md): a manager who creates, moves or resets a
GBV account reads nothing until a different person approves, and the credentials go to the
approver, never to the requester."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import (
    EnrolmentLink,
    GbvAccessRequest,
    GbvGrant,
    GbvRequestKind,
    GbvRequestStatus,
    User,
)
from audit.models import Action, Event
from cases.models import Case, Risk, Survivor
from conftest import VerifiedClient, make_user, second_factor, totp_code
from core.models import Notification
from core.roles import Role
from orgs.models import Unit

pytestmark = pytest.mark.django_db

NAME = "Hồ Thị Sương Mai"
PASSWORD = "sóng-vỗ-ghềnh-đá-xanh-mãi"
LINK = re.compile(r"/accounts/enrol/[\w-]+/")


def _case(owner) -> Case:
    syt = Unit.objects.get(code="SYT")
    survivor = Survivor.objects.create(
        agency=syt, name=NAME, sex="female", age_band="26-40", ethnic_group="Kinh"
    )
    return Case.objects.create(survivor=survivor, agency=syt, owner=owner, risk=Risk.HIGH)


def _as(user, verified=True) -> Client:
    client = VerifiedClient() if verified else Client()
    client.force_login(user)
    return client


def _create_gbv_user(manager, username, role, unit_code="SYT") -> User:
    response = _as(manager).post(
        reverse("accounts:user_new"),
        {
            "username": username,
            "full_name": "Người Mới",
            "unit": Unit.objects.get(code=unit_code).pk,
            "role": role,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    return User.objects.get(username=username)


def _reads_nothing(client, case) -> None:
    for url in (
        reverse("cases:case", args=[case.pk]),
        reverse("cases:list"),
        reverse("cases:referrals"),
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert NAME not in response.content.decode()
        assert case.code not in response.content.decode()


def _enrol(user, link: str) -> Client:
    """The user, signed in with their password only, opens the link and proves the app."""
    client = _as(user, verified=False)
    assert client.get(link).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(link, {"code": totp_code(device.bin_key)})
    assert response.status_code == 302
    return client


@pytest.fixture
def supervisor(db):
    return make_user("syt.giamsat", Role.CASE_SUPERVISOR, "SYT")


@pytest.mark.parametrize("manager_fixture", ["coordinator", "admin_user"])
@pytest.mark.parametrize("role", [Role.CASE_WORKER, Role.CASE_SUPERVISOR])
def test_a_manager_who_creates_a_gbv_account_reads_nothing_until_someone_else_approves(
    request, manager_fixture, role, supervisor
):
    manager = request.getfixturevalue(manager_fixture)
    worker = make_user("syt.hotro", Role.CASE_WORKER, "SYT")
    new = _create_gbv_user(manager, "gia.mao", role)
    # A worker reads the cases they own, a supervisor the agency's.
    case = _case(new if role == Role.CASE_WORKER else worker)
    req = GbvAccessRequest.objects.get(subject=new)
    assert (req.kind, req.status, req.requested_by) == (
        GbvRequestKind.GRANT,
        GbvRequestStatus.PENDING,
        manager,
    )
    assert Notification.objects.filter(user=supervisor, url=reverse("accounts:gbv_access")).exists()

    # The manager knows the password: with it, no authenticator can be set up…
    password_only = Client()
    password_only.post(reverse("accounts:login"), {"username": "gia.mao", "password": PASSWORD})
    page = password_only.get(reverse("accounts:second_factor")).content.decode()
    assert "chờ phê duyệt" in page and "<svg" not in page
    assert not TOTPDevice.objects.filter(user=new).exists()
    # …and even with a second factor, nothing of the module.
    attacker = _as(new)
    _reads_nothing(attacker, case)
    assert (
        "Tài khoản đang chờ phê duyệt quyền truy cập"
        in attacker.get(reverse("cases:list")).content.decode()
    )
    assert not Case.objects.for_user(new).exists()

    # The requester approving their own request: refused, nothing changes.
    approve = reverse("accounts:gbv_approve", args=[req.pk])
    refused = _as(manager).post(approve, follow=True)
    assert "không thể tự phê duyệt" in refused.content.decode()
    req.refresh_from_db()
    assert req.status == GbvRequestStatus.PENDING and not GbvGrant.objects.filter(user=new)
    assert Event.objects.filter(actor=manager, action=Action.DENIED, object_id=str(req.pk))
    _reads_nothing(attacker, case)

    # Sở Y tế's supervisor approves: the enrolment link is shown to them only.
    response = _as(supervisor).post(approve)
    assert response.status_code == 200
    link = LINK.search(response.content.decode()).group(0)
    for page in (reverse("accounts:gbv_access"), reverse("accounts:user", args=[new.pk])):
        assert link not in _as(manager).get(page).content.decode()
    # The authenticator set up before approval is gone; the link sets up the real one.
    assert attacker.get(reverse("cases:list")).status_code == 302
    owner = _enrol(User.objects.get(pk=new.pk), link)
    body = owner.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert case.code in body

    # Revoked: at once, and the sessions end.
    grant = GbvGrant.objects.get(user=new, revoked_at__isnull=True)
    assert _as(supervisor).post(reverse("accounts:gbv_revoke", args=[grant.pk])).status_code == 302
    assert owner.get(reverse("cases:case", args=[case.pk]))["Location"].startswith(
        reverse("accounts:login")
    )
    _reads_nothing(_as(User.objects.get(pk=new.pk)), case)


def test_the_supervisor_page_lists_holders_and_requests_and_managers_see_their_own(
    coordinator, supervisor
):
    worker = make_user("syt.hotro", Role.CASE_WORKER, "SYT")
    new = _create_gbv_user(coordinator, "moi.hotro", Role.CASE_WORKER)
    page = _as(supervisor).get(reverse("accounts:gbv_access")).content.decode()
    assert "Quyền truy cập hỗ trợ nạn nhân" in page
    assert worker.username in page and "Thu hồi quyền" in page
    assert new.username in page
    req = GbvAccessRequest.objects.get(subject=new)
    assert reverse("accounts:gbv_approve", args=[req.pk]) in page
    mine = _as(coordinator).get(reverse("accounts:gbv_access"))
    assert list(mine.context["mine"]) == [req] and mine.context["to_decide"] == []
    assert "Chờ phê duyệt" in mine.content.decode()
    # The navigation links the page for supervisors and managers, not for others.
    assert reverse("accounts:gbv_access") in _as(supervisor).get("/").content.decode()
    assert reverse("accounts:gbv_access") not in _as(worker).get("/").content.decode()


def test_moving_a_gbv_user_drops_access_until_approved(coordinator, admin_user, supervisor):
    worker = make_user("syt.hotro", Role.CASE_WORKER, "SYT")
    second_factor(worker)
    case = _case(worker)
    cat = Unit.objects.get(code="CAT")
    response = _as(coordinator).post(
        reverse("accounts:user", args=[worker.pk]),
        {
            "username": worker.username,
            "full_name": worker.full_name,
            "unit": cat.pk,
            "role": Role.CASE_WORKER,
            "expected_version": worker.version,
        },
    )
    assert response.status_code == 302
    moved = User.objects.get(pk=worker.pk)
    assert moved.unit == cat and not moved.has_gbv_access
    _reads_nothing(_as(moved), case)
    req = GbvAccessRequest.objects.get(subject=worker, status=GbvRequestStatus.PENDING)
    assert (req.kind, req.unit) == (GbvRequestKind.MOVE, cat)

    # Công an tỉnh has no supervisor: another coordinator (same role as the requester) may not
    # approve, an admin may; a move keeps the authenticator.
    other = make_user("dieuphoi2", Role.COORDINATOR, "SNV")
    refused = _as(other).post(reverse("accounts:gbv_approve", args=[req.pk]), follow=True)
    assert "Chỉ người giám sát" in refused.content.decode()
    assert _as(admin_user).post(reverse("accounts:gbv_approve", args=[req.pk])).status_code == 200
    assert User.objects.get(pk=worker.pk).has_gbv_access
    assert TOTPDevice.objects.filter(user=worker, confirmed=True).exists()
    assert _as(User.objects.get(pk=worker.pk)).get(reverse("cases:list")).status_code == 200


def test_a_gbv_password_reset_waits_for_approval_and_shows_the_password_to_the_approver(
    coordinator, supervisor
):
    worker = make_user("syt.hotro", Role.CASE_WORKER, "SYT")
    worker.set_password(PASSWORD)
    worker.save()
    response = _as(coordinator).post(reverse("accounts:user_reset_password", args=[worker.pk]))
    assert response.status_code == 302 and "password" not in (response.context or {})
    assert User.objects.get(pk=worker.pk).check_password(PASSWORD)
    req = GbvAccessRequest.objects.get(subject=worker, kind=GbvRequestKind.PASSWORD)

    approved = _as(supervisor).post(reverse("accounts:gbv_approve", args=[req.pk]))
    password = approved.context["password"]
    assert password and password in approved.content.decode()
    assert User.objects.get(pk=worker.pk).check_password(password)
    for page in (reverse("accounts:gbv_access"), reverse("accounts:user", args=[worker.pk])):
        assert password not in _as(coordinator).get(page).content.decode()
    # Access itself was not touched.
    assert User.objects.get(pk=worker.pk).has_gbv_access


def test_a_gbv_authenticator_reset_goes_through_approval_and_a_single_use_link(
    admin_user, supervisor
):
    worker = make_user("syt.hotro", Role.CASE_WORKER, "SYT")
    second_factor(worker)
    response = _as(admin_user).post(reverse("accounts:user_reset_second_factor", args=[worker.pk]))
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=worker).exists()  # nothing yet
    req = GbvAccessRequest.objects.get(subject=worker, kind=GbvRequestKind.SECOND_FACTOR)
    # Only the approver sees the link.
    approved = _as(supervisor).post(reverse("accounts:gbv_approve", args=[req.pk]))
    link = LINK.search(approved.content.decode()).group(0)
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert link not in _as(admin_user).get(reverse("accounts:gbv_access")).content.decode()
    # Without the link, no set-up: the page says to ask the supervisor.
    page = _as(worker, verified=False).get(reverse("accounts:second_factor")).content.decode()
    assert "người giám sát" in page and "<svg" not in page

    client = _enrol(worker, link)
    assert client.get(reverse("cases:list")).status_code == 200
    assert EnrolmentLink.objects.get(user=worker).used_at is not None
    # Single use.
    again = _as(worker, verified=False).get(link)
    assert again.status_code == 404 and "<svg" not in again.content.decode()


def test_an_enrolment_link_expires_and_belongs_to_one_account(supervisor):
    worker = make_user("syt.hotro", Role.CASE_WORKER, "SYT")
    token = EnrolmentLink.issue(user=worker, created_by=supervisor)
    link = reverse("accounts:enrol", args=[token])
    assert _as(supervisor).get(link).status_code == 404  # someone else signed in
    assert Client().get(link)["Location"].startswith(reverse("accounts:login"))
    assert _as(worker, verified=False).get(link).status_code == 200
    EnrolmentLink.objects.filter(user=worker).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert _as(worker, verified=False).get(link).status_code == 404
    stored = EnrolmentLink.objects.get(user=worker)
    assert token not in stored.digest and len(stored.digest) == 64


def test_an_enrolment_link_lasts_72_hours(supervisor):
    worker = make_user("syt.hotro", Role.CASE_WORKER, "SYT")
    EnrolmentLink.issue(user=worker, created_by=supervisor)
    link = EnrolmentLink.objects.get(user=worker)
    assert link.expires_at - link.created_at == pytest.approx(
        datetime.timedelta(hours=72), abs=datetime.timedelta(seconds=5)
    )


def test_an_approver_whose_account_the_requester_created_or_reset_is_refused(admin_user):
    # Sở Y tế has no supervisor: a coordinator may approve an admin's request…
    response = _as(admin_user).post(
        reverse("accounts:user_new"),
        {
            "username": "dieuphoi.phu",
            "full_name": "Điều phối phụ",
            "unit": Unit.objects.get(code="SNV").pk,
            "role": Role.COORDINATOR,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    puppet = User.objects.get(username="dieuphoi.phu")
    reset = make_user("dieuphoi.ba", Role.COORDINATOR, "SNV")
    given = _as(admin_user).post(reverse("accounts:user_reset_password", args=[reset.pk]))
    new = _create_gbv_user(admin_user, "gia.mao", Role.CASE_SUPERVISOR)
    req = GbvAccessRequest.objects.get(subject=new)
    approve = reverse("accounts:gbv_approve", args=[req.pk])
    # …but not one whose account the admin created, or whose password the admin reset last.
    for approver in (puppet, reset):
        body = _as(User.objects.get(pk=approver.pk)).post(approve, follow=True).content.decode()
        assert "do chính người đề nghị tạo hoặc cấp lại" in body
        req.refresh_from_db()
        assert req.status == GbvRequestStatus.PENDING
        assert not User.objects.get(pk=new.pk).has_gbv_access
    # Once that coordinator has changed the password, the admin no longer knows it.
    reset = User.objects.get(pk=reset.pk)
    changed = _as(reset).post(
        reverse("accounts:account"),
        {
            "old_password": given.context["password"],
            "new_password1": "trăng-sáng-trên-đỉnh-núi-ấn",
            "new_password2": "trăng-sáng-trên-đỉnh-núi-ấn",
        },
    )
    assert changed.status_code == 302
    assert _as(User.objects.get(pk=reset.pk)).post(approve).status_code == 200
    assert User.objects.get(pk=new.pk).has_gbv_access


def _account(manager, username, role, unit_code="SNV") -> User:
    response = _as(manager).post(
        reverse("accounts:user_new"),
        {
            "username": username,
            "full_name": "Tài khoản phụ",
            "unit": Unit.objects.get(code=unit_code).pk,
            "role": role,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    return User.objects.get(username=username)


def test_one_person_behind_both_the_request_and_the_approval_is_refused(admin_user):
    # The admin makes a coordinator whose password it knows, asks as that coordinator for a GBV
    # account in an agency without a supervisor, and tries to approve as itself…
    puppet = _account(admin_user, "dieuphoi.bu", Role.COORDINATOR)
    new = _create_gbv_user(puppet, "gia.mao.hai", Role.CASE_SUPERVISOR)
    req = GbvAccessRequest.objects.get(subject=new)
    approve = reverse("accounts:gbv_approve", args=[req.pk])
    body = _as(admin_user).post(approve, follow=True).content.decode()
    assert "do cùng một người đặt" in body
    # …or makes a second admin and a coordinator, requests as one and approves as the other.
    second = _account(admin_user, "quantri.bu", Role.ADMIN)
    helper = _account(admin_user, "dieuphoi.ba.bu", Role.COORDINATOR)
    other = _create_gbv_user(second, "gia.mao.ba", Role.CASE_WORKER)
    other_req = GbvAccessRequest.objects.get(subject=other)
    body = (
        _as(helper)
        .post(reverse("accounts:gbv_approve", args=[other_req.pk]), follow=True)
        .content.decode()
    )
    assert "do cùng một người đặt" in body
    for pending in (req, other_req):
        pending.refresh_from_db()
        assert pending.status == GbvRequestStatus.PENDING
    assert not User.objects.filter(pk__in=[new.pk, other.pk], gbv_grants__isnull=False).exists()
    # Once the coordinator has set a password of its own, nobody else can be it: it may approve.
    changed = _as(helper).post(
        reverse("accounts:account"),
        {
            "old_password": PASSWORD,
            "new_password1": "trăng-sáng-trên-đỉnh-núi-ấn",
            "new_password2": "trăng-sáng-trên-đỉnh-núi-ấn",
        },
    )
    assert changed.status_code == 302
    assert (
        _as(User.objects.get(pk=helper.pk))
        .post(reverse("accounts:gbv_approve", args=[other_req.pk]))
        .status_code
        == 200
    )
    assert User.objects.get(pk=other.pk).has_gbv_access


def test_a_supervisor_of_the_agency_is_required_once_there_is_one(coordinator, admin_user):
    make_user("syt.giamsat", Role.CASE_SUPERVISOR, "SYT")
    new = _create_gbv_user(coordinator, "moi.hotro", Role.CASE_WORKER)
    req = GbvAccessRequest.objects.get(subject=new)
    other_supervisor = make_user("cat.giamsat", Role.CASE_SUPERVISOR, "CAT")
    for approver in (admin_user, other_supervisor):
        _as(approver).post(reverse("accounts:gbv_approve", args=[req.pk]))
        req.refresh_from_db()
        assert req.status == GbvRequestStatus.PENDING


def test_leaving_the_gbv_roles_revokes_and_returning_needs_approval(admin_user):
    worker = make_user("syt.hotro", Role.CASE_WORKER, "SYT")
    url = reverse("accounts:user", args=[worker.pk])

    def save(role, unit_code):
        current = User.objects.get(pk=worker.pk)
        return _as(admin_user).post(
            url,
            {
                "username": current.username,
                "full_name": current.full_name,
                "unit": Unit.objects.get(code=unit_code).pk,
                "role": role,
                "expected_version": current.version,
            },
        )

    assert save(Role.COORDINATOR, "SNV").status_code == 302
    assert not GbvGrant.objects.filter(user=worker, revoked_at__isnull=True).exists()
    assert not GbvAccessRequest.objects.filter(subject=worker).exists()
    assert save(Role.CASE_SUPERVISOR, "SYT").status_code == 302
    back = User.objects.get(pk=worker.pk)
    assert back.role == Role.CASE_SUPERVISOR and not back.has_gbv_access
    assert GbvAccessRequest.objects.get(subject=worker).kind == GbvRequestKind.GRANT


def test_the_requester_cancels_and_a_refusal_changes_nothing(coordinator, supervisor):
    new = _create_gbv_user(coordinator, "moi.hotro", Role.CASE_WORKER)
    req = GbvAccessRequest.objects.get(subject=new)
    _as(supervisor).post(reverse("accounts:gbv_refuse", args=[req.pk]))
    req.refresh_from_db()
    assert req.status == GbvRequestStatus.REFUSED and req.decided_by == supervisor
    assert not User.objects.get(pk=new.pk).has_gbv_access
    assert Notification.objects.filter(user=coordinator, text__contains="bị từ chối").exists()

    _as(coordinator).post(reverse("accounts:user_request_gbv", args=[new.pk]))
    again = GbvAccessRequest.objects.get(subject=new, status=GbvRequestStatus.PENDING)
    _as(coordinator).post(reverse("accounts:gbv_cancel", args=[again.pk]))
    again.refresh_from_db()
    assert again.status == GbvRequestStatus.CANCELLED


def test_the_first_supervisor_of_an_agency_comes_from_the_operator():
    first = User.objects.create(
        username="syt.giamsat",
        full_name="Giám sát",
        role=Role.CASE_SUPERVISOR,
        unit=Unit.objects.get(code="SYT"),
    )
    assert not first.has_gbv_access
    out = io.StringIO()
    call_command("grant_first_gbv_supervisor", "syt.giamsat", stdout=out)
    assert LINK.search(out.getvalue())
    grant = GbvGrant.objects.get(user=first)
    assert grant.approved_by is None and User.objects.get(pk=first.pk).has_gbv_access
    assert Event.objects.filter(object_type="accounts.gbvgrant", object_id=str(grant.pk))
    second = User.objects.create(
        username="syt.giamsat2",
        full_name="Giám sát 2",
        role=Role.CASE_SUPERVISOR,
        unit=Unit.objects.get(code="SYT"),
    )
    with pytest.raises(CommandError, match="đã có người giám sát"):
        call_command("grant_first_gbv_supervisor", "syt.giamsat2", stdout=io.StringIO())
    assert not User.objects.get(pk=second.pk).has_gbv_access
    worker = User.objects.create(
        username="cat.hotro",
        full_name="Hỗ trợ",
        role=Role.CASE_WORKER,
        unit=Unit.objects.get(code="CAT"),
    )
    with pytest.raises(CommandError):
        call_command("grant_first_gbv_supervisor", worker.username, stdout=io.StringIO())


def test_the_demo_gbv_accounts_are_approved_by_the_demo_supervisor():
    from demo.people import load_demo

    load_demo()
    supervisor = User.objects.get(username="syt.giamsat")
    for username in ("syt.hotro", "canbo.hotro", "stp.trogiup"):
        user = User.objects.get(username=username)
        assert user.has_gbv_access
        assert GbvGrant.objects.get(user=user, revoked_at__isnull=True).approved_by == supervisor
    assert supervisor.has_gbv_access


def test_whoever_created_the_account_never_approves_its_access(admin_user, coordinator):
    # The admin creates a case worker of Sở Y tế (no supervisor yet) and drops the request; a
    # coordinator asks again. Admins approve coordinators' requests, but not this admin: they
    # know the password, and the approver receives the enrolment link.
    new = _create_gbv_user(admin_user, "gia.mao", Role.CASE_WORKER)
    first = GbvAccessRequest.objects.get(subject=new)
    _as(admin_user).post(reverse("accounts:gbv_cancel", args=[first.pk]))
    _as(coordinator).post(reverse("accounts:user_request_gbv", args=[new.pk]))
    req = GbvAccessRequest.objects.get(subject=new, status=GbvRequestStatus.PENDING)
    approve = reverse("accounts:gbv_approve", args=[req.pk])
    body = _as(admin_user).post(approve, follow=True).content.decode()
    assert "Bạn đã tạo tài khoản này" in body
    assert not User.objects.get(pk=new.pk).has_gbv_access
    other_admin = make_user("quantri2", Role.ADMIN, "SNV")
    assert _as(other_admin).post(approve).status_code == 200
    assert User.objects.get(pk=new.pk).has_gbv_access


def test_a_supervisor_who_reset_the_password_leaves_the_next_reset_to_someone_else(
    coordinator, admin_user, supervisor
):
    worker = make_user("syt.hotro", Role.CASE_WORKER, "SYT")
    _as(coordinator).post(reverse("accounts:user_reset_password", args=[worker.pk]))
    req = GbvAccessRequest.objects.get(subject=worker)
    assert _as(supervisor).post(reverse("accounts:gbv_approve", args=[req.pk])).status_code == 200
    # The supervisor now knows the password: the authenticator reset goes to someone else
    # (here the other management role, as if Sở Y tế had no supervisor).
    _as(coordinator).post(reverse("accounts:user_reset_second_factor", args=[worker.pk]))
    reset = GbvAccessRequest.objects.get(subject=worker, kind=GbvRequestKind.SECOND_FACTOR)
    approve = reverse("accounts:gbv_approve", args=[reset.pk])
    assert "Bạn đã tạo tài khoản này" in _as(supervisor).post(approve, follow=True).content.decode()
    assert _as(admin_user).post(approve).status_code == 200
