from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.forms import VersionedFormMixin
from core.widgets import DateField

from .models import EthnicGroup, Succession, Unit, ethnic_key


class UnitForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "note"]
        field_classes = {"valid_from": DateField, "valid_to": DateField}
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent = cast(forms.ModelChoiceField, self.fields["parent"])
        parent.queryset = Unit.objects.exclude(pk=self.instance.pk)
        parent.choices = Unit.choices(parent.queryset)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
        return cleaned


class CloseUnitForm(VersionedFormMixin, forms.Form):
    valid_to = DateField(
        label=_("Hết hiệu lực từ sau ngày"),
    )
    successors = forms.ModelMultipleChoiceField(
        label=_("Đơn vị kế thừa"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Các đơn vị nhận lại địa bàn, dân cư và số liệu của đơn vị này."),
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, version=unit.version, **kwargs)
        self.unit = unit
        successors = cast(forms.ModelMultipleChoiceField, self.fields["successors"])
        successors.queryset = Unit.objects.exclude(pk=unit.pk)
        successors.choices = Unit.choices(successors.queryset)[1:]

    def clean_valid_to(self):
        day = self.cleaned_data["valid_to"]
        if self.unit.valid_from and day < self.unit.valid_from:
            raise forms.ValidationError(_("Ngày này trước ngày đơn vị bắt đầu hiệu lực."))
        return day


class SuccessionForm(forms.ModelForm):
    class Meta:
        model = Succession
        fields = ["successor", "effective_on", "note"]
        field_classes = {"effective_on": DateField}

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.predecessor = unit
        successor = cast(forms.ModelChoiceField, self.fields["successor"])
        successor.queryset = Unit.objects.exclude(pk=unit.pk)
        successor.choices = Unit.choices(successor.queryset)

    def clean_successor(self):
        successor = self.cleaned_data["successor"]
        if Succession.objects.filter(
            predecessor=self.instance.predecessor, successor=successor
        ).exists():
            raise forms.ValidationError(_("Liên kết kế thừa này đã có."))
        return successor


class EthnicGroupForm(VersionedFormMixin, forms.ModelForm):
    """An admin's edit of one group of the official list (its code never changes)."""

    class Meta:
        model = EthnicGroup
        fields = ["name", "active", "sort_order"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = EthnicGroup.objects.exclude(pk=self.instance.pk)
        if any(ethnic_key(g.name) == ethnic_key(name) for g in clash):
            raise forms.ValidationError(_("Đã có dân tộc khác mang tên này."))
        return name
