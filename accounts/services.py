"""The only writers of accounts: user changes, credential resets, and the separation of duties
that guards GBV access (security.md): granting a GBV role, moving a GBV user, resetting a GBV
user's password or second factor are requests a different person approves (`approval_refusal`).
"""

import datetime
import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, Event
from audit.services import record_event, save_audited
from core.notifications import notify

from .models import (
    CASE_ROLES,
    TOKEN_DAYS_MAX,
    USER_MANAGERS,
    ApiToken,
    EnrolmentLink,
    GbvAccessRequest,
    GbvGrant,
    GbvRequestKind,
    GbvRequestStatus,
    Role,
    TokenScope,
    User,
)

USER_FIELDS = ["username", "full_name", "email", "phone", "position", "unit", "role", "is_active"]
RESET_MARK = ["***", "*** (đặt lại)"]
# A new request replaces a pending one of the same group for the same account.
SUPERSEDES = {
    GbvRequestKind.GRANT: (GbvRequestKind.GRANT, GbvRequestKind.MOVE),
    GbvRequestKind.MOVE: (GbvRequestKind.GRANT, GbvRequestKind.MOVE),
    GbvRequestKind.PASSWORD: (GbvRequestKind.PASSWORD,),
    GbvRequestKind.SECOND_FACTOR: (GbvRequestKind.SECOND_FACTOR,),
}
# Keyed by the stored role string (`User.role`), which a `Role` member equals.
OTHER_MANAGER: dict[str, Role] = {Role.COORDINATOR: Role.ADMIN, Role.ADMIN: Role.COORDINATOR}


def _check_manages(manager: User, user: User) -> None:
    if user.pk == manager.pk or user.role not in manager.grantable_roles():
        raise PermissionDenied


def _new_password(user: User) -> str:
    while True:
        password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
        try:
            password_validation.validate_password(password, user)
            return password
        except ValidationError:
            continue


def _set_new_password(*, actor: User, user: User, request=None) -> str:
    password = _new_password(user)
    user.set_password(password)  # changes the session hash: existing sessions stop working
    user.save(update_fields=["password"])
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=user,
        request=request,
        changes={"password": RESET_MARK},
    )
    return password


@transaction.atomic
def reset_password(*, actor: User, user: User, request=None) -> str:
    """Give the user a new random password, shown once to the manager; old sessions end.
    A GBV account's password is reset only through an approved request."""
    _check_manages(actor, user)
    if user.role in CASE_ROLES:
        raise PermissionDenied
    return _set_new_password(actor=actor, user=user, request=request)


@transaction.atomic
def set_active(*, actor: User, user: User, active: bool, request=None) -> None:
    """Deactivating ends the user's sessions too: inactive users are not authenticated."""
    _check_manages(actor, user)
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=user,
        request=request,
        changes={"is_active": [not active, active]},
    )


@transaction.atomic
def reset_second_factor(*, actor: User, user: User, request=None) -> None:
    """A lost phone: remove the user's authenticator; they set up a new one at next login.
    A GBV account's authenticator is reset only through an approved request."""
    _check_manages(actor, user)
    if user.role in CASE_ROLES:
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=user,
        request=request,
        changes={"second_factor": RESET_MARK},
    )


@transaction.atomic
def change_own_password(*, form, request=None) -> User:
    """Audited, so that the approval rule knows the last reset is no longer someone else's."""
    user = form.save()
    record_event(
        actor=user,
        action=Action.UPDATE,
        obj=user,
        request=request,
        changes={"password": ["***", "*** (tự đổi)"]},
    )
    return user


@transaction.atomic
def set_email_notifications(*, actor: User, enabled: bool, request=None) -> User:
    """The user's own choice of e-mail for notifications (core.notifications.wants_email)."""
    old = actor.email_notifications
    if old != enabled:
        actor.email_notifications = enabled
        actor.save(update_fields=["email_notifications"])
        record_event(
            actor=actor,
            action=Action.UPDATE,
            obj=actor,
            request=request,
            changes={"email_notifications": [old, enabled]},
        )
    return actor


# Personal API tokens (DHIS2's personal access tokens): the user's own, scoped and expiring.


def _token_end(day: datetime.date) -> datetime.datetime:
    """The moment a token chosen to work "until the end of `day`" stops: local midnight after."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(midnight)


@transaction.atomic
def create_api_token(
    *,
    actor: User | None,
    owner: User | None = None,
    name: str,
    scope: str,
    expires_on: datetime.date,
    request=None,
) -> tuple[ApiToken, str]:
    """A new token for `owner` (the actor themself from the account page; `manage.py api_token`
    passes no actor and the owner), and its key, shown once: only its digest is kept. The token
    never carries a permission: it acts as its user, whose role and scope are read at each use."""
    owner = owner or actor
    if owner is None or not owner.is_active:
        raise PermissionDenied
    if actor is not None and actor.pk != owner.pk:
        raise PermissionDenied  # nobody makes a token for somebody else
    today = timezone.localdate()
    if not today < expires_on <= today + datetime.timedelta(days=TOKEN_DAYS_MAX):
        raise ValidationError(_("Khóa API dùng từ 1 đến %(days)s ngày.") % {"days": TOKEN_DAYS_MAX})
    if scope not in TokenScope.values:
        raise ValidationError(_("Phạm vi không hợp lệ."))
    token, key = ApiToken.issue(
        owner, name=name.strip()[:100], scope=scope, expires_at=_token_end(expires_on)
    )
    record_event(
        actor=actor,
        action=Action.CREATE,
        obj=token,
        request=request,
        changes={
            "user": owner.username,
            "name": token.name,
            "scope": scope,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken, request=None) -> bool:
    """Revoke one of the actor's own tokens; False when it was already revoked."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        raise PermissionDenied
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=token,
        request=request,
        changes={"revoked_at": [None, token.revoked_at.isoformat()]},
    )
    return True


# Users and GBV consequences of their role and unit


@transaction.atomic
def save_user(*, actor: User, form, request=None) -> tuple[User, GbvAccessRequest | None]:
    """Create or edit a user. A GBV role never comes with access: a new GBV account, a change
    to a GBV role (or between the two) opens a grant request, a GBV user's new unit a move
    request; until approved the account has no GBV access. Leaving the GBV roles revokes."""
    before = None
    if form.instance.pk:
        before = User.objects.filter(pk=form.instance.pk).values("role", "unit_id").first()
    user = save_audited(actor=actor, form=form, fields=USER_FIELDS, request=request)
    role_changed = before is None or before["role"] != user.role
    unit_changed = before is None or before["unit_id"] != user.unit_id
    if not (role_changed or unit_changed):
        return user, None
    _revoke_all(user, actor=actor, request=request)
    if user.role not in CASE_ROLES:
        _cancel_pending(user, (GbvRequestKind.GRANT, GbvRequestKind.MOVE), actor, request)
        return user, None
    kind = GbvRequestKind.GRANT if role_changed else GbvRequestKind.MOVE
    return user, _open_request(actor=actor, subject=user, kind=kind, request=request)


@transaction.atomic
def request_credentials_reset(
    *, actor: User, user: User, kind: GbvRequestKind, request=None
) -> GbvAccessRequest:
    """A GBV account's new password or authenticator: a request a different person approves;
    the new password (or enrolment link) is shown to that person only."""
    _check_manages(actor, user)
    if user.role not in CASE_ROLES or kind not in (
        GbvRequestKind.PASSWORD,
        GbvRequestKind.SECOND_FACTOR,
    ):
        raise PermissionDenied
    return _open_request(actor=actor, subject=user, kind=kind, request=request)


@transaction.atomic
def request_grant(*, actor: User, subject: User, request=None) -> GbvAccessRequest:
    """Ask again for a GBV account that holds no access (revoked, refused, or older than
    approvals) without changing it."""
    _check_manages(actor, subject)
    if subject.role not in CASE_ROLES:
        raise PermissionDenied
    if subject.has_gbv_access:
        raise ValidationError(_("Tài khoản đã có quyền truy cập hỗ trợ nạn nhân."))
    return _open_request(actor=actor, subject=subject, kind=GbvRequestKind.GRANT, request=request)


def _open_request(*, actor, subject: User, kind, request=None) -> GbvAccessRequest:
    # Callers pass GBV accounts only, and a case role needs a unit (User's check constraint).
    assert subject.unit_id is not None
    _cancel_pending(subject, SUPERSEDES[kind], actor, request)
    req = GbvAccessRequest.objects.create(
        kind=kind, subject=subject, role=subject.role, unit_id=subject.unit_id, requested_by=actor
    )
    record_event(
        actor=actor,
        action=Action.CREATE,
        obj=req,
        request=request,
        changes={
            "kind": kind,
            "subject": subject.username,
            "role": req.role,
            "unit": str(req.unit),
        },
    )
    _alert_approvers(req)
    return req


def _cancel_pending(subject: User, kinds, actor, request=None) -> None:
    for req in GbvAccessRequest.objects.pending().filter(subject=subject, kind__in=kinds):
        _decide(req, GbvRequestStatus.CANCELLED, actor, request)


def _decide(req: GbvAccessRequest, status, actor, request=None) -> None:
    req.status, req.decided_by, req.decided_at = status, actor, timezone.now()
    req.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=req,
        request=request,
        changes={"status": [GbvRequestStatus.PENDING, status]},
    )


def _alert_approvers(req: GbvAccessRequest) -> None:
    people = list(active_supervisors(req.unit_id, excluding=req.subject))
    if not people:
        managers = User.objects.filter(is_active=True).exclude(pk=req.subject_id)
        requester = req.requested_by
        other = OTHER_MANAGER.get(requester.role) if requester is not None else None
        people = list(managers.filter(role__in=[other] if other else USER_MANAGERS))
    text = _("Yêu cầu “%(kind)s” cho tài khoản %(user)s (%(unit)s) đang chờ phê duyệt.") % {
        "kind": req.get_kind_display(),
        "user": req.subject.username,
        "unit": req.unit,
    }
    _notify(people, text)


def _notify(people, text: str) -> None:
    notify(people, text=text, url=reverse("accounts:gbv_access"))


# Who approves


def active_supervisors(unit_id, *, excluding: User | None = None):
    """Case supervisors of the unit holding an active grant for it."""
    granted = GbvGrant.objects.active().filter(role=Role.CASE_SUPERVISOR, unit_id=unit_id)
    people = User.objects.filter(
        pk__in=granted.values("user_id"),
        role=Role.CASE_SUPERVISOR,
        unit_id=unit_id,
        is_active=True,
    )
    return people.exclude(pk=excluding.pk) if excluding is not None else people


def _created_or_reset_by(account: User, person: User) -> bool:
    """Whether `person` created `account`, or was the last to reset its password or second
    factor (the audit log knows): then `person` may know how to sign in as `account`."""
    events = Event.objects.filter(object_type="accounts.user", object_id=str(account.pk))
    if events.filter(action=Action.CREATE, actor_id=person.pk).exists():
        return True
    last = (
        events.filter(action=Action.UPDATE)
        .filter(Q(changes__has_key="password") | Q(changes__has_key="second_factor"))
        .order_by("-at", "-id")
        .first()
    )
    return last is not None and last.actor_id == person.pk


def _password_setter(account_id: int) -> int | None:
    """Who set the account's current password (its creator, the last to reset it, or the account
    itself after changing it), by the audit log; None for accounts older than the log."""
    last = (
        Event.objects.filter(object_type="accounts.user", object_id=str(account_id))
        .filter(Q(action=Action.CREATE) | Q(action=Action.UPDATE, changes__has_key="password"))
        .order_by("-at", "-id")
        .first()
    )
    return last.actor_id if last is not None else None


def controllers(account: User) -> set[int]:
    """The people who may know how to sign in as `account`: the account, whoever set its
    password, whoever set theirs, and so on (an admin who made a coordinator's password can act
    as that coordinator)."""
    found = {account.pk}
    person: int | None = account.pk
    while person is not None:
        person = _password_setter(person)
        if person is None or person in found:
            break
        found.add(person)
    return found


def approval_refusal(approver: User, req: GbvAccessRequest) -> str | None:
    """Why `approver` may not decide `req` (approve or refuse), or None when they may.

    The rule:
    1. the request is pending; the approver is active, is not the person who asked and is not
       the account concerned;
    2. the approver is an active case supervisor (CASE_SUPERVISOR holding an active grant) of
       the request's agency;
    3. only when that agency has no active supervisor besides the account concerned: an active
       supervisor of another agency, or a manager holding the other management role than the
       requester's (a coordinator's request → an admin; an admin's → a coordinator; a request
       nobody made, for accounts older than approvals → any manager);
    4. never someone whose account the requester created, or whose password or second factor
       the requester reset last: one person with two accounts must not approve themself;
    5. never someone who created the account concerned or last reset its password or second
       factor (they may know its password, and the approver receives the enrolment link); a
       supervisor of the agency excluded this way counts as absent for rule 3;
    6. never when one person may sign in as both the approver and the requester or the account
       concerned (`controllers`: who set whose password, followed back): an admin who made a
       coordinator's password cannot request as one and approve as the other. Changing one's own
       password ends the chain.
    """
    requester = req.requested_by
    if req.status != GbvRequestStatus.PENDING:
        return _("Yêu cầu này đã được xử lý.")
    if requester is not None and approver.pk == requester.pk:
        return _("Bạn không thể tự phê duyệt yêu cầu do chính mình gửi: cần một người khác.")
    if approver.pk == req.subject_id:
        return _("Bạn không thể phê duyệt yêu cầu về tài khoản của chính mình.")
    if not approver.is_active:
        return _("Tài khoản của bạn đã bị khóa.")
    if _created_or_reset_by(req.subject, approver):
        return _(
            "Bạn đã tạo tài khoản này hoặc là người cấp lại mật khẩu, xác thực hai lớp của tài "
            "khoản này gần nhất: cần một người khác phê duyệt."
        )
    supervisor = approver.role == Role.CASE_SUPERVISOR and approver.has_gbv_access
    unit_supervisors = [
        person
        for person in active_supervisors(req.unit_id, excluding=req.subject)
        if not _created_or_reset_by(req.subject, person)
    ]
    if supervisor and approver.unit_id == req.unit_id:
        eligible = True
    elif unit_supervisors:
        eligible = False
    elif supervisor:
        eligible = True
    elif approver.role in USER_MANAGERS:
        other = OTHER_MANAGER.get(requester.role) if requester is not None else None
        eligible = requester is None or approver.role == other
    else:
        eligible = False
    if not eligible:
        return _(
            "Chỉ người giám sát hỗ trợ nạn nhân của cơ quan được phê duyệt yêu cầu này "
            "(cơ quan chưa có người giám sát: người giám sát của cơ quan khác, hoặc quản lý "
            "giữ vai trò quản lý còn lại — điều phối hoặc quản trị — không phải người đề nghị)."
        )
    if requester is not None and _created_or_reset_by(approver, requester):
        return _(
            "Tài khoản của bạn do chính người đề nghị tạo hoặc cấp lại mật khẩu, xác thực hai "
            "lớp, nên bạn không được phê duyệt yêu cầu của người này."
        )
    others = controllers(req.subject) | (controllers(requester) if requester else set())
    if controllers(approver) & others:
        return _(
            "Mật khẩu của bạn và của người đề nghị (hoặc của tài khoản được đề nghị) do cùng một "
            "người đặt, nên một người có thể đăng nhập cả hai: hãy tự đổi mật khẩu của mình rồi "
            "phê duyệt, hoặc nhờ người khác phê duyệt."
        )
    return None


def _check_may_decide(actor: User, req: GbvAccessRequest, request=None) -> None:
    reason = approval_refusal(actor, req)
    if reason is not None:
        # Logged outside the decision's transaction, which is not opened.
        record_event(
            actor=actor,
            action=Action.DENIED,
            obj=req,
            request=request,
            changes={"reason": reason},
        )
        raise PermissionDenied(reason)


def approve(*, actor: User, req: GbvAccessRequest, request=None) -> dict:
    """Carry out the request. Returns what only the approver sees and hands over: the new
    password ("password") or the one-time enrolment link's token ("token").

    A grant (new GBV account or role) always comes with a fresh authenticator: any device the
    account had is removed, since whoever managed the account before may have set it up. A
    move keeps the device enrolled under an earlier approval."""
    _check_may_decide(actor, req, request)
    return _approve(actor=actor, req=req, request=request)


@transaction.atomic
def _approve(*, actor: User, req: GbvAccessRequest, request=None) -> dict:
    req = GbvAccessRequest.objects.select_for_update().select_related("unit").get(pk=req.pk)
    reason = approval_refusal(actor, req)
    if reason is not None:
        raise PermissionDenied(reason)
    subject = User.objects.select_for_update().get(pk=req.subject_id)
    if (subject.role, subject.unit_id) != (req.role, req.unit_id) or not subject.is_active:
        raise ValidationError(
            _("Tài khoản đã thay đổi sau khi gửi yêu cầu; yêu cầu này không còn áp dụng.")
        )
    result = {}
    if req.kind in (GbvRequestKind.GRANT, GbvRequestKind.MOVE):
        _revoke_all(subject, actor=actor, request=request)
        grant = GbvGrant.objects.create(
            user=subject, unit_id=req.unit_id, role=req.role, approved_by=actor, request=req
        )
        record_event(
            actor=actor,
            action=Action.CREATE,
            obj=grant,
            request=request,
            changes={"user": subject.username, "role": grant.role, "unit": str(req.unit)},
        )
        if req.kind == GbvRequestKind.GRANT:
            _drop_devices(subject, actor, request)
        if req.kind == GbvRequestKind.GRANT or not _has_device(subject):
            result["token"] = _issue_link(subject, actor, request)
    elif req.kind == GbvRequestKind.PASSWORD:
        result["password"] = _set_new_password(actor=actor, user=subject, request=request)
    else:
        _drop_devices(subject, actor, request)
        result["token"] = _issue_link(subject, actor, request)
    _decide(req, GbvRequestStatus.APPROVED, actor, request)
    _tell_requester(req, _("đã được phê duyệt"))
    subject.forget_gbv_access()
    return result


def refuse(*, actor: User, req: GbvAccessRequest, request=None) -> None:
    _check_may_decide(actor, req, request)
    with transaction.atomic():
        req = GbvAccessRequest.objects.select_for_update().get(pk=req.pk)
        reason = approval_refusal(actor, req)
        if reason is not None:
            raise PermissionDenied(reason)
        _decide(req, GbvRequestStatus.REFUSED, actor, request)
        _tell_requester(req, _("bị từ chối"))


@transaction.atomic
def cancel(*, actor: User, req: GbvAccessRequest, request=None) -> None:
    """The requester withdraws their own pending request."""
    req = GbvAccessRequest.objects.select_for_update().get(pk=req.pk)
    if req.requested_by_id != actor.pk:
        raise PermissionDenied(_("Chỉ người gửi yêu cầu mới hủy được yêu cầu."))
    if req.status != GbvRequestStatus.PENDING:
        raise ValidationError(_("Yêu cầu này đã được xử lý."))
    _decide(req, GbvRequestStatus.CANCELLED, actor, request)


def _tell_requester(req: GbvAccessRequest, outcome: str) -> None:
    if req.requested_by is None:
        return
    text = _("Yêu cầu “%(kind)s” cho tài khoản %(user)s %(outcome)s.") % {
        "kind": req.get_kind_display(),
        "user": req.subject.username,
        "outcome": outcome,
    }
    _notify([req.requested_by], text)


def _has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _drop_devices(subject: User, actor, request=None) -> None:
    if TOTPDevice.objects.filter(user=subject).exists():
        TOTPDevice.objects.filter(user=subject).delete()
        record_event(
            actor=actor,
            action=Action.UPDATE,
            obj=subject,
            request=request,
            changes={"second_factor": RESET_MARK},
        )


def _issue_link(subject: User, actor, request=None) -> str:
    token = EnrolmentLink.issue(user=subject, created_by=actor)
    record_event(
        actor=actor,
        action=Action.CREATE,
        obj=subject,
        request=request,
        label=_("Đường dẫn cài đặt xác thực hai lớp cho %(user)s") % {"user": subject.username},
    )
    return token


# Revocation


def _revoke_all(user: User, *, actor, request=None) -> None:
    for grant in GbvGrant.objects.active().filter(user=user):
        _revoke(grant, actor=actor, request=request)


def _revoke(grant: GbvGrant, *, actor, request=None) -> None:
    grant.revoked_at, grant.revoked_by = timezone.now(), actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=grant,
        request=request,
        changes={"revoked_at": [None, str(grant.revoked_at)]},
    )
    grant.user.forget_gbv_access()


@transaction.atomic
def revoke(*, actor: User, grant: GbvGrant, request=None) -> None:
    """A supervisor of the agency ends someone else's GBV access at once: the grant is revoked
    and every session of the user ends."""
    grant = GbvGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if not (
        actor.role == Role.CASE_SUPERVISOR
        and actor.has_gbv_access
        and actor.unit_id == grant.unit_id
        and actor.pk != grant.user_id
    ):
        raise PermissionDenied(_("Chỉ người giám sát khác của cơ quan được thu hồi quyền này."))
    if grant.revoked_at is not None:
        raise ValidationError(_("Quyền này đã được thu hồi."))
    _revoke(grant, actor=actor, request=request)
    User.objects.filter(pk=grant.user_id).update(session_epoch=F("session_epoch") + 1)


# Enrolment and bootstrap


def unconfirmed_device(*, user: User) -> TOTPDevice:
    """The authenticator the user is setting up (made on first use)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name="Ứng dụng xác thực")
    return device


def second_factor_device(*, user: User) -> TOTPDevice:
    """The user's authenticator: the confirmed one, else the one being set up."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or unconfirmed_device(user=user)


@transaction.atomic
def second_factor_passed(*, actor: User, device: TOTPDevice, request=None) -> None:
    """The code was right: a device in set-up is confirmed, and the login is logged."""
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    record_event(
        actor=actor, action=Action.LOGIN, obj=actor, request=request, label=_("Xác thực hai lớp")
    )


def second_factor_failed(*, actor: User, request=None) -> None:
    record_event(
        actor=actor,
        action=Action.LOGIN_FAILED,
        obj=actor,
        request=request,
        label=_("Mã xác thực hai lớp sai"),
    )


@transaction.atomic
def complete_enrolment(*, user: User, link: EnrolmentLink, device: TOTPDevice, request=None):
    """The link's user proved the new authenticator: it becomes their only one, the link is
    spent."""
    link = EnrolmentLink.objects.select_for_update().get(pk=link.pk)
    if link.used_at is not None or link.expires_at <= timezone.now() or link.user_id != user.pk:
        raise ValidationError(_("Đường dẫn đã được dùng hoặc đã hết hạn."))
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_event(
        actor=user,
        action=Action.UPDATE,
        obj=user,
        request=request,
        changes={"second_factor": ["—", "*** (cài qua đường dẫn một lần)"]},
    )


@transaction.atomic
def grant_first_supervisor(*, user: User, label: str) -> str:
    """The operator's bootstrap (manage.py grant_first_gbv_supervisor): the first supervisor of
    an agency that has none. Like every grant, a fresh authenticator: returns the token of the
    one-time enrolment link the operator hands over."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role != Role.CASE_SUPERVISOR or user.unit_id is None or not user.is_active:
        raise ValidationError(
            _("Tài khoản phải là người giám sát hỗ trợ nạn nhân, đang hoạt động.")
        )
    if active_supervisors(user.unit_id).exists():
        raise ValidationError(
            _("Cơ quan đã có người giám sát: quyền mới phải do người giám sát phê duyệt.")
        )
    _revoke_all(user, actor=None)
    grant = GbvGrant.objects.create(
        user=user, unit_id=user.unit_id, role=user.role, approved_by=None, note=label[:200]
    )
    _cancel_pending(user, (GbvRequestKind.GRANT, GbvRequestKind.MOVE), None)
    record_event(
        actor=None,
        action=Action.CREATE,
        obj=grant,
        label=f"{label}: {user.username}",
        changes={"user": user.username, "role": user.role, "unit": str(user.unit)},
    )
    user.forget_gbv_access()
    _drop_devices(user, None)
    return _issue_link(user, None)
