from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, Event
from audit.services import ConcurrentEdit, record_event, save_audited

from . import services
from .access import AUTHENTICATED, allow, public
from .forms import NewUserForm, SecondFactorForm, UserForm
from .models import USER_MANAGERS, User

USER_FIELDS = ["username", "full_name", "email", "phone", "position", "unit", "role", "is_active"]

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
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setup = device is None
    if setup:
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": "Ứng dụng xác thực"}
        )
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_is_allowed()[0]:
            # django-otp doubles the wait after each wrong code.
            form.add_error("code", _("Bạn đã nhập sai nhiều lần: đợi ít giây rồi nhập mã mới."))
        elif device.verify_token(form.cleaned_data["code"]):
            if setup:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record_event(
                actor=user,
                action=Action.LOGIN,
                obj=user,
                request=request,
                label=_("Xác thực hai lớp"),
            )
            return redirect(_safe_next(request))
        else:
            record_event(
                actor=user,
                action=Action.LOGIN_FAILED,
                obj=user,
                request=request,
                label=_("Mã xác thực hai lớp sai"),
            )
            form.add_error("code", _("Mã không đúng hoặc đã hết hạn. Hãy nhập mã mới."))
    context = {"form": form, "setup": setup}
    if setup:
        context["secret"] = b32encode(device.bin_key).decode()
        context["qr"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "accounts/second_factor.html", context)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


@allow(AUTHENTICATED)
def account(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Đã đổi mật khẩu."))
        return redirect("accounts:account")
    return render(request, "accounts/account.html", {"form": form})


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
        user = save_audited(actor=request.user, form=form, fields=USER_FIELDS, request=request)
        messages.success(request, _("Đã tạo tài khoản %(name)s.") % {"name": user.username})
        return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@allow(USER_MANAGERS)
def user_detail(request, pk):
    user = get_object_or_404(User.objects.for_user(request.user), pk=pk)
    form = UserForm(request.POST or None, instance=user, manager=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            save_audited(actor=request.user, form=form, fields=USER_FIELDS, request=request)
        except ConcurrentEdit as conflict:
            form.mark_conflict(conflict.current, conflict.current.full_name)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("accounts:user", pk=user.pk)
    history = Event.objects.for_object(user)[:50]
    return render(
        request, "accounts/user_detail.html", {"form": form, "subject": user, "history": history}
    )


@require_POST
@allow(USER_MANAGERS)
def user_reset_password(request, pk):
    user = get_object_or_404(User.objects.for_user(request.user), pk=pk)
    password = services.reset_password(manager=request.user, user=user, request=request)
    return render(
        request, "accounts/password_reset_done.html", {"subject": user, "password": password}
    )


@require_POST
@allow(USER_MANAGERS)
def user_reset_second_factor(request, pk):
    user = get_object_or_404(User.objects.for_user(request.user), pk=pk)
    services.reset_second_factor(manager=request.user, user=user, request=request)
    messages.success(request, _("Đã xóa ứng dụng xác thực; người dùng sẽ cài lại khi đăng nhập."))
    return redirect("accounts:user", pk=user.pk)


@require_POST
@allow(USER_MANAGERS)
def user_set_active(request, pk):
    user = get_object_or_404(User.objects.for_user(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    services.set_active(manager=request.user, user=user, active=active, request=request)
    messages.success(request, _("Đã mở khóa tài khoản.") if active else _("Đã khóa tài khoản."))
    return redirect("accounts:user", pk=user.pk)
