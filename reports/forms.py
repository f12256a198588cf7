from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.uploads import check_upload
from core.widgets import DateInput
from orgs.models import Unit, UnitKind

from .models import Form, FormStatus, Round, Submission

DATE = {"widget": DateInput()}


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
            name: DATE["widget"]
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


class SubmitForm(forms.Form):
    warning_comment = forms.CharField(
        label=_("Giải trình các cảnh báo (nếu có)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến (bắt buộc khi trả lại hoặc mở lại)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Tệp đính kèm (PDF, Word, Excel, ảnh)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.kind = check_upload(upload, settings.UPLOAD_MAX_BYTES)
        return upload


class ExtensionForm(forms.Form):
    due_on = forms.DateField(label=_("Hạn nộp mới"), **DATE)
    reason = forms.CharField(label=_("Lý do gia hạn"), max_length=500)

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.fields["due_on"].initial = submission.due_on

    def clean_due_on(self):
        day = self.cleaned_data["due_on"]
        if day > self.submission.round.lock_on:
            raise forms.ValidationError(_("Hạn mới không được sau ngày khóa sổ của đợt."))
        return day
