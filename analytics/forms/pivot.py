"""The pivot's choices: indicators, rounds, units, disaggregation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import ComputedIndicator, DataElement
from reports.models import Round

from .. import pivot


class PivotForm(forms.Form):
    dx = forms.MultipleChoiceField(
        label=_("Chỉ tiêu"), widget=forms.SelectMultiple(attrs={"size": 10})
    )
    rounds = forms.MultipleChoiceField(
        label=_("Đợt báo cáo"), widget=forms.SelectMultiple(attrs={"size": 4})
    )
    units = forms.ChoiceField(label=_("Đơn vị"), choices=pivot.UNIT_CHOICES)
    by_combo = forms.BooleanField(label=_("Tách theo giới tính (Nam/Nữ)"), required=False)
    accepted_only = forms.BooleanField(label=_("Chỉ báo cáo đã duyệt"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        indicators = [(i.code, f"{i.code} — {i.name}") for i in ComputedIndicator.objects.all()]
        in_forms = DataElement.objects.filter(rows__isnull=False).distinct().order_by("code")
        elements = [(e.code, f"{e.code} — {e.name}") for e in in_forms if e.is_numeric]
        self.fields["dx"].choices = [
            (_("Chỉ tiêu tính toán (tỷ lệ)"), indicators),
            (_("Chỉ tiêu dữ liệu"), elements),
        ]
        self.fields["rounds"].choices = [
            (r.code, r.name) for r in Round.objects.for_user(user).order_by("-due_on")
        ]
