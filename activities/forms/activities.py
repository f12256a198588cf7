"""Forms of the activities a unit records: the activity itself, a series of copies ("quick
repeat"), its evidence files, and the filters of the list."""

import datetime

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.roles import PROVINCE_WIDE, Role
from core.widgets import DateField
from orgs.models import COMMUNE_KINDS, Unit, UnitKind
from plans.forms import EvidenceField
from plans.models import PlanItem

from ..models import Activity, Campaign, Channel, Kind
from .campaigns import campaign_on
from .checks import NEGATIVE, day_text
from .options import current_units
from .unit_records import VersionedRecordForm

ORGANISER_KINDS = (UnitKind.AGENCY, UnitKind.DISTRICT, *COMMUNE_KINDS)
# Languages in use in the province; the field stays free text for any other.
LANGUAGES = [
    "Tiếng Việt",
    "Hrê",
    "Co",
    "Ca Dong",
    "Xơ Đăng",
    "Ba Na",
    "Giẻ Triêng",
    "Gia Rai",
    "Brâu",
    "Rơ Măm",
]
MAX_REPEATS = 60
COUNTS = ("participants_male", "participants_female", "participants_ethnic", "participants_youth")


def _unit_field(field: forms.ModelChoiceField, units: QuerySet) -> None:
    field.queryset = units
    field.choices = Unit.choices(units)


class ActivityForm(VersionedRecordForm[Activity]):
    """A unit records its own activities; the coordinator records for any unit."""

    AUDITED = Activity.AUDITED

    class Meta:
        model = Activity
        fields = Activity.AUDITED
        field_classes = {"starts_on": DateField, "ends_on": DateField}
        widgets = {
            "co_organisers": forms.SelectMultiple(attrs={"size": 6}),
            "plan_items": forms.SelectMultiple(attrs={"size": 8}),
            "language": forms.TextInput(attrs={"list": "languages"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        if user.role == Role.COORDINATOR:
            _unit_field(unit, Unit.objects.filter(kind__in=ORGANISER_KINDS))
        else:
            _unit_field(unit, Unit.objects.filter(pk=user.unit_id))
            self.initial["unit"] = user.unit_id
            unit.disabled = True
        partners = self.fields["co_organisers"]
        partners.queryset = Unit.objects.valid_on(timezone.localdate()).filter(
            kind__in=ORGANISER_KINDS
        )
        partners.choices = Unit.choices(partners.queryset)[1:]  # no blank in a multiple select
        _unit_field(
            self.fields["commune"],
            current_units(kinds=COMMUNE_KINDS, keep=[self.instance.commune_id]),
        )
        items = PlanItem.objects.for_user(user).select_related("plan").order_by("-plan__year")
        self.fields["plan_items"].queryset = items
        self.fields["plan_items"].label_from_instance = lambda i: (
            f"{i.plan.year} · {i.code}. {i.text[:90]}"
        )
        for name in COUNTS:
            self.fields[name].error_messages["min_value"] = NEGATIVE
        self.fields["cost"].error_messages["invalid"] = _(
            "Kinh phí ghi bằng số đồng, ví dụ 15.000.000."
        )
        self.fields["cost"].localize = True
        self.fields["cost"].widget = forms.TextInput(attrs={"inputmode": "numeric"})
        self.fields["cost"].widget.is_localized = True
        self.fields["campaign"].help_text = _(
            "Hoạt động diễn ra trong Tháng hành động được gợi ý theo ngày bắt đầu."
        )

    def clean_cost(self):
        cost = self.cleaned_data["cost"]
        if cost is not None and cost < 0:
            raise forms.ValidationError(NEGATIVE)
        return cost

    def clean_starts_on(self):
        """An activity is recorded once it has begun. (A series made by "quick repeat" may hold
        later copies: they can still be edited as long as their date is left alone.)"""
        start = self.cleaned_data["starts_on"]
        if "starts_on" in self.changed_data and start > timezone.localdate():
            raise forms.ValidationError(_("Ngày bắt đầu không được sau hôm nay."))
        return start

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("Ngày kết thúc không được trước ngày bắt đầu."))
        unit = cleaned.get("unit")
        if unit and start and not unit.is_valid_on(start):
            self.add_error(
                "unit",
                _("%(unit)s không có hiệu lực vào ngày %(day)s.")
                % {"unit": unit, "day": day_text(start)},
            )
        total = (cleaned.get("participants_male") or 0) + (cleaned.get("participants_female") or 0)
        for name in ("participants_ethnic", "participants_youth"):
            part = cleaned.get(name)
            if part is not None and part > total:
                self.add_error(
                    name,
                    _("Không được lớn hơn tổng số người tham dự (%(total)s).") % {"total": total},
                )
        self._clean_campaign(cleaned, start)
        return cleaned

    def _clean_campaign(self, cleaned, start):
        campaign = cleaned.get("campaign")
        if start is None:
            return
        if campaign and not campaign.starts_on <= start <= campaign.ends_on:
            self.add_error(
                "campaign",
                _("Ngày bắt đầu không nằm trong %(campaign)s (%(start)s–%(end)s).")
                % {
                    "campaign": campaign,
                    "start": day_text(campaign.starts_on),
                    "end": day_text(campaign.ends_on),
                },
            )
        elif campaign is None and cleaned.get("kind") == Kind.ACTION_MONTH:
            cleaned["campaign"] = campaign_on(start)
            if cleaned["campaign"] is None:
                self.add_error(
                    "starts_on",
                    _("Chưa có Tháng hành động nào gồm ngày %(day)s.") % {"day": day_text(start)},
                )

    @staticmethod
    def summary(record) -> str:
        return f"{record} ({day_text(record.starts_on)})"


class RepeatForm(forms.Form):
    """Copies of an activity every N days from a first date after it, K times (a weekly radio
    slot), the last no later than 31/12 of next year."""

    first_on = DateField(label=_l("Ngày của bản sao đầu tiên"))
    every_days = forms.IntegerField(
        label=_l("Cách nhau (ngày)"), min_value=1, max_value=366, initial=7
    )
    times = forms.IntegerField(
        label=_l("Số lần"),
        min_value=1,
        max_value=MAX_REPEATS,
        initial=4,
    )

    def __init__(self, *args, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity = activity
        every = datetime.timedelta(days=self.fields["every_days"].initial)
        self.fields["first_on"].initial = activity.starts_on + every
        self.fields["times"].help_text = _(
            "Tối đa %(n)s bản sao một lần; bản sao cuối cùng không quá ngày %(limit)s."
        ) % {"n": MAX_REPEATS, "limit": day_text(self.last_day())}

    @staticmethod
    def last_day() -> datetime.date:
        return datetime.date(timezone.localdate().year + 1, 12, 31)

    def clean_first_on(self):
        first = self.cleaned_data["first_on"]
        if first <= self.activity.starts_on:
            raise forms.ValidationError(
                _("Bản sao đầu tiên phải sau ngày của hoạt động gốc (%(day)s).")
                % {"day": day_text(self.activity.starts_on)}
            )
        return first

    def clean(self):
        cleaned = super().clean()
        if not self.errors and self.dates()[-1] > self.last_day():
            raise forms.ValidationError(
                _(
                    "Bản sao cuối cùng rơi vào ngày %(last)s, quá ngày %(limit)s: hãy giảm số "
                    "lần hoặc số ngày cách nhau."
                )
                % {"last": day_text(self.dates()[-1]), "limit": day_text(self.last_day())}
            )
        return cleaned

    def dates(self) -> list[datetime.date]:
        first, every = self.cleaned_data["first_on"], self.cleaned_data["every_days"]
        return [
            first + datetime.timedelta(days=every * n) for n in range(self.cleaned_data["times"])
        ]


class ActivityFileForm(forms.Form):
    files = EvidenceField(  # type: ignore[assignment]  # field named like BaseForm.files
        label=_l("Ảnh, tài liệu minh chứng (PDF, Word, Excel, ảnh)")
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise forms.ValidationError(_("Hãy chọn ít nhất một tệp."))
        return files


class ActivityFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_l("Loại"), choices=[("", _l("Tất cả"))] + Kind.choices, required=False
    )
    unit = forms.ModelChoiceField(
        label=_l("Đơn vị tổ chức"), queryset=Unit.objects.none(), required=False
    )
    start = DateField(label=_l("Từ ngày"), required=False)
    end = DateField(label=_l("Đến ngày"), required=False)
    campaign = forms.ModelChoiceField(
        label=_l("Tháng hành động"),
        queryset=Campaign.objects.all(),
        required=False,
        empty_label=_l("Tất cả"),
    )
    item = forms.ModelChoiceField(
        label=_l("Mục kế hoạch"), queryset=PlanItem.objects.none(), required=False
    )
    channel = forms.ChoiceField(
        label=_l("Kênh"), choices=[("", _l("Tất cả"))] + Channel.choices, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role in PROVINCE_WIDE:
            unit = self.fields["unit"]
            unit.queryset = Unit.objects.filter(activities__isnull=False).distinct()
            unit.choices = [("", _("Tất cả"))] + Unit.choices(unit.queryset)[1:]
        else:
            del self.fields["unit"]
        # Any visible item filters (a plan item's page lists its activities, if any); the list
        # offers the items that have some.
        item = self.fields["item"]
        item.queryset = PlanItem.objects.for_user(user)
        used = item.queryset.filter(activities__isnull=False).distinct().select_related("plan")
        item.choices = [("", _("Tất cả"))] + [
            (i.pk, f"{i.plan.year} · {i.code}") for i in used.order_by("-plan__year", "id")
        ]

    def filter(self, activities):
        """The activities the filters keep; none when a filter is invalid (its error shows)."""
        if not self.is_valid():
            return activities.none()
        data = self.cleaned_data
        lookups = {
            "kind": data["kind"],
            "unit": data.get("unit"),
            "starts_on__gte": data["start"],
            "starts_on__lte": data["end"],
            "campaign": data["campaign"],
            "plan_items": data["item"],
            "channel": data["channel"],
        }
        return activities.filter(**{k: v for k, v in lookups.items() if v not in (None, "")})
