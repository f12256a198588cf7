"""The Action Month (campaign) form, and the campaign an activity's start date falls in."""

import datetime

from django import forms
from django.utils.translation import gettext as _

from core.widgets import DateField

from ..models import Campaign
from .unit_records import VersionedRecordForm


def campaign_on(day: datetime.date | None) -> Campaign | None:
    """The Action Month whose dates contain `day`."""
    if day is None:
        return None
    return Campaign.objects.filter(starts_on__lte=day, ends_on__gte=day).first()


def suggested_campaign(text: str) -> Campaign | None:
    """The Action Month of a start date as the form sends it, if it reads as a date."""
    try:
        return campaign_on(DateField().to_python(text))
    except forms.ValidationError:
        return None


class CampaignForm(VersionedRecordForm[Campaign]):
    class Meta:
        model = Campaign
        fields = ["year", "name", "starts_on", "ends_on", "theme", "messages"]
        field_classes = {"starts_on": DateField, "ends_on": DateField}
        widgets = {
            "messages": forms.Textarea(attrs={"rows": 6}),
        }

    AUDITED = Meta.fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["messages"].help_text = _("Mỗi thông điệp một dòng.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if not (start and end):
            return cleaned
        if end < start:
            self.add_error("ends_on", _("Ngày kết thúc không được trước ngày bắt đầu."))
            return cleaned
        overlapping = Campaign.objects.exclude(pk=self.instance.pk)
        if overlapping.filter(starts_on__lte=end, ends_on__gte=start).exists():
            self.add_error("starts_on", _("Thời gian trùng với một Tháng hành động khác."))
        if self.instance.pk:
            outside = self.instance.activities.exclude(starts_on__range=(start, end)).count()
            if outside:
                self.add_error(
                    None,
                    _(
                        "Có %(n)s hoạt động thuộc Tháng hành động này bắt đầu ngoài thời gian "
                        "mới: hãy sửa ngày của các hoạt động đó, hoặc bỏ chúng khỏi Tháng hành "
                        "động, trước khi đổi thời gian."
                    )
                    % {"n": outside},
                )
        return cleaned

    @staticmethod
    def summary(record) -> str:
        return record.theme
