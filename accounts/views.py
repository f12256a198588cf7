from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Event
from audit.services import ConcurrentEdit, record_denied
from core.access import AUTHENTICATED, allow, public

from . import services
from .forms import ApiTokenForm, EmailPreferenceForm, NewUserForm, SecondFactorForm, UserForm
from .models import (
    CASE_ROLES,
    USER_MANAGERS,
    ApiToken,
    EnrolmentLink,
    GbvAccessRequest,
    GbvGrant,
    GbvRequestKind,
    Role,
    User,
)

GBV_DECIDERS = USER_MANAGERS | {Role.CASE_SUPERVISOR}
# Longest `next` accepted after the second factor; anything odd goes home.
NEXT_MAX = 2000

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", redirect_authenticated_user=True
    )
)
logout = allow(AUTHENTICATED)(auth_views.LogoutView.as_view())


@allow(AUTHENTICATED)
def second_factor(request):
    """Enter the code of one's authenticator app, or set one up on first use."""
    user = request.user
    if not user.needs_second_factor or user.is_verified():
        return redirect(_safe_next(request))
    setup = not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if setup and user.role in CASE_ROLES:
        # GBV accounts enrol only through a one-time link handed over by their approver.
        return render(request, "accounts/second_factor_gbv.html", {"pending": user.gbv_pending})
    device = services.second_factor_device(user=user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            # django-otp doubles the wait after each wrong code.
            form.add_error("code", _("Bạn đã nhập sai nhiều lần: đợi ít giây rồi nhập mã mới."))
        elif device.verify_token(form.cleaned_data["code"]):
            services.second_factor_passed(actor=user, device=device, request=request)
            otp_login(request, device)
            request.session.cycle_key()  # a new session id once both factors are given
            return redirect(_safe_next(request))
        else:
            services.second_factor_failed(actor=user, request=request)
            form.add_error("code", _("Mã không đúng hoặc đã hết hạn. Hãy nhập mã mới."))
    context = {"form": form, "setup": setup}
    if setup:
        context["secret"] = b32encode(device.bin_key).decode()
        context["qr"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/second_factor.html", context)


def _safe_next(request) -> str:
    """A path of this site (printable ASCII, starting with one slash), else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        0 < len(target) <= NEXT_MAX
        and target.isascii()
        and target.isprintable()
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\\" not in target
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    ):
        return target
    return reverse("home")


@allow(AUTHENTICATED)
def account(request):
    """The user's own account: the e-mail choice for notifications, and the password."""
    if request.method == "POST" and "email_preference" in request.POST:
        preference = EmailPreferenceForm(request.POST)
        if preference.is_valid():
            enabled = preference.cleaned_data["email_notifications"]
            services.set_email_notifications(actor=request.user, enabled=enabled, request=request)
            messages.success(
                request,
                _("Đã bật nhận thông báo qua thư điện tử.")
                if enabled
                else _("Đã tắt nhận thông báo qua thư điện tử; thông báo trong hệ thống vẫn có."),
            )
            return redirect("accounts:account")
    preference = EmailPreferenceForm(
        initial={"email_notifications": request.user.email_notifications}
    )
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and "email_preference" not in request.POST and form.is_valid():
        user = services.change_own_password(form=form, request=request)
        update_session_auth_hash(request, user)
        messages.success(
            request, _("Đã đổi mật khẩu của tài khoản %(name)s.") % {"name": user.username}
        )
        return redirect("accounts:account")
    return render(request, "accounts/account.html", {"form": form, "preference": preference})


# Personal API tokens: the user's own, from their account page


def _tokens_page(request, form, *, new_key="", new_token=None, status=200):
    tokens = ApiToken.objects.for_user(request.user).order_by("-created_at")
    context = {"form": form, "tokens": tokens, "new_key": new_key, "new_token": new_token}
    response = render(request, "accounts/api_tokens.html", context, status=status)
    if new_key:
        response["Cache-Control"] = "no-store"  # the key is shown once: never cached
    return response


@allow(AUTHENTICATED)
def api_tokens(request):
    """Khóa API: the user's tokens (name, scope, created, expires, last used), a new one (its key
    shown once on this answer, never stored), each revocable."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = services.create_api_token(
                actor=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_on=form.cleaned_data["expires_on"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _tokens_page(request, ApiTokenForm(), new_key=key, new_token=token)
    return _tokens_page(request, form, status=400 if form.errors else 200)


@allow(AUTHENTICATED)
def api_token_revoke(request, pk):
    """Confirm (GET), then revoke (POST) one of the user's own tokens; another's is a 404."""
    token = get_object_or_404(ApiToken.objects.for_user(request.user), pk=pk)
    if request.method == "POST":
        if services.revoke_api_token(actor=request.user, token=token, request=request):
            messages.success(
                request,
                _("Đã thu hồi khóa “%(name)s”: khóa này không dùng được nữa.")
                % {"name": token.name or token.prefix},
            )
        return redirect("accounts:api_tokens")
    return render(request, "accounts/api_token_revoke.html", {"token": token})


@allow(USER_MANAGERS)
def users(request):
    users = (
        User.objects.for_user(request.user)
        .select_related("unit")
        .order_by("-is_active", "unit__name", "username")
    )
    return render(request, "accounts/users.html", {"users": users})


@allow(USER_MANAGERS)
def user_new(request):
    form = NewUserForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        user, gbv = services.save_user(actor=request.user, form=form, request=request)
        messages.success(
            request,
            _("Đã tạo tài khoản %(name)s (%(role)s, %(unit)s).")
            % {
                "name": user.username,
                "role": user.get_role_display(),
                "unit": user.unit.name if user.unit else "—",
            },
        )
        _tell_pending(request, gbv)
        return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@allow(USER_MANAGERS)
def user_detail(request, pk):
    user = get_object_or_404(User.objects.for_user(request.user), pk=pk)
    form = UserForm(request.POST or None, instance=user, manager=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user, gbv = services.save_user(actor=request.user, form=form, request=request)
        except ConcurrentEdit as conflict:
            form.mark_conflict(conflict.current, conflict.current.full_name)
        else:
            messages.success(request, _("Đã lưu tài khoản %(name)s.") % {"name": user.username})
            _tell_pending(request, gbv)
            return redirect("accounts:user", pk=user.pk)
    history = Event.objects.for_object(user)[:50]
    context = {"form": form, "subject": user, "history": history}
    if user.role in CASE_ROLES:
        context["gbv_requests"] = GbvAccessRequest.objects.for_user(request.user).filter(
            subject=user
        )[:10]
    return render(request, "accounts/user_detail.html", context)


@require_POST
@allow(USER_MANAGERS)
def user_reset_password(request, pk):
    user = get_object_or_404(User.objects.for_user(request.user), pk=pk)
    if user.role in CASE_ROLES:
        return _request_reset(request, user, GbvRequestKind.PASSWORD)
    password = services.reset_password(actor=request.user, user=user, request=request)
    return render(
        request, "accounts/password_reset_done.html", {"subject": user, "password": password}
    )


@require_POST
@allow(USER_MANAGERS)
def user_reset_second_factor(request, pk):
    user = get_object_or_404(User.objects.for_user(request.user), pk=pk)
    if user.role in CASE_ROLES:
        return _request_reset(request, user, GbvRequestKind.SECOND_FACTOR)
    services.reset_second_factor(actor=request.user, user=user, request=request)
    messages.success(
        request,
        _("Đã xóa ứng dụng xác thực của tài khoản %(name)s; người dùng sẽ cài lại khi đăng nhập.")
        % {"name": user.username},
    )
    return redirect("accounts:user", pk=user.pk)


@require_POST
@allow(USER_MANAGERS)
def user_request_gbv(request, pk):
    """Ask for GBV access again for an account without it (revoked, refused, migrated)."""
    user = get_object_or_404(User.objects.for_user(request.user), pk=pk)
    try:
        gbv = services.request_grant(actor=request.user, subject=user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _tell_pending(request, gbv)
    return redirect("accounts:user", pk=user.pk)


@require_POST
@allow(USER_MANAGERS)
def user_set_active(request, pk):
    user = get_object_or_404(User.objects.for_user(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    services.set_active(actor=request.user, user=user, active=active, request=request)
    done = _("Đã mở khóa tài khoản %(name)s.") if active else _("Đã khóa tài khoản %(name)s.")
    messages.success(request, done % {"name": user.username})
    return redirect("accounts:user", pk=user.pk)


def _tell_pending(request, gbv_request) -> None:
    if gbv_request is not None:
        messages.warning(
            request,
            _(
                "Đã gửi yêu cầu “%(kind)s”: tài khoản chưa có quyền truy cập phân hệ hỗ trợ nạn "
                "nhân cho đến khi người giám sát của cơ quan (người khác với bạn) phê duyệt."
            )
            % {"kind": gbv_request.get_kind_display()},
        )


def _request_reset(request, user, kind):
    services.request_credentials_reset(actor=request.user, user=user, kind=kind, request=request)
    messages.warning(
        request,
        _(
            "Tài khoản hỗ trợ nạn nhân: đã gửi yêu cầu cho người giám sát của cơ quan phê duyệt. "
            "Mật khẩu mới hoặc đường dẫn cài ứng dụng xác thực chỉ hiển thị cho người phê duyệt."
        ),
    )
    return redirect("accounts:user", pk=user.pk)


# GBV access: requests, approvals, grants, enrolment


@allow(GBV_DECIDERS)
def gbv_access(request):
    """Quyền truy cập hỗ trợ nạn nhân: who holds GBV access in the supervisor's agency, the
    requests the user may decide, and (managers) the requests they made."""
    user = request.user
    pending = (
        GbvAccessRequest.objects.for_user(user)
        .pending()
        .select_related("subject", "unit", "requested_by")
        .order_by("created_at")
    )
    rows = [(req, services.approval_refusal(user, req)) for req in pending]
    context = {
        "to_decide": [req for req, reason in rows if reason is None],
        "blocked": [],
        "grants": None,
        "mine": None,
    }
    if user.role == Role.CASE_SUPERVISOR:
        context["blocked"] = [
            (req, reason) for req, reason in rows if reason and req.unit_id == user.unit_id
        ]
        last_event = Event.objects.filter(actor=OuterRef("user_id")).order_by("-at")
        context["grants"] = (
            GbvGrant.objects.for_user(user)
            .active()
            .select_related("user", "approved_by")
            .annotate(last_event=Subquery(last_event.values("at")[:1]))
            .order_by("user__username")
        )
    else:
        context["mine"] = (
            GbvAccessRequest.objects.for_user(user)
            .filter(requested_by=user)
            .select_related("subject", "unit", "decided_by")[:100]
        )
    return render(request, "accounts/gbv_access.html", context)


def _gbv_request(request, pk) -> GbvAccessRequest:
    return get_object_or_404(
        GbvAccessRequest.objects.for_user(request.user).select_related("subject", "unit"), pk=pk
    )


@require_POST
@allow(GBV_DECIDERS)
def gbv_approve(request, pk):
    req = _gbv_request(request, pk)
    try:
        result = services.approve(actor=request.user, req=req, request=request)
    except (PermissionDenied, ValidationError) as refusal:
        messages.error(request, " ".join(_reasons(refusal)))
        return redirect("accounts:gbv_access")
    link = None
    if "token" in result:
        link = request.build_absolute_uri(reverse("accounts:enrol", args=[result["token"]]))
    context = {"req": req, "password": result.get("password"), "link": link}
    return render(request, "accounts/gbv_approved.html", context)


@require_POST
@allow(GBV_DECIDERS)
def gbv_refuse(request, pk):
    req = _gbv_request(request, pk)
    try:
        services.refuse(actor=request.user, req=req, request=request)
    except (PermissionDenied, ValidationError) as refusal:
        messages.error(request, " ".join(_reasons(refusal)))
    else:
        messages.success(
            request,
            _("Đã từ chối yêu cầu “%(kind)s” cho tài khoản %(name)s.")
            % {"kind": req.get_kind_display(), "name": req.subject.username},
        )
    return redirect("accounts:gbv_access")


@require_POST
@allow(USER_MANAGERS)
def gbv_cancel(request, pk):
    req = _gbv_request(request, pk)
    try:
        services.cancel(actor=request.user, req=req, request=request)
    except (PermissionDenied, ValidationError) as refusal:
        messages.error(request, " ".join(_reasons(refusal)))
    else:
        messages.success(
            request,
            _("Đã hủy yêu cầu “%(kind)s” cho tài khoản %(name)s.")
            % {"kind": req.get_kind_display(), "name": req.subject.username},
        )
    return redirect("accounts:gbv_access")


@require_POST
@allow({Role.CASE_SUPERVISOR})
def gbv_revoke(request, pk):
    grant = get_object_or_404(GbvGrant.objects.for_user(request.user), pk=pk)
    try:
        services.revoke(actor=request.user, grant=grant, request=request)
    except (PermissionDenied, ValidationError) as refusal:
        messages.error(request, " ".join(_reasons(refusal)))
    else:
        messages.success(
            request,
            _("Đã thu hồi quyền của %(name)s; các phiên đăng nhập của người này đã kết thúc.")
            % {"name": grant.user.username},
        )
    return redirect("accounts:gbv_access")


def _reasons(error) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error) or _("Bạn không có quyền thực hiện thao tác này.")]


@allow(AUTHENTICATED)
def enrol(request, token):
    """The one-time link of a GBV account: signed in as that account (password only is enough:
    this is where its second factor comes from), set up the authenticator and prove it."""
    link = EnrolmentLink.objects.usable(token)
    if link is None or link.user_id != request.user.pk:
        record_denied(request=request)
        return render(request, "accounts/enrol.html", {"invalid": True}, status=404)
    device = services.unconfirmed_device(user=request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("code", _("Bạn đã nhập sai nhiều lần: đợi ít giây rồi nhập mã mới."))
        elif device.verify_token(form.cleaned_data["code"]):
            try:
                services.complete_enrolment(
                    user=request.user, link=link, device=device, request=request
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                otp_login(request, device)
                request.session.cycle_key()
                messages.success(
                    request,
                    _("Đã cài ứng dụng xác thực cho tài khoản %(name)s.")
                    % {"name": request.user.username},
                )
                return redirect("home")
        else:
            form.add_error("code", _("Mã không đúng hoặc đã hết hạn. Hãy nhập mã mới."))
    context = {
        "form": form,
        "secret": b32encode(device.bin_key).decode(),
        "qr": segno.make(device.config_url, error="m").svg_inline(scale=4),
    }
    return render(request, "accounts/enrol.html", context)
