import itertools

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reports.models import FormStatus

from .models import Category, CategoryCombo, CategoryOptionCombo, DataElement, ValueType

# Codes travel in JSON, Excel sheets and DHIS2 exchange: keep them plain.
CODE = RegexValidator(
    r"^[A-Za-z0-9_.-]+$", _("Mã chỉ gồm chữ cái không dấu, chữ số và các dấu _ . -")
)
# What identifies stored values: they cannot change once the element holds some.
LOCKED_FIELDS = ("code", "value_type", "category_combo")


def lock_reason(element: DataElement) -> str | None:
    """Why the element's code, value type and disaggregation are fixed, or None."""
    if element.pk is None:
        return None
    if element.values.exists():
        return _(
            "Chỉ tiêu đã có số liệu: không đổi được mã, kiểu giá trị và phân tổ. "
            "Nếu cần, hãy tạo chỉ tiêu mới."
        )
    in_forms = element.rows.filter(
        ~Q(section__form__status=FormStatus.DRAFT) | Q(section__form__rounds__isnull=False)
    )
    if in_forms.exists():
        return _(
            "Chỉ tiêu có trong biểu mẫu đã ban hành: không đổi được mã, kiểu giá trị và phân tổ. "
            "Nếu cần, hãy tạo chỉ tiêu mới."
        )
    return None


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
