"""Writes of activities beyond a form's save: evidence files (and the record of their
downloads), a series of copies, removal. Each atomic and audited."""

import datetime
from copy import copy as shallow_copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import diff, record_event, snapshot

from ..models import Activity, ActivityFile, Campaign, Kind


@transaction.atomic
def add_files(*, activity: Activity, files: list, actor, request=None) -> list[ActivityFile]:
    """Store the (upload, (extension, MIME type)) pairs check_upload passed."""
    stored = []
    for upload, kind in files:
        evidence = ActivityFile(activity=activity, uploaded_by=actor)
        evidence.store(upload, kind)
        stored.append(evidence)
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=activity,
        request=request,
        changes={"evidence": [None, [f.original_name for f in stored]]},
    )
    return stored


def record_download(*, actor, evidence: ActivityFile, request=None) -> None:
    """The audit's note that `actor` downloaded an evidence file."""
    record_event(actor=actor, action=Action.DOWNLOAD, obj=evidence, request=request)


def _copy_on(activity: Activity, day: datetime.date, campaigns: list[Campaign]) -> Activity:
    """The activity moved to `day`, its campaign the one of that day among `campaigns`
    (unchanged fields else)."""
    if not activity.unit.is_valid_on(day):
        raise ValidationError(
            _("%(unit)s không có hiệu lực vào ngày %(day)s.")
            % {"unit": activity.unit, "day": day.strftime("%d/%m/%Y")}
        )
    campaign = None
    if activity.campaign_id or activity.kind == Kind.ACTION_MONTH:
        campaign = next((c for c in campaigns if c.starts_on <= day <= c.ends_on), None)
    if activity.kind == Kind.ACTION_MONTH and campaign is None:
        raise ValidationError(
            _("Ngày %(day)s không thuộc Tháng hành động nào.") % {"day": day.strftime("%d/%m/%Y")}
        )
    length = activity.ends_on - activity.starts_on if activity.ends_on else None
    copy = shallow_copy(activity)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.starts_on, copy.ends_on = day, (day + length if length is not None else None)
    copy.campaign, copy.version = campaign, 1
    return copy


@transaction.atomic
def repeat_activity(
    *, activity: Activity, dates: list[datetime.date], actor, request=None
) -> list[Activity]:
    """Copies of the activity on each date (without its evidence): all of them, or none."""
    if not dates:
        return []
    # The Action Months the series may fall in, read once for all its dates.
    campaigns = list(Campaign.objects.filter(starts_on__lte=max(dates), ends_on__gte=min(dates)))
    copies = [_copy_on(activity, day, campaigns) for day in dates]
    co_organisers, items = list(activity.co_organisers.all()), list(activity.plan_items.all())
    for copy in copies:
        copy.created_by = actor
        copy.save()
        copy.co_organisers.set(co_organisers)
        copy.plan_items.set(items)
        record_event(
            actor=actor,
            action=Action.CREATE,
            obj=copy,
            request=request,
            changes={
                **diff({}, snapshot(copy, Activity.AUDITED)),
                "copied_from": [None, f"{activity.title} ({activity.starts_on:%d/%m/%Y})"],
            },
        )
    return copies


@transaction.atomic
def delete_activity(*, activity: Activity, actor, request=None) -> None:
    """Remove an activity entered by mistake; the audit keeps every value it had."""
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=activity,
        request=request,
        label=_("Xóa hoạt động: %(title)s") % {"title": activity.title},
        changes=diff(snapshot(activity, Activity.AUDITED), {}),
    )
    activity.delete()
