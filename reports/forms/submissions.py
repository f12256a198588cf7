"""What a unit and the coordinator post about one report: submitting, reviewing, attaching a
file, extending the deadline."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.uploads import check_upload
from core.widgets import DateField

from ..models import Submission


class SubmitForm(forms.Form):
    """The approver's submit; with `on_behalf`, Sở Nội vụ's submit for the unit, whose reason
    is required (reports.services.submissions.submit checks it again)."""

    on_behalf_reason = forms.CharField(
        label=_("Lý do nộp thay đơn vị"),
        required=False,
        max_length=500,
        help_text=_("Ví dụ: đơn vị đã gửi báo cáo giấy có chữ ký ngày …"),
    )
    warning_comment = forms.CharField(
        label=_("Giải trình các cảnh báo (nếu có)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, on_behalf: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if on_behalf:
            self.fields["on_behalf_reason"].widget.attrs["required"] = True
        else:
            del self.fields["on_behalf_reason"]


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
    due_on = DateField(label=_("Hạn nộp mới"))
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
