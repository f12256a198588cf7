"""Budget lines (planned, allocated, spent by source) and the filters of their list."""

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from plans.models import PlanItem

from ..models import BudgetLine, BudgetLineQuerySet, Source
from .checks import NEGATIVE, check_year, in_year
from .options import all_choice, plan_item_field, year_options
from .unit_records import FilterForm, UnitOwnedForm, unit_filter, year_filter


class BudgetLineForm(UnitOwnedForm[BudgetLine]):
    """Amounts in đồng, typed as in Excel: 20.000.000 or 20000000."""

    class Meta:
        model = BudgetLine
        fields = ["unit", "year", "plan_item", "source", "description", *BudgetLine.AMOUNTS]
        localized_fields = BudgetLine.AMOUNTS

    AUDITED = Meta.fields

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["year"].initial = timezone.localdate().year
        plan_item_field(self.fields["plan_item"], self.user, [self.instance.plan_item_id])
        for name in BudgetLine.AMOUNTS:
            field = self.fields[name]
            field.validators.append(MinValueValidator(0, NEGATIVE))
            field.widget.attrs.update(inputmode="numeric", autocomplete="off")
            field.error_messages["invalid"] = _(
                "Nhập số tiền bằng đồng, chỉ gồm chữ số (có thể có dấu chấm ngăn cách hàng nghìn)."
            )
            field.error_messages["max_decimal_places"] = _(
                "Số tiền tính bằng đồng, không có phần lẻ."
            )

    def clean_year(self):
        return check_year(self.cleaned_data["year"])

    def period(self, cleaned):
        return in_year(cleaned.get("year"))

    @staticmethod
    def summary(record) -> str:
        return _("%(description)s, đã chi %(spent)s đồng") % {
            "description": record.description,
            "spent": number_format(record.spent, force_grouping=True),
        }


class BudgetFilterForm(FilterForm[BudgetLineQuerySet]):
    year = year_filter()
    unit = unit_filter()
    source = forms.ChoiceField(
        label=_("Nguồn kinh phí"), choices=all_choice(Source.choices), required=False
    )
    plan_item = forms.ModelChoiceField(
        label=_("Mục kế hoạch"),
        queryset=PlanItem.objects.none(),
        required=False,
        empty_label=_("Tất cả"),
    )
    overspent = forms.BooleanField(label=_("Chỉ dòng chi vượt số được giao"), required=False)
    lookups = {"year": "year", "unit": "unit", "source": "source", "plan_item": "plan_item"}

    def __init__(self, data, *, records):
        super().__init__(data, records=records)
        self.fields["year"].choices = year_options(records.values_list("year", flat=True))
        items = self.fields["plan_item"]
        items.queryset = PlanItem.objects.filter(pk__in=records.values("plan_item")).select_related(
            "plan"
        )
        items.label_from_instance = lambda item: f"{item.code} ({item.plan.year})"

    def filter(self) -> BudgetLineQuerySet:
        lines = super().filter()
        return lines.overspent() if self.is_valid() and self.cleaned_data["overspent"] else lines
