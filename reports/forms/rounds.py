"""Opening a round: its form, dates and the kinds of units that must report; the round page's
filters; choosing units to urge."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.notifications import NOTE_MAX
from core.widgets import DateField
from orgs.models import Unit, UnitKind

from ..models import Form, FormStatus, Round, Submission
from ..selectors import SORTS, STATUS_FILTERS


class RoundForm(forms.ModelForm):
    unit_kinds = forms.MultipleChoiceField(
        label=_("Loại đơn vị phải báo cáo"),
        choices=[(k, v) for k, v in UnitKind.choices if k != UnitKind.PROVINCE],
        widget=forms.CheckboxSelectMultiple,
        initial=[UnitKind.AGENCY, UnitKind.COMMUNE, UnitKind.WARD, UnitKind.SPECIAL_ZONE],
    )

    class Meta:
        model = Round
        fields = [
            "form",
            "code",
            "name",
            "kind",
            "period",
            "window_start",
            "window_end",
            "opens_on",
            "due_on",
            "lock_on",
            "unit_kinds",
            "scope",
        ]
        labels = {"form": _("Biểu mẫu")}
        field_classes = {
            name: DateField
            for name in ["window_start", "window_end", "opens_on", "due_on", "lock_on"]
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["form"].queryset = Form.objects.filter(status=FormStatus.PUBLISHED)
        provinces = Unit.objects.filter(kind=UnitKind.PROVINCE, valid_to__isnull=True)
        self.fields["scope"].queryset = provinces
        self.fields["scope"].initial = provinces.first()

    def clean(self):
        cleaned = super().clean()
        order = ["window_start", "window_end"], ["opens_on", "due_on", "lock_on"]
        for names in order:
            days = [cleaned.get(n) for n in names]
            if all(days) and days != sorted(days):
                self.add_error(
                    names[-1],
                    _("Các ngày phải theo thứ tự: %(names)s.")
                    % {"names": " ≤ ".join(str(self.fields[n].label) for n in names)},
                )
        return cleaned


class WorklistFilterForm(forms.Form):
    """The round page's filters: status, kind of unit, a search and the order (all optional;
    a value outside the choices is refused with a message and the whole list is shown)."""

    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả"))] + list(STATUS_FILTERS.items()),
    )
    kind = forms.ChoiceField(
        label=_("Loại đơn vị"),
        required=False,
        choices=[("", _("Tất cả"))] + [c for c in UnitKind.choices if c[0] != UnitKind.PROVINCE],
    )
    q = forms.CharField(label=_("Tìm đơn vị"), required=False, max_length=100)
    sort = forms.ChoiceField(label=_("Sắp xếp theo"), required=False, choices=list(SORTS.items()))


class UrgeForm(forms.Form):
    """The units the coordinator chose to urge (among the round's reports not submitted) and
    the words they add to the message."""

    submission = forms.ModelMultipleChoiceField(
        queryset=Submission.objects.none(),
        error_messages={
            "required": _("Hãy chọn ít nhất một đơn vị chưa nộp báo cáo."),
            "invalid_choice": _(
                "Đơn vị đã chọn không còn trong danh sách chưa nộp (có thể vừa nộp): hãy tải "
                "lại trang và chọn lại."
            ),
            "invalid_pk_value": _("Lựa chọn không hợp lệ."),
        },
    )
    note = forms.CharField(
        label=_("Lời nhắn thêm của Sở Nội vụ (không bắt buộc)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, submissions, **kwargs):
        """`submissions`: the round's reports the coordinator sees and may urge."""
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["submission"]).queryset = submissions
