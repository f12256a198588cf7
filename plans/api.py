import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Plan, Task

router = Router(tags=["plans"])


class TaskOut(Schema):
    id: int
    item: str
    unit: str
    status: str
    percent: int
    due_on: datetime.date
    overdue: bool

    @staticmethod
    def resolve_item(task):
        return task.item.code

    @staticmethod
    def resolve_unit(task):
        return task.unit.code

    @staticmethod
    def resolve_overdue(task):
        return task.is_overdue()


@router.get("/{year}/tasks", response=list[TaskOut])
def plan_tasks(request, year: int, status: str | None = None):
    """The plan's tasks the caller may see (a unit's token: its own tasks only)."""
    plan = get_object_or_404(Plan.objects.for_user(request.auth), year=year)
    tasks = (
        Task.objects.for_user(request.auth).filter(item__plan=plan).select_related("item", "unit")
    )
    if status:
        tasks = tasks.filter(status=status)
    return tasks
