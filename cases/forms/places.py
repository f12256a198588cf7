"""Forms of the safe-place registry and its stays: a place (whose location and contact an editor
who may not see them can replace but never read), admitting a case, a discharge, the list's
filters."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.forms import VersionedFormMixin
from core.roles import CASE_ROLES, Role
from core.widgets import DateField
from orgs.models import COMMUNE_KINDS, Unit

from ..models import Case, CaseStatus, Place, Referral, SafePlaceType, ServiceType, Stay

SECRET_FIELDS = ("location", "contact_name", "contact_phone")


def communes(*, keep=None):
    """Communes, wards and special zones of today (plus `keep`, a place's current one)."""
    current = Unit.objects.valid_on(timezone.localdate()).filter(kind__in=COMMUNE_KINDS)
    return Unit.objects.filter(Q(pk__in=current) | Q(pk=keep))


class PlaceFilterForm(forms.Form):
    commune = forms.ModelChoiceField(
        label=_("Xã, phường"), queryset=Unit.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Loại"), choices=[("", _("Tất cả"))] + SafePlaceType.choices, required=False
    )
    free = forms.BooleanField(label=_("Chỉ nơi còn chỗ"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes()
        self.fields["commune"].choices = Unit.choices(self.fields["commune"].queryset)

    def filter(self, places):
        if not self.is_valid():
            return places
        commune, kind = self.cleaned_data["commune"], self.cleaned_data["kind"]
        if commune:
            places = places.filter(commune=commune)
        if kind:
            places = places.filter(kind=kind)
        if self.cleaned_data["free"]:
            places = places.filter(active=True, free__gt=0)
        return places


class PlaceForm(VersionedFormMixin, forms.ModelForm):
    """A place of the registry. An editor who may not see the location (not its staff) can
    replace the location and contact but never reads them: those fields start empty, and empty
    keeps what is stored."""

    class Meta:
        model = Place
        fields = [
            "name",
            "kind",
            "commune",
            "capacity",
            "location",
            "contact_name",
            "contact_phone",
            "staff",
            "active",
        ]
        widgets = {
            "location": forms.Textarea(attrs={"rows": 2}),
            "contact_name": forms.TextInput,
            "contact_phone": forms.TextInput,
            "staff": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        place = self.instance
        if place.pk is None:
            place.host = user.unit
        self.hides_secrets = place.pk is not None and not place.shows_location(user)
        if self.hides_secrets:
            for name in SECRET_FIELDS:
                self.initial[name] = ""
                self.fields[name].required = False
                self.fields[name].help_text = _(
                    "Bạn không được xem thông tin này; để trống để giữ nguyên."
                )
        self.fields["commune"].queryset = communes(keep=place.commune_id)
        self.fields["commune"].choices = Unit.choices(self.fields["commune"].queryset)
        staff = self.fields["staff"]
        staff.queryset = User.objects.filter(role__in=CASE_ROLES, is_active=True).select_related(
            "unit"
        )
        staff.label_from_instance = lambda u: f"{u} — {u.unit.label}"
        staff.help_text = _(
            "Cán bộ hỗ trợ nạn nhân làm việc tại đây: họ xem được địa điểm và người đang tạm lánh."
        )

    def _clean_secret(self, name):
        value = self.cleaned_data[name]
        return value if value or not self.hides_secrets else getattr(self.instance, name)

    def clean_location(self):
        return self._clean_secret("location")

    def clean_contact_name(self):
        return self._clean_secret("contact_name")

    def clean_contact_phone(self):
        return self._clean_secret("contact_phone")

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        staying = self.instance.stays.current().count() if self.instance.pk else 0
        if capacity < 1:
            raise ValidationError(_("Sức chứa phải ít nhất 1 người."))
        if capacity < staying:
            raise ValidationError(
                _("Đang có %(n)s người tạm lánh: sức chứa không thể nhỏ hơn.") % {"n": staying}
            )
        return capacity


def admissible(user):
    """The open cases a place's staff member may admit: those referred to their agency for
    shelter, and their own (their agency's, for a supervisor). Break-glass only reads."""
    shelter = Referral.objects.filter(
        to_agency_id=user.unit_id, status__in=Referral.ACTIVE, service_type=ServiceType.SHELTER
    )
    theirs = Q(owner=user)
    if user.role == Role.CASE_SUPERVISOR:
        theirs |= Q(agency_id=user.unit_id)
    return (
        Case.objects.for_user(user)
        .filter(theirs | Q(pk__in=shelter.values("case_id")))
        .exclude(status=CaseStatus.CLOSED)
    )


class StayForm(forms.Form):
    case = forms.ModelChoiceField(
        label=_("Hồ sơ (mã)"),
        queryset=Case.objects.none(),
        error_messages={"invalid_choice": _("Hãy chọn một hồ sơ trong danh sách.")},
    )
    admitted_on = DateField(label=_("Ngày tiếp nhận"), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("Lý do tạm lánh"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, place, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the place's staff admit: an admission shows the place's location to the case's
        # owner, so nobody else may bring a case of theirs in to learn it.
        self.may_admit = place.staff.filter(pk=user.pk).exists()
        cases = admissible(user) if self.may_admit else Case.objects.none()
        staying = Stay.objects.current().values("case_id")
        self.fields["case"].queryset = cases.exclude(pk__in=staying).order_by("code")
        self.fields["case"].label_from_instance = lambda case: case.code

    def clean_admitted_on(self):
        admitted = self.cleaned_data["admitted_on"]
        if admitted > timezone.localdate():
            raise ValidationError(_("Ngày tiếp nhận không được sau hôm nay."))
        return admitted


class DischargeForm(forms.Form):
    discharged_on = DateField(label=_("Ngày rời đi"), initial=timezone.localdate)
    discharge_reason = forms.CharField(
        label=_("Lý do rời đi"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Hãy ghi lý do rời đi.")},
    )

    def __init__(self, *args, stay, **kwargs):
        super().__init__(*args, **kwargs)
        self.stay = stay

    def clean_discharged_on(self):
        day = self.cleaned_data["discharged_on"]
        if day > timezone.localdate():
            raise ValidationError(_("Ngày rời đi không được sau hôm nay."))
        if day < self.stay.admitted_on:
            raise ValidationError(
                _("Ngày rời đi không được trước ngày tiếp nhận (%(day)s).")
                % {"day": f"{self.stay.admitted_on:%d/%m/%Y}"}
            )
        return day
