"""The synthesis workspace's forms: which reports and units it reads (FilterForm), the province's
text of one section (SectionTextForm), and the Word report's fields before a file is made
(DraftForm)."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.forms import VersionedFormMixin
from core.widgets import DateField

from ..synthesis import BASES, DEFAULT_BASIS, Basis, basis_of

BASIS_CHOICES = [(b.code, b.label) for b in BASES]
TEXT_MAX = 50_000


class FilterForm(forms.Form):
    """Which reports count (submitted and accepted by default) and which kinds of unit the
    answers come from (none ticked: every kind)."""

    basis = forms.ChoiceField(
        label=_("Lấy báo cáo"),
        choices=BASIS_CHOICES,
        initial=DEFAULT_BASIS.code,
        required=False,
        widget=forms.RadioSelect,
    )
    kinds = forms.MultipleChoiceField(
        label=_("Loại đơn vị"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Không chọn loại nào: mọi đơn vị."),
    )

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["kinds"]).choices = kinds

    def chosen(self) -> tuple[Basis, list[str]]:
        """The basis and kinds asked for; the defaults where the query is not valid."""
        if not self.is_bound or not self.is_valid():
            return DEFAULT_BASIS, []
        return basis_of(self.cleaned_data["basis"]), list(self.cleaned_data["kinds"])


class SectionTextForm(VersionedFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Nội dung tổng hợp của tỉnh"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 14}),
    )

    def expected(self) -> int:
        """The version the coordinator started from; 0 when there was no text."""
        return self.cleaned_data.get("expected_version") or 0


class DraftForm(forms.Form):
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=50)
    place = forms.CharField(label=_("Địa danh"), max_length=100)
    date = DateField(label=_("Ngày ban hành"))
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
    # The workspace's filter, carried into the file (the documents state it).
    basis = forms.ChoiceField(
        choices=BASIS_CHOICES, required=False, widget=forms.HiddenInput, initial=DEFAULT_BASIS.code
    )
    kinds = forms.MultipleChoiceField(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["kinds"]).choices = kinds

    def chosen(self) -> tuple[Basis, list[str]]:
        data = self.cleaned_data
        return basis_of(data.get("basis") or ""), list(data.get("kinds") or [])

    def draft_params(self) -> dict:
        """The Word report's fields as text, as a job keeps them (analytics.synthesis.Draft's
        names)."""
        data = self.cleaned_data
        recipients = [line.strip() for line in data["recipients"].splitlines() if line.strip()]
        return {
            "number": data["number"].strip(),
            "place": data["place"].strip(),
            "date": data["date"].isoformat(),
            "title": data["title"].strip(),
            "introduction": data["introduction"],
            "closing": data["closing"],
            "recipients": recipients,
            "signer_title": data["signer_title"].replace("\r", "").strip(),
            "signer": data["signer"].strip(),
        }
