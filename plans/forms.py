from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from audit.forms import VersionedFormMixin
from core.notifications import NOTE_MAX
from core.uploads import check_upload
from core.widgets import DateField
from orgs.models import Unit

from .models import PlanItem, Status, Task


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files at once; each checked by size and by content, not by its name."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.odt,.ods,.png,.jpg,.jpeg,.gif,.webp"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [(upload, check_upload(upload, settings.UPLOAD_MAX_BYTES)) for upload in uploads]


class ProgressForm(VersionedFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), choices=Status.choices)
    percent = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100)
    note = forms.CharField(
        label=_("Kết quả thực hiện"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        error_messages={"required": _("Hãy ghi kết quả đã làm hoặc khó khăn gặp phải.")},
    )
    # The POST key is "files": the form metaclass moves this field into base_fields, so an
    # instance's `files` (BaseForm's uploaded files) is untouched; the stubs see a clash.
    files = EvidenceField(  # type: ignore[assignment]  # field named like BaseForm.files
        label=_("Tệp minh chứng (PDF, Word, Excel, ảnh)"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        status, percent = cleaned.get("status"), cleaned.get("percent")
        if status == Status.NOT_STARTED and percent:
            self.add_error("percent", _("Nhiệm vụ chưa thực hiện thì tiến độ phải là 0%."))
        if status == Status.IN_PROGRESS and percent == 100:
            self.add_error("status", _("Tiến độ 100% — hãy chọn trạng thái “Hoàn thành”."))
        return cleaned


class PlanItemForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = PlanItem
        fields = ["starts_on", "due_on", "supporting_units"]
        field_classes = {"starts_on": DateField, "due_on": DateField}
        widgets = {
            "supporting_units": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supporting_units"].queryset = Unit.objects.agencies().order_by("name")

    def clean(self):
        cleaned = super().clean()
        start, due = cleaned.get("starts_on"), cleaned.get("due_on")
        if start and due and due < start:
            self.add_error("due_on", _("Hạn hoàn thành phải sau ngày bắt đầu."))
        return cleaned


class CopyPlanForm(forms.Form):
    year = forms.IntegerField(label=_("Năm của kế hoạch mới"), min_value=2000, max_value=2100)


class LateTaskFilterForm(forms.Form):
    """Late tasks of a plan by body (the unit carrying them out) or by task (the plan item)."""

    unit = forms.TypedChoiceField(label=_("Đơn vị thực hiện"), required=False, coerce=int)
    item = forms.TypedChoiceField(label=_("Mục kế hoạch"), required=False, coerce=int)

    def __init__(self, *args, units, items, **kwargs):
        super().__init__(*args, **kwargs)
        unit_field = cast(forms.TypedChoiceField, self.fields["unit"])
        unit_field.choices = [("", _("Tất cả"))] + [(u.pk, u.name) for u in units]
        item_field = cast(forms.TypedChoiceField, self.fields["item"])
        item_field.choices = [("", _("Tất cả"))] + [
            (i.pk, f"{i.code}. {i.text[:70]}") for i in items
        ]


class TaskUrgeForm(forms.Form):
    """The late tasks the coordinator chose to urge, and the words they add."""

    task = forms.ModelMultipleChoiceField(
        queryset=Task.objects.none(),
        error_messages={
            "required": _("Hãy chọn ít nhất một nhiệm vụ quá hạn."),
            "invalid_choice": _("Nhiệm vụ đã chọn không thuộc kế hoạch này."),
            "invalid_pk_value": _("Lựa chọn không hợp lệ."),
        },
    )
    note = forms.CharField(
        label=_("Lời nhắn thêm của Sở Nội vụ (không bắt buộc)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["task"]).queryset = tasks
