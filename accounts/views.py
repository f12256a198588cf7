from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Event
from audit.services import ConcurrentEdit, save_audited

from . import services
from .access import AUTHENTICATED, allow, public
from .forms import NewUserForm, UserForm
from .models import USER_MANAGERS, User

USER_FIELDS = ["username", "full_name", "email", "phone", "position", "unit", "role", "is_active"]

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", redirect_authenticated_user=True
    )
)
logout = allow(AUTHENTICATED)(auth_views.LogoutView.as_view())


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
def user_set_active(request, pk):
    user = get_object_or_404(User.objects.for_user(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    services.set_active(manager=request.user, user=user, active=active, request=request)
    messages.success(request, _("Đã mở khóa tài khoản.") if active else _("Đã khóa tài khoản."))
    return redirect("accounts:user", pk=user.pk)
