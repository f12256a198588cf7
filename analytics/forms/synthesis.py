"""The synthesis report's draft: the fields the coordinator edits before generating."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput

from ..synthesis import Draft


class DraftForm(forms.Form):
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=50)
    place = forms.CharField(label=_("Địa danh"), max_length=100)
    date = forms.DateField(label=_("Ngày ban hành"), widget=DateInput())
    title = forms.CharField(label=_("Trích yếu (tên báo cáo)"), max_length=300)
    introduction = forms.CharField(
        label=_("Đoạn mở đầu"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    closing = forms.CharField(
        label=_("Đoạn kết"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recipients = forms.CharField(
        label=_("Nơi nhận (mỗi dòng một nơi)"), widget=forms.Textarea(attrs={"rows": 10})
    )
    signer_title = forms.CharField(
        label=_("Thẩm quyền, chức vụ người ký"),
        max_length=150,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    signer = forms.CharField(label=_("Người ký"), max_length=150)
    accepted_only = forms.BooleanField(
        label=_("Chỉ lấy báo cáo đã được Sở Nội vụ duyệt"),
        required=False,
        help_text=_("Mặc định lấy mọi nội dung và số liệu đơn vị đã lưu."),
    )

    def draft(self) -> Draft:
        data = self.cleaned_data
        recipients = [line.strip() for line in data["recipients"].splitlines() if line.strip()]
        return Draft(
            number=data["number"].strip(),
            place=data["place"].strip(),
            date=data["date"],
            title=data["title"].strip(),
            introduction=data["introduction"],
            closing=data["closing"],
            recipients=recipients,
            signer_title=data["signer_title"].replace("\r", "").strip(),
            signer=data["signer"].strip(),
        )
