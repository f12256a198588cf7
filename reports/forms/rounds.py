"""Opening a round: its form, dates and the kinds of units that must report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput
from orgs.models import Unit, UnitKind

from ..models import Form, FormStatus, Round


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
        widgets = {
            name: DateInput()
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
