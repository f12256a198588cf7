from datetime import timedelta
from typing import cast

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.forms import VersionedFormMixin
from core.roles import PROVINCE_WIDE, Role
from core.widgets import DateField, shown
from orgs.models import Unit

from .models import TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, TokenScope, User


class UserForm(VersionedFormMixin, forms.ModelForm):
    """Create or edit a user; role and unit are fixed when editing oneself."""

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "position", "unit", "role"]

    def __init__(self, *args, manager: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.manager = manager
        self.fields["full_name"].required = True
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (value, label) for value, label in Role.choices if value in manager.grantable_roles()
        ]
        # New accounts go to units that exist today.
        units = Unit.objects.for_user(manager).valid_on(timezone.localdate())
        unit_field = cast(forms.ModelChoiceField, self.fields["unit"])
        unit_field.queryset = units
        unit_field.choices = Unit.choices(units)
        unit_field.required = False
        if self.instance.pk == manager.pk:
            # Nobody changes their own role or unit: the fields are not even accepted.
            del self.fields["role"]
            del self.fields["unit"]

    def clean(self):
        cleaned = super().clean()
        role, unit = cleaned.get("role"), cleaned.get("unit")
        if "role" in self.fields and role and role not in PROVINCE_WIDE and unit is None:
            self.add_error("unit", _("Vai trò này cần gắn với một đơn vị."))
        if (
            self.instance.pk
            and self.instance.pk != self.manager.pk
            and self.instance.role not in self.manager.grantable_roles()
        ):
            raise forms.ValidationError(_("Bạn không có quyền sửa tài khoản này."))
        return cleaned


class NewUserForm(UserForm):
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                full_name=cleaned.get("full_name", ""),
                email=cleaned.get("email", ""),
                unit=cleaned.get("unit"),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.cleaned_data.get("password"):
            self.instance.set_password(self.cleaned_data["password"])


class EmailPreferenceForm(forms.Form):
    """The user's own choice: notifications by e-mail too, or in the system only."""

    email_notifications = forms.BooleanField(
        label=_("Nhận nhắc hạn, đôn đốc và thông báo qua thư điện tử"), required=False
    )


class SecondFactorForm(forms.Form):
    code = forms.RegexField(
        label=_("Mã xác thực (6 chữ số)"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Mã gồm đúng 6 chữ số.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class ApiTokenForm(forms.Form):
    """A new personal API token: its name, its scope and the last day it works."""

    name = forms.CharField(
        label=_("Tên gợi nhớ"),
        max_length=100,
        help_text=_("Dùng để nhận ra khóa, ví dụ “Đồng bộ DHIS2 của Bộ”."),
    )
    scope = forms.ChoiceField(
        label=_("Phạm vi"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "“Chỉ đọc”: chỉ lấy số liệu (GET). “Đọc và ghi”: gửi số liệu được, trong giới hạn "
            "quyền của tài khoản bạn."
        ),
    )
    expires_on = DateField(
        label=_("Dùng đến hết ngày"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + timedelta(days=TOKEN_DAYS_DEFAULT)
        self.fields["expires_on"].help_text = _(
            "Tối đa %(days)s ngày kể từ hôm nay, tức là đến hết ngày %(last)s."
        ) % {"days": TOKEN_DAYS_MAX, "last": shown(today + timedelta(days=TOKEN_DAYS_MAX))}

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("Ngày hết hạn phải sau hôm nay."))
        if day > today + timedelta(days=TOKEN_DAYS_MAX):
            raise forms.ValidationError(
                _("Khóa API dùng tối đa %(days)s ngày.") % {"days": TOKEN_DAYS_MAX}
            )
        return day
