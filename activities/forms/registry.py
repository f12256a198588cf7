"""Forms of the registers a unit keeps: community models and their reviews, model types,
inspections and commendations; plus the GET filters of their lists."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.widgets import DateField
from orgs.models import COMMUNE_KINDS, Unit

from ..models import (
    Commendation,
    CommendationOutcome,
    CommunityModel,
    Inspection,
    InspectionStatus,
    ModelReview,
    ModelStatus,
    ModelType,
    NomineeKind,
)
from ..selectors import ListedInspection
from .checks import NEGATIVE, check_year, in_year, not_future, on_day
from .options import (
    all_choice,
    current_units,
    grouped_unit_options,
    plan_item_field,
    sorted_names,
    year_options,
)
from .unit_records import FilterForm, RecordForm, UnitOwnedForm, unit_filter, year_filter

PRIVATE_PLACE = _(
    "Không ghi địa chỉ, vị trí của địa chỉ tin cậy, nhà tạm lánh (thôn, tổ, số nhà…): chỉ ghi "
    "tên chung của mô hình và của tổ chức chủ trì."
)


class CommunityModelForm(UnitOwnedForm[CommunityModel]):
    class Meta:
        model = CommunityModel
        fields = [
            "name",
            "model_type",
            "unit",
            "commune",
            "host",
            "established_on",
            "status",
            "members_male",
            "members_female",
            "cases_supported",
        ]
        field_classes = {"established_on": DateField}

    AUDITED = [*Meta.fields, "replicated_from"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = self.fields["model_type"]
        types.choices = sorted_names(types.queryset)
        commune = self.fields["commune"]
        commune.queryset = current_units(kinds=COMMUNE_KINDS, keep=[self.instance.commune_id])
        commune.choices = Unit.choices(commune.queryset)
        if (
            self.instance.commune_id is None
            and self.user.unit
            and self.user.unit.kind in COMMUNE_KINDS
        ):
            self.initial["commune"] = self.user.unit_id
        self.fields["cases_supported"].help_text = _(
            "Chỉ ghi số lượng, không ghi thông tin về người được hỗ trợ."
        )
        for name in ("name", "host"):
            self.fields[name].help_text = PRIVATE_PLACE
        for name in ("members_male", "members_female", "cases_supported"):
            self.fields[name].error_messages["min_value"] = NEGATIVE

    def period(self, cleaned):
        return on_day(cleaned.get("established_on"))

    def clean_established_on(self):
        return not_future(
            self.cleaned_data["established_on"], _("Ngày thành lập không được sau hôm nay.")
        )

    @staticmethod
    def summary(record) -> str:
        return f"{record.name}, {record.get_status_display()}"


class ModelReviewForm(RecordForm[ModelReview]):
    class Meta:
        model = ModelReview
        fields = ["reviewed_on", "assessment", "note"]
        field_classes = {"reviewed_on": DateField}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    AUDITED = ["model", *Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate

    def clean_reviewed_on(self):
        day = not_future(
            self.cleaned_data["reviewed_on"], _("Ngày đánh giá không được sau hôm nay.")
        )
        if day < self.instance.model.established_on:
            raise ValidationError(_("Ngày đánh giá không được trước ngày thành lập mô hình."))
        return day


class ModelTypeForm(RecordForm[ModelType]):
    class Meta:
        model = ModelType
        fields = ["name"]
        error_messages = {"name": {"unique": _("Đã có loại mô hình mang tên này.")}}

    AUDITED = Meta.fields


class InspectionForm(UnitOwnedForm[Inspection]):
    """The plan of an inspection, then the visit: its date, findings and follow-up."""

    class Meta:
        model = Inspection
        fields = [
            "unit",
            "title",
            "inspected_units",
            "planned_on",
            "plan_items",
            "status",
            "visited_on",
            "findings",
            "follow_up",
            "follow_up_due",
        ]
        field_classes = {
            "planned_on": DateField,
            "visited_on": DateField,
            "follow_up_due": DateField,
        }
        widgets = {
            "inspected_units": forms.SelectMultiple(attrs={"size": 8}),
            "plan_items": forms.SelectMultiple(attrs={"size": 6}),
            "findings": forms.Textarea(attrs={"rows": 4}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }

    AUDITED = Meta.fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = self.instance
        inspected = self.fields["inspected_units"]
        keep = record.inspected_units.values("pk") if record.pk else []
        inspected.queryset = current_units(keep=keep)
        inspected.choices = grouped_unit_options(inspected.queryset)
        inspected.error_messages["required"] = _("Chọn ít nhất một đơn vị được kiểm tra.")
        plan_item_field(
            self.fields["plan_items"],
            self.user,
            record.plan_items.values("pk") if record.pk else [],
        )

    def clean_visited_on(self):
        return not_future(
            self.cleaned_data["visited_on"], _("Ngày kiểm tra không được sau hôm nay.")
        )

    def clean(self):
        cleaned = super().clean()
        status, visited = cleaned.get("status"), cleaned.get("visited_on")
        follow_up, due = cleaned.get("follow_up"), cleaned.get("follow_up_due")
        if status in (InspectionStatus.DONE, InspectionStatus.CLOSED) and not visited:
            if "visited_on" not in self.errors:
                self.add_error("visited_on", _("Hãy ghi ngày đã kiểm tra."))
        if status == InspectionStatus.PLANNED and visited:
            self.add_error("status", _("Đã có ngày kiểm tra: hãy chọn tình trạng “Đã kiểm tra”."))
        if due and not follow_up:
            self.add_error("follow_up", _("Ghi nội dung kiến nghị trước khi đặt hạn khắc phục."))
        if due and visited and due < visited:
            self.add_error("follow_up_due", _("Hạn khắc phục không được trước ngày kiểm tra."))
        return cleaned

    def period(self, cleaned):
        return on_day(cleaned.get("visited_on") or cleaned.get("planned_on"))

    @staticmethod
    def summary(record) -> str:
        return f"{record.title}, {record.get_status_display()}"


class CommendationForm(UnitOwnedForm[Commendation]):
    """The unit proposes; only the coordinator records the outcome and the decision."""

    class Meta:
        model = Commendation
        fields = [
            "unit",
            "year",
            "nominee_kind",
            "nominee",
            "nominee_position",
            "achievements",
            "form",
            "outcome",
            "decision",
        ]
        widgets = {
            "achievements": forms.Textarea(attrs={"rows": 5}),
            "nominee_kind": forms.RadioSelect,
        }

    AUDITED = Meta.fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user.role != Role.COORDINATOR:
            del self.fields["outcome"], self.fields["decision"]
        self.fields["nominee_kind"].choices = NomineeKind.choices
        if self.instance.pk is None:
            self.fields["year"].initial = timezone.localdate().year

    def clean_year(self):
        return check_year(self.cleaned_data["year"])

    def period(self, cleaned):
        return in_year(cleaned.get("year"))

    def clean(self):
        cleaned = super().clean()
        if "outcome" not in self.fields:
            return cleaned
        outcome, decision = cleaned.get("outcome"), cleaned.get("decision")
        if outcome == CommendationOutcome.APPROVED and not decision:
            self.add_error("decision", _("Ghi số, ngày quyết định khen thưởng."))
        if outcome == CommendationOutcome.PROPOSED and decision:
            self.add_error("outcome", _("Đã có quyết định: hãy chọn kết quả xét khen thưởng."))
        return cleaned

    @staticmethod
    def summary(record) -> str:
        return f"{record.nominee}, {record.get_outcome_display()}"


# -- Filters of the lists (GET) ---------------------------------------------------------------


class ModelFilterForm(FilterForm[QuerySet[CommunityModel]]):
    model_type = forms.ModelChoiceField(
        label=_("Loại mô hình"),
        queryset=ModelType.objects.all(),
        required=False,
        empty_label=_("Tất cả"),
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"), choices=all_choice(ModelStatus.choices), required=False
    )
    commune = forms.ModelChoiceField(
        label=_("Xã, phường"), queryset=Unit.objects.none(), required=False
    )
    unit = unit_filter()
    lookups = {"model_type": "model_type", "status": "status", "commune": "commune", "unit": "unit"}

    def __init__(self, data, *, records):
        super().__init__(data, records=records)
        types = self.fields["model_type"]
        types.choices = sorted_names(types.queryset, _("Tất cả"))


class InspectionFilterForm(FilterForm[QuerySet[ListedInspection]]):
    year = year_filter()
    status = forms.ChoiceField(
        label=_("Tình trạng"), choices=all_choice(InspectionStatus.choices), required=False
    )
    unit = unit_filter()
    overdue = forms.BooleanField(label=_("Chỉ kiến nghị quá hạn khắc phục"), required=False)
    lookups = {"year": "planned_on__year", "status": "status", "unit": "unit", "overdue": "overdue"}

    def __init__(self, data, *, records):
        super().__init__(data, records=records)
        years = [day.year for day in records.dates("planned_on", "year")]
        self.fields["year"].choices = year_options(years)


class CommendationFilterForm(FilterForm[QuerySet[Commendation]]):
    year = year_filter()
    nominee_kind = forms.ChoiceField(
        label=_("Đối tượng"), choices=all_choice(NomineeKind.choices), required=False
    )
    outcome = forms.ChoiceField(
        label=_("Kết quả"), choices=all_choice(CommendationOutcome.choices), required=False
    )
    unit = unit_filter()
    lookups = {"year": "year", "nominee_kind": "nominee_kind", "outcome": "outcome", "unit": "unit"}

    def __init__(self, data, *, records):
        super().__init__(data, records=records)
        self.fields["year"].choices = year_options(records.values_list("year", flat=True))
