"""Forms of the referral pathway: the referral (recipient from the service directory, shared
packet, consent or a supervisor's override), the recipient's steps, a service outcome, and the
service directory's entry and filters."""

import datetime
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.forms import VersionedFormMixin
from core.roles import CASE_ROLES
from core.widgets import DateField
from orgs.models import Unit, UnitKind

from ..models import (
    MINIMAL_PACKET,
    CaseStatus,
    Outcome,
    Referral,
    ServiceProvider,
    ServiceType,
    Share,
)
from ..services.directory import check_provider
from ..services.referrals import consent_gate, may_override

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Days the recipient has to answer, unless the sender sets a date: safety first.
URGENT_SERVICES = {ServiceType.POLICE, ServiceType.HEALTH, ServiceType.SHELTER}
URGENT_DAYS, USUAL_DAYS = 3, 7
RECIPIENT_KINDS = (UnitKind.AGENCY, UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE)


def default_due(service_type: str, today: datetime.date) -> datetime.date:
    days = URGENT_DAYS if service_type in URGENT_SERVICES else USUAL_DAYS
    return today + datetime.timedelta(days=days)


def recipients(user, service_type: str = ""):
    """Units a referral from `user` may go to today, not their own: those the service directory
    lists for `service_type` (for any service while none is chosen)."""
    providers = ServiceProvider.objects.filter(active=True)
    if service_type:
        providers = providers.filter(service_type=service_type)
    staffed = User.objects.filter(unit=OuterRef("pk"), role__in=CASE_ROLES, is_active=True)
    return (
        Unit.objects.valid_on(timezone.localdate())
        .filter(pk__in=providers.values("unit_id"))
        .exclude(pk=user.unit_id)
        .annotate(staffed=Exists(staffed))
    )


def recipient_choices(units) -> list:
    """Units whose case workers use the system come first: a referral to a unit without any
    would wait unread."""
    staffed = [u for u in units if u.staffed]
    others = [u for u in units if not u.staffed]
    return [
        ("", "---------"),
        (_("Có cán bộ hỗ trợ nạn nhân trên hệ thống"), Unit.choices(staffed)[1:]),
        (_("Chưa có cán bộ hỗ trợ nạn nhân trên hệ thống"), Unit.choices(others)[1:]),
    ]


class RecipientForm(forms.Form):
    """The recipient list of a referral, narrowed to the providers of the chosen service (the
    referral form, and its htmx reload when the service changes). Any unit of today passes the
    field: the directory check in `clean` names what is wrong."""

    service_type = forms.ChoiceField(
        label=_("Loại dịch vụ cần hỗ trợ"),
        choices=[("", _("— Chọn loại dịch vụ —")), *ServiceType.choices],
        error_messages={"required": _("Hãy chọn loại dịch vụ trước.")},
    )
    to_agency = forms.ModelChoiceField(
        label=_("Cơ quan nhận"),
        queryset=Unit.objects.none(),
        error_messages={"invalid_choice": _("Hãy chọn một cơ quan trong danh sách.")},
        help_text=_("Chỉ gồm các cơ quan, đơn vị cung cấp dịch vụ đã chọn (danh bạ dịch vụ)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        service = self.data.get("service_type", "") if self.is_bound else ""
        service = service if service in ServiceType.values else ""
        self.fields["to_agency"].queryset = (
            Unit.objects.valid_on(timezone.localdate())
            .filter(kind__in=RECIPIENT_KINDS)
            .exclude(pk=user.unit_id)
        )
        self.fields["to_agency"].choices = recipient_choices(recipients(user, service))
        self.fields["service_type"].widget.attrs.update(
            {
                "hx-get": reverse("cases:referral_recipients"),
                "hx-target": "#recipients",
                "hx-include": "#id_to_agency",
                # A recipient picked while the list reloads would be lost in the swap.
                "hx-disabled-elt": "#id_to_agency",
            }
        )

    def clean(self):
        cleaned = super().clean()
        agency, service = cleaned.get("to_agency"), cleaned.get("service_type")
        if agency is not None and service:
            try:
                check_provider(agency, service)
            except ValidationError as error:
                self.add_error("to_agency", error)
        return cleaned


class ReferralForm(RecipientForm):
    due_on = DateField(
        label=_("Hạn phản hồi"),
        required=False,
        help_text=_(
            "Để trống: tự tính %(urgent)s ngày với công an, y tế, nơi tạm lánh; %(usual)s ngày "
            "với dịch vụ khác."
        )
        % {"urgent": URGENT_DAYS, "usual": USUAL_DAYS},
    )
    shares = forms.MultipleChoiceField(
        label=_("Thông tin chia sẻ với cơ quan nhận"),
        choices=Share.choices,
        initial=MINIMAL_PACKET,
        widget=forms.CheckboxSelectMultiple,
    )
    override = forms.BooleanField(
        label=_("Chuyển gửi khi chưa có sự đồng ý (trường hợp khẩn cấp)"),
        required=False,
        help_text=_(
            "Chỉ người giám sát của cơ quan quản lý hồ sơ được quyết định, khi nạn nhân đang gặp "
            "nguy hiểm mà chưa hỏi được ý kiến; cán bộ phụ trách hồ sơ đề nghị người giám sát."
        ),
    )
    override_reason = forms.CharField(
        label=_("Lý do chuyển gửi không có sự đồng ý"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.case = case
        if not may_override(case, user):
            del self.fields["override"], self.fields["override_reason"]

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due and due < timezone.localdate():
            raise ValidationError(_("Hạn phản hồi không được trước hôm nay."))
        return due

    def clean_shares(self):
        shares = self.cleaned_data["shares"]
        if Share.PROFILE not in shares:
            raise ValidationError(
                _("Cơ quan nhận cần ít nhất mã và thông tin cơ bản của nạn nhân.")
            )
        return [s for s in Share.values if s in shares]

    def clean(self):
        cleaned = super().clean()
        if self.case.status == CaseStatus.CLOSED:
            raise ValidationError(_("Hồ sơ đã đóng: không chuyển gửi được."))
        agency, service = cleaned.get("to_agency"), cleaned.get("service_type")
        if agency is None or not service or self.has_error("to_agency"):
            return cleaned
        if not cleaned.get("due_on"):
            cleaned["due_on"] = default_due(service, timezone.localdate())
        if not cleaned.get("override"):
            cleaned["override_reason"] = ""
        active = Referral.objects.filter(
            case=self.case, to_agency=agency, service_type=service, status__in=Referral.ACTIVE
        )
        if active.exists():
            raise ValidationError(
                _("Hồ sơ đã có một chuyển gửi dịch vụ này đến %(agency)s đang chờ xử lý.")
                % {"agency": agency}
            )
        try:
            consent_gate(
                case=self.case,
                agency=agency,
                user=self.user,
                override_reason=cleaned.get("override_reason", ""),
            )
        except ValidationError as error:
            field = "override_reason" if error.code == "override_reason" else None
            self.add_error(field, error)
        return cleaned

    def referral_data(self) -> dict:
        """The arguments of cases.services.referrals.refer_case."""
        names = ["service_type", "to_agency", "due_on", "shares", "override_reason"]
        return {name: self.cleaned_data.get(name) or "" for name in names}

    def service_label(self) -> "StrOrPromise":
        return ServiceType(self.cleaned_data["service_type"]).label

    def shared_labels(self) -> list["StrOrPromise"]:
        return [Share(s).label for s in self.cleaned_data["shares"]]


class RespondForm(VersionedFormMixin, forms.Form):
    """Accepting needs nothing but the version the user saw."""

    def response(self) -> dict:
        return {}


class ReasonForm(VersionedFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy ghi lý do.")},
    )

    def response(self) -> dict:
        return {"note": self.cleaned_data["reason"]}


class ProvideForm(VersionedFormMixin, forms.Form):
    on = DateField(label=_("Ngày cung cấp dịch vụ"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError(_("Ngày cung cấp dịch vụ không được sau hôm nay."))
        return on

    def response(self) -> dict:
        return {
            "outcome": Outcome.PROVIDED,
            "on": self.cleaned_data["on"],
            "note": self.cleaned_data["note"],
        }


class NotProvidedForm(VersionedFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Vì sao"),
        choices=[
            (Outcome.NOT_AVAILABLE, _("Cơ quan không có dịch vụ này")),
            (Outcome.DECLINED, Outcome.DECLINED.label),
        ],
        widget=forms.RadioSelect,
    )
    reason = ReasonForm.base_fields["reason"]

    def response(self) -> dict:
        return {"outcome": self.cleaned_data["outcome"], "note": self.cleaned_data["reason"]}


class ServiceForm(forms.Form):
    """A service outcome recorded by the user's own agency (referrals record theirs)."""

    service_type = forms.ChoiceField(label=_("Loại dịch vụ"), choices=ServiceType.choices)
    outcome = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[c for c in Outcome.choices if c[0] != Outcome.REFERRED],
        widget=forms.RadioSelect,
    )
    on = DateField(label=_("Ngày"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise ValidationError(_("Ngày không được sau hôm nay."))
        return on


class ProviderForm(forms.Form):
    """A new entry of the service directory (the coordinator's)."""

    service_type = forms.ChoiceField(label=_("Loại dịch vụ"), choices=ServiceType.choices)
    unit = forms.ModelChoiceField(
        label=_("Cơ quan, đơn vị"),
        queryset=Unit.objects.none(),
        error_messages={"invalid_choice": _("Hãy chọn một cơ quan, đơn vị trong danh sách.")},
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.valid_on(timezone.localdate()).filter(kind__in=RECIPIENT_KINDS)
        self.fields["unit"].queryset = units
        self.fields["unit"].choices = Unit.choices(units)


class ProviderFilterForm(forms.Form):
    STATUSES = [("", _("Tất cả")), ("active", _("Đang cung cấp")), ("stopped", _("Đã ngừng"))]

    service_type = forms.ChoiceField(
        label=_("Loại dịch vụ"), choices=[("", _("Tất cả")), *ServiceType.choices], required=False
    )
    q = forms.CharField(label=_("Tên cơ quan, đơn vị"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Trạng thái"), choices=STATUSES, required=False)

    def filter(self, providers):
        if not self.is_valid():
            return providers
        data = self.cleaned_data
        if data["service_type"]:
            providers = providers.filter(service_type=data["service_type"])
        if data["q"]:
            providers = providers.filter(unit__name__icontains=data["q"].strip())
        if data["status"]:
            providers = providers.filter(active=data["status"] == "active")
        return providers
