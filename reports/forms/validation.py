"""The whole-round check's choices: which round, and how values far from a unit's history are
found (DHIS2's outlier detection: z-score or modified z-score, and the threshold)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.validation import MODIFIED_Z, THRESHOLDS, Z_SCORE

from ..models import Round


class RoundCheckForm(forms.Form):
    round = forms.ModelChoiceField(label=_("Đợt báo cáo"), queryset=Round.objects.none())
    method = forms.ChoiceField(
        label=_("So với các kỳ trước theo"),
        choices=[
            (MODIFIED_Z, _("Điểm z hiệu chỉnh (trung vị, độ lệch tuyệt đối trung vị)")),
            (Z_SCORE, _("Điểm z (trung bình, độ lệch chuẩn)")),
        ],
        required=False,
    )
    threshold = forms.DecimalField(
        label=_("Ngưỡng"),
        required=False,
        min_value=Decimal("1"),
        max_value=Decimal("10"),
        decimal_places=1,
        help_text=_("Để trống: 3,5 với điểm z hiệu chỉnh, 3 với điểm z."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["round"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Round.objects.for_user(user).order_by("-due_on")
        field.localize = False

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method") or MODIFIED_Z
        cleaned["method"] = method
        if cleaned.get("threshold") is None:
            cleaned["threshold"] = THRESHOLDS[method]
        return cleaned
