"""The reads that assemble the activities area's pages: the records a user sees, with what their
lists show (related rows, overdue follow-ups), and the summaries above the lists."""

from typing import TYPE_CHECKING, TypedDict

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from core.text import vi_sort_key
from orgs.models import Unit

from .models import (
    Activity,
    ActivityQuerySet,
    BudgetLine,
    BudgetLineQuerySet,
    Commendation,
    CommendationOutcome,
    CommunityModel,
    Inspection,
    InspectionStatus,
    ModelStatus,
    ModelType,
    Source,
)


class Overdue(TypedDict):
    """What inspections_for adds to an inspection."""

    overdue: bool


# An inspection as its list shows it (inspections_for), with `overdue`; at run time the model.
if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise, WithAnnotations

    ListedInspection = WithAnnotations[Inspection, Overdue]
else:
    ListedInspection = Inspection


def activities_for(user: User) -> ActivityQuerySet:
    return Activity.objects.for_user(user).select_related("unit", "commune", "campaign")


def models_for(user: User) -> QuerySet[CommunityModel]:
    return CommunityModel.objects.for_user(user).select_related(
        "model_type", "unit", "commune", "replicated_from"
    )


def model_summary(models: QuerySet[CommunityModel]) -> dict:
    """How many models by status, and their members and supported cases in all."""
    counts = dict(models.order_by().values_list("status").annotate(n=Count("id")))
    return {
        "statuses": [(value, label, counts.get(value, 0)) for value, label in ModelStatus.choices],
        "total": sum(counts.values()),
        **models.aggregate(
            male=Sum("members_male", default=0),
            female=Sum("members_female", default=0),
            cases=Sum("cases_supported", default=0),
        ),
    }


def model_types_with_use() -> list[ModelType]:
    """Every model type with `used`, how many models have it, in Vietnamese alphabetical order."""
    return sorted(
        ModelType.objects.annotate(used=Count("models")), key=lambda t: vi_sort_key(t.name)
    )


def inspections_for(user: User) -> QuerySet[ListedInspection]:
    """With `overdue`: a follow-up whose due date has passed and is not closed."""
    late = Q(follow_up_due__lt=timezone.localdate()) & ~Q(status=InspectionStatus.CLOSED)
    return (
        Inspection.objects.for_user(user)
        .select_related("unit")
        .prefetch_related("inspected_units", "plan_items")
        .annotate(overdue=ExpressionWrapper(late, output_field=BooleanField()))
    )


def inspection_summary(inspections: QuerySet[ListedInspection]) -> dict:
    """How many inspections by status, and how many have an overdue follow-up."""
    counts = dict(inspections.order_by().values_list("status").annotate(n=Count("id")))
    return {
        "statuses": [(label, counts.get(value, 0)) for value, label in InspectionStatus.choices],
        "overdue": inspections.filter(overdue=True).count(),
    }


def commendations_for(user: User) -> QuerySet[Commendation]:
    return Commendation.objects.for_user(user).select_related("unit")


def commendation_outcomes(
    commendations: QuerySet[Commendation],
) -> list[tuple[str, "StrOrPromise", int]]:
    """(value, label, how many) of every outcome."""
    counts = dict(commendations.order_by().values_list("outcome").annotate(n=Count("id")))
    return [(value, label, counts.get(value, 0)) for value, label in CommendationOutcome.choices]


def budget_lines_for(user: User) -> BudgetLineQuerySet:
    return BudgetLine.objects.for_user(user).select_related("unit", "plan_item__plan")


def budget_summary(lines: BudgetLineQuerySet) -> dict:
    """Totals of the lines by source, by body (unit) and in all, and how many overspent."""
    by_source = [{**row, "label": Source(row["source"]).label} for row in lines.totals("source")]
    by_unit = lines.totals("unit")
    names = Unit.objects.in_bulk([row["unit"] for row in by_unit])
    by_unit = sorted(
        ({**row, "label": names[row["unit"]].name} for row in by_unit),
        key=lambda row: names[row["unit"]].sort_key,
    )
    grand = {name: sum(row[name] for row in by_source) for name in BudgetLine.AMOUNTS}
    return {
        "by_source": by_source,
        "by_unit": by_unit,
        "grand": grand,
        "overspent": lines.overspent().count(),
    }
