"""The form builder's forms: a form's header, its sections, questions and table rows."""

from typing import cast

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from indicators.models import CategoryCombo, DataElement

from ..exchange.formjson import CODE_PATTERN
from ..models import Form, Row, Section, SectionKind
from ..services.builder import column_combo

CODE = RegexValidator(CODE_PATTERN, _("Mã chỉ gồm chữ cái không dấu, chữ số và các dấu _ . -"))


class FormHeaderForm(forms.ModelForm):
    """Code, name and guidance of a form; the code is fixed once the form exists."""

    class Meta:
        model = Form
        fields = ["code", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]
        else:
            self.fields["code"].validators.append(CODE)
            self.fields["code"].help_text = _("Ví dụ BDG_6T. Không đổi được sau khi tạo.")

    def clean_code(self):
        code = self.cleaned_data["code"]
        if Form.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("Đã có biểu mẫu mã này: hãy mở biểu mẫu đó và tạo phiên bản mới.")
            )
        return code


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["number", "title", "kind", "category_combo", "guidance"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_combo"].queryset = CategoryCombo.objects.order_by("name")
        self.fields["category_combo"].help_text = _(
            "Chỉ dùng cho bảng số liệu: các cột của bảng (ví dụ Nam/Nữ). "
            "Để trống nếu bảng chỉ có một cột."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == SectionKind.NARRATIVE:
            cleaned["category_combo"] = None
        return cleaned


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Câu hỏi"), widget=forms.Textarea(attrs={"rows": 2}))
    code = forms.CharField(
        label=_("Mã câu hỏi"),
        max_length=50,
        required=False,
        validators=[CODE],
        help_text=_("Để trống để hệ thống tự đặt mã."),
    )
    required = forms.BooleanField(label=_("Bắt buộc trả lời"), required=False)


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        unit = f" ({obj.unit_of_measure})" if obj.unit_of_measure else ""
        return f"{obj.code} — {obj.name}{unit}"


class RowForm(forms.Form):
    """A row of a table: only elements disaggregated like the table's columns, not yet on the
    form, may be chosen."""

    data_element = ElementChoiceField(label=_("Chỉ tiêu"), queryset=DataElement.objects.none())
    label = forms.CharField(
        label=_("Nhãn hiển thị"),
        max_length=400,
        required=False,
        help_text=_("Để trống để dùng tên chỉ tiêu."),
    )
    optional = forms.BooleanField(
        label=_("Không bắt buộc"),
        required=False,
        help_text=_(
            "Mặc định mọi ô phải có số liệu hoặc được đánh dấu “không có số liệu” trước khi "
            "nộp; chọn mục này để cho phép để trống các ô của dòng."
        ),
    )
    part_of = forms.ModelChoiceField(
        label=_("Là một phần của dòng"),
        queryset=Row.objects.none(),
        required=False,
        help_text=_("Giá trị dòng này không được lớn hơn giá trị dòng tổng cùng cột."),
    )

    def __init__(self, *args, section: Section, **kwargs):
        super().__init__(*args, **kwargs)
        columns = column_combo(section)
        cast(forms.ModelChoiceField, self.fields["data_element"]).queryset = (
            DataElement.objects.filter(category_combo=columns)
            .exclude(rows__section__form=section.form_id)
            .order_by("code")
        )
        cast(forms.ModelChoiceField, self.fields["part_of"]).queryset = section.rows.select_related(
            "data_element"
        )
