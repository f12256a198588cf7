import itertools

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from audit.forms import VersionedFormMixin

from . import sources
from .expressions import clean_expression, format_expression, known_elements
from .models import (
    NUMERIC_TYPES,
    Category,
    CategoryCombo,
    CategoryOptionCombo,
    ComputedIndicator,
    DataElement,
    OnSubmit,
    Target,
    ValidationRule,
    ValueBound,
    ValueType,
)
from .targets import parse_target_value
from .usage import lock_reason
from .validation import check_side, format_side, parse_side

# Codes travel in JSON, Excel sheets and DHIS2 exchange: keep them plain.
CODE = RegexValidator(
    r"^[A-Za-z0-9_.-]+$", _("Mã chỉ gồm chữ cái không dấu, chữ số và các dấu _ . -")
)
# What identifies stored values: they cannot change once the element holds some.
LOCKED_FIELDS = ("code", "value_type", "category_combo")


class ElementFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo mã, tên"), required=False)
    value_type = forms.ChoiceField(
        label=_("Kiểu giá trị"),
        choices=[("", _("Tất cả"))] + list(ValueType.choices),
        required=False,
    )


class DataElementForm(forms.ModelForm):
    class Meta:
        model = DataElement
        fields = [
            "code",
            "name",
            "short_name",
            "description",
            "value_type",
            "unit_of_measure",
            "aggregation",
            "category_combo",
            "sensitive",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(CODE)
        self.fields["category_combo"].queryset = CategoryCombo.objects.order_by("name")
        self.fields["sensitive"].help_text = _(
            "Số liệu nhỏ dễ nhận diện người (ví dụ số vụ bạo lực): hiển thị “<5” khi công bố."
        )
        self.reason = lock_reason(self.instance)  # shown above the form

    def clean(self):
        cleaned = super().clean()
        if self.reason:
            for name in LOCKED_FIELDS:
                if name in self.changed_data:
                    self.add_error(name, self.reason)
        codes = {cleaned.get("code"), self.instance.code if self.instance.pk else None}
        source = sources.sensitive_source(codes - {None})
        if source is not None and not cleaned.get("sensitive"):
            self.add_error(
                "sensitive",
                _(
                    "Chỉ tiêu này được điền từ %(source)s vào báo cáo của đơn vị: phải giữ đánh "
                    "dấu “số liệu nhạy cảm” để số liệu nhỏ không bị công bố."
                )
                % {"source": source.title},
            )
        return cleaned


class CategoryForm(forms.ModelForm):
    options = forms.CharField(
        label=_("Các phương án"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Mỗi dòng một phương án: mã | tên, ví dụ “MALE | Nam”."),
    )

    class Meta:
        model = Category
        fields = ["code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(CODE)

    def clean_options(self):
        options, problems = [], []
        for number, line in enumerate(self.cleaned_data["options"].splitlines(), start=1):
            if not line.strip():
                continue
            code, bar, name = (part.strip() for part in line.partition("|"))
            if not bar or not code or not name:
                problems.append(_("Dòng %(n)s: cần “mã | tên”.") % {"n": number})
            elif not CODE.regex.match(code) or len(code) > 50 or len(name) > 200:
                problems.append(
                    _("Dòng %(n)s: mã chỉ gồm chữ không dấu, số, _ . - (tối đa 50 ký tự).")
                    % {"n": number}
                )
            elif code in {c for c, _n in options}:
                problems.append(
                    _("Dòng %(n)s: mã %(code)s bị trùng.") % {"n": number, "code": code}
                )
            else:
                options.append((code, name))
        if problems:
            raise forms.ValidationError(problems)
        if not options:
            raise forms.ValidationError(_("Cần ít nhất một phương án."))
        return options


class ComboForm(forms.ModelForm):
    class Meta:
        model = CategoryCombo
        fields = ["code", "name", "categories"]
        widgets = {"categories": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(CODE)
        self.fields["categories"].required = True
        self.fields["categories"].queryset = Category.objects.prefetch_related("options")

    def clean_categories(self):
        categories = sorted(self.cleaned_data["categories"], key=lambda c: c.code)
        empty = [c.name for c in categories if not c.options.all()]
        if empty:
            raise forms.ValidationError(
                _("Nhóm chưa có phương án: %(names)s.") % {"names": ", ".join(empty)}
            )
        chosen = {c.pk for c in categories}
        for combo in CategoryCombo.objects.prefetch_related("categories"):
            if {c.pk for c in combo.categories.all()} == chosen:
                raise forms.ValidationError(
                    _("Đã có tổ hợp “%(combo)s” gồm đúng các nhóm này.") % {"combo": combo}
                )
        # Option combo codes are unique across the catalogue (they are exchange identifiers).
        products = itertools.product(*[list(c.options.all()) for c in categories])
        codes = ["_".join(o.code for o in options) for options in products]
        taken = list(
            CategoryOptionCombo.objects.filter(code__in=codes).values_list("code", flat=True)
        )
        if taken:
            raise forms.ValidationError(
                _("Mã phương án tổ hợp đã có ở tổ hợp khác: %(codes)s.")
                % {"codes": ", ".join(taken)}
            )
        return categories


class ComputedIndicatorForm(forms.ModelForm):
    numerator_text = forms.CharField(
        label=_("Tử số"),
        help_text=_("Các chỉ tiêu dữ liệu cộng lại, ví dụ “BDG_M2_DN[FEMALE]”."),
    )
    denominator_text = forms.CharField(
        label=_("Mẫu số"),
        help_text=_("Ví dụ “BDG_M2_DN” (mọi phương án phân tổ) hoặc “A + B[MALE]”."),
    )

    class Meta:
        model = ComputedIndicator
        fields = [
            "code",
            "name",
            "numerator_text",
            "denominator_text",
            "factor",
            "unit_of_measure",
            "objective",
            "sensitive",
            "plausible_min",
            "plausible_max",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(CODE)
        self.fields["plausible_max"].help_text = _(
            "Kết quả ngoài khoảng hợp lý được đánh dấu “cần kiểm tra số liệu” trên bảng điều "
            "khiển thay vì hiện như số liệu bình thường (ví dụ tỷ số tử vong bà mẹ trên "
            "1.000/100.000 trẻ sinh sống). Để trống nếu không giới hạn."
        )
        self.fields["factor"].help_text = _(
            "Kết quả = hệ số × tử số / mẫu số, tính sau khi cộng số liệu các đơn vị "
            "(100 cho tỷ lệ %, 100.000 cho tỷ số trên 100.000 trẻ sinh sống)."
        )
        self.fields["objective"].help_text = _("Số thứ tự mục tiêu của Chiến lược (1–6).")
        if self.instance.pk:
            self.initial["numerator_text"] = format_expression(self.instance.numerator)
            self.initial["denominator_text"] = format_expression(self.instance.denominator)

    def clean_numerator_text(self):
        return clean_expression(self.cleaned_data["numerator_text"])

    def clean_denominator_text(self):
        return clean_expression(self.cleaned_data["denominator_text"])

    def clean_factor(self):
        factor = self.cleaned_data["factor"]
        if factor is not None and factor <= 0:
            raise forms.ValidationError(_("Hệ số phải là số dương."))
        return factor

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("plausible_min"), cleaned.get("plausible_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "plausible_max", _("Giá trị tối đa phải không nhỏ hơn giá trị tối thiểu.")
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()  # the Meta fields onto the instance; then the two expressions
        for name in ("numerator", "denominator"):
            if f"{name}_text" in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[f"{name}_text"])


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = [
            "description",
            "value_text",
            "value",
            "direction",
            "unit_of_measure",
            "indicator",
            "source",
            "verification",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value_text"].help_text = _(
            "Như văn bản ghi, ví dụ “<30”, “>=27”, “~60”, “từ năm 2025”."
        )
        self.fields["value"].help_text = _(
            "Để trống thì hệ thống đọc từ giá trị nguyên văn; mốc có/không không có giá trị số."
        )
        self.fields["verification"].help_text = _(
            "Bắt đầu bằng “verified”/“đã kiểm chứng” (đã kiểm chứng), “partial”/“kiểm chứng "
            "một phần”; còn lại là chưa kiểm chứng."
        )
        self.fields["indicator"].queryset = ComputedIndicator.objects.order_by("objective", "code")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("value") is None and cleaned.get("value_text"):
            cleaned["value"], _direction = parse_target_value(cleaned["value_text"])
        return cleaned


class ValidationRuleForm(VersionedFormMixin, forms.ModelForm):
    """A rule "left side operator right side" over sums of cells, as people type it."""

    left_text = forms.CharField(
        label=_("Vế trái"),
        help_text=_("Ô cộng lại, ví dụ “BDG_M3_NN_DV[FEMALE]” hoặc “BDG_M1_CQ_LDNU + 1”."),
    )
    right_text = forms.CharField(
        label=_("Vế phải"),
        help_text=_("Ví dụ “BDG_M3_NN[FEMALE]”, hoặc một số như “0”."),
    )

    class Meta:
        model = ValidationRule
        fields = [
            "code",
            "name",
            "left_text",
            "operator",
            "right_text",
            "message",
            "importance",
            "on_submit",
            "missing",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(CODE)
        self.fields["missing"].help_text = _(
            "Ô “không có số liệu” cũng tính là chưa nhập. Mặc định: chỉ kiểm tra khi mọi ô của "
            "quy tắc đã có số."
        )
        if self.instance.pk:
            self.initial["left_text"] = format_side(self.instance.left)
            self.initial["right_text"] = format_side(self.instance.right)

    def _side(self, name: str) -> list[dict]:
        terms = parse_side(self.cleaned_data[name])
        problems = check_side(terms, self._elements())
        if problems:
            raise forms.ValidationError(problems)
        return terms

    def _elements(self):
        if not hasattr(self, "_known"):
            self._known = known_elements()
        return self._known

    def clean_left_text(self):
        return self._side("left_text")

    def clean_right_text(self):
        return self._side("right_text")

    def clean(self):
        cleaned = super().clean()
        left, right = cleaned.get("left_text"), cleaned.get("right_text")
        if (
            left is not None
            and right is not None
            and not any("element" in t for t in [*left, *right])
        ):
            self.add_error("left_text", _("Quy tắc phải có ít nhất một chỉ tiêu dữ liệu."))
        elif left is not None and right is not None and cleaned.get("on_submit") == OnSubmit.BLOCK:
            codes = {t["element"] for t in [*left, *right] if "element" in t}
            sensitive = DataElement.objects.filter(code__in=codes, sensitive=True)
            if sensitive.exists():
                self.add_error(
                    "on_submit",
                    _(
                        "Quy tắc có chỉ tiêu nhạy cảm (%(codes)s) không chặn nộp được: đơn vị chỉ "
                        "thấy cảnh báo bên ô, để không ai suy ra được số liệu nhạy cảm từ việc "
                        "đơn vị nộp được hay không."
                    )
                    % {"codes": ", ".join(sorted(sensitive.values_list("code", flat=True)))},
                )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        for name in ("left", "right"):
            if f"{name}_text" in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[f"{name}_text"])


class ValueBoundForm(VersionedFormMixin, forms.ModelForm):
    """Min–max bounds of a numeric element, for one column or all of them."""

    class Meta:
        model = ValueBound
        fields = ["data_element", "option_combo", "minimum", "maximum", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_element"].queryset = DataElement.objects.filter(
            value_type__in=NUMERIC_TYPES
        ).order_by("code")
        self.fields["option_combo"].queryset = CategoryOptionCombo.objects.select_related(
            "combo"
        ).order_by("combo__code", "sort_order")
        self.fields["option_combo"].label_from_instance = lambda c: f"{c.code} — {c.name}"

    def clean(self):
        cleaned = super().clean()
        element, combo = cleaned.get("data_element"), cleaned.get("option_combo")
        low, high = cleaned.get("minimum"), cleaned.get("maximum")
        if (
            element is not None
            and combo is not None
            and combo.combo_id != element.category_combo_id
        ):
            self.add_error(
                "option_combo",
                _("Chỉ tiêu %(code)s không có cột này (phân tổ theo “%(combo)s”).")
                % {"code": element.code, "combo": element.category_combo},
            )
        if low is None and high is None:
            raise forms.ValidationError(_("Cần ít nhất giá trị tối thiểu hoặc tối đa."))
        if low is not None and high is not None and low > high:
            self.add_error("maximum", _("Giá trị tối đa phải không nhỏ hơn giá trị tối thiểu."))
        if element is not None:
            taken = ValueBound.objects.filter(data_element=element, option_combo=combo).exclude(
                pk=self.instance.pk
            )
            if taken.exists():
                raise forms.ValidationError(
                    _("Đã có giới hạn cho chỉ tiêu và cột này: hãy sửa giới hạn đó.")
                )
        return cleaned


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh mục (.csv hoặc .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Chỉ nhận tệp .csv hoặc .xlsx."))
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn (tối đa %(mb)s MB).")
                % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        return upload
