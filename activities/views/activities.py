"""The activities a unit records: their list (filtered, paged, exported), entry and editing with
the Action Month suggested by the start date, a series of copies, removal, and evidence files."""

from collections.abc import Iterable
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from audit.models import Event
from core.access import allow
from core.widgets import shown
from orgs.models import COMMUNE_KINDS

from ..excel import workbook_response
from ..forms.activities import (
    LANGUAGES,
    ActivityFileForm,
    ActivityFilterForm,
    ActivityForm,
    RepeatForm,
)
from ..forms.campaigns import campaign_on, suggested_campaign
from ..models import READERS, WRITERS, Activity, ActivityFile, editable_by
from ..selectors import activities_for
from ..services import activities as services
from .editing import editable, save_form

PAGE_SIZE = 50


@allow(READERS)
def activity_list(request: AuthenticatedRequest) -> HttpResponse:
    filters = ActivityFilterForm(request.GET, user=request.user)
    activities = filters.filter(activities_for(request.user))
    context = {
        "filters": filters,
        "page": Paginator(activities.prefetch_related("files"), PAGE_SIZE).get_page(
            request.GET.get("page")
        ),
        "totals": activities.order_by().totals(),
        "can_add": request.user.role in WRITERS,
    }
    partial = request.headers.get("HX-Request")
    template = "activities/activity/_list.html" if partial else "activities/activity/list.html"
    return render(request, template, context)


def activity_table(activities: Iterable[Activity]) -> tuple[list[str], list[list]]:
    headers = [
        _("Ngày bắt đầu"),
        _("Ngày kết thúc"),
        _("Loại hoạt động"),
        _("Tên hoạt động"),
        _("Đơn vị tổ chức"),
        _("Đơn vị phối hợp"),
        _("Xã, phường"),
        _("Kênh"),
        _("Ngôn ngữ"),
        _("Đối tượng"),
        _("Nam"),
        _("Nữ"),
        _("Tổng số người"),
        _("Người dân tộc thiểu số"),
        _("Thanh niên"),
        _("Mục kế hoạch"),
        _("Tháng hành động"),
        _("Kinh phí (đồng)"),
        _("Ghi chú"),
    ]
    rows = [
        [
            a.starts_on,
            a.ends_on,
            a.get_kind_display(),
            a.title,
            a.unit.name,
            ", ".join(u.name for u in a.co_organisers.all()),
            a.commune.name if a.commune else "",
            a.get_channel_display(),
            a.language,
            a.target_group,
            a.participants_male,
            a.participants_female,
            a.participants,
            a.participants_ethnic,
            a.participants_youth,
            ", ".join(i.code for i in a.plan_items.all()),
            a.campaign.name if a.campaign else "",
            a.cost,
            a.note,
        ]
        for a in activities
    ]
    return headers, rows


@allow(READERS)
def activity_export(request: AuthenticatedRequest) -> HttpResponse:
    filters = ActivityFilterForm(request.GET, user=request.user)
    activities = filters.filter(activities_for(request.user)).prefetch_related(
        "co_organisers", "plan_items"
    )
    headers, rows = activity_table(activities)
    name = f"hoat-dong-{timezone.localdate():%Y%m%d}.xlsx"
    return workbook_response(name, _("Hoạt động"), headers, rows)


def _form_page(
    request: AuthenticatedRequest, form: ActivityForm, activity: Activity | None = None
) -> HttpResponse:
    """The form; when its start date changes, only that date goes to the server (hx-params),
    which answers with the campaign field suggesting the Action Month of that date."""
    if request.headers.get("HX-Request") and "starts_on" in request.GET:
        form.initial["campaign"] = suggested_campaign(request.GET["starts_on"])
        return render(request, "activities/activity/_campaign_field.html", {"form": form})
    form.fields["starts_on"].widget.attrs.update(
        {
            "hx-get": request.path,
            "hx-trigger": "change",
            "hx-params": "starts_on",
            "hx-target": "#field-campaign",
            "hx-swap": "outerHTML",
        }
    )
    context = {"form": form, "activity": activity, "languages": LANGUAGES}
    return render(request, "activities/activity/form.html", context)


@allow(WRITERS)
def activity_new(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    initial: dict[str, object] = {
        "starts_on": today,
        "campaign": campaign_on(today),
        "language": LANGUAGES[0],
    }
    if request.user.unit and request.user.unit.kind in COMMUNE_KINDS:
        initial["commune"] = request.user.unit_id
    form = ActivityForm(
        request.POST or None,
        instance=Activity(created_by=request.user),
        user=request.user,
        initial=initial,
    )
    if activity := save_form(request, form):
        messages.success(
            request,
            _("Đã ghi nhận hoạt động “%(title)s” của %(unit)s, ngày %(day)s.")
            % {
                "title": activity.title,
                "unit": activity.unit.name,
                "day": shown(activity.starts_on),
            },
        )
        return redirect("activities:activity", pk=activity.pk)
    return _form_page(request, form)


@allow(READERS)
def activity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(activities_for(request.user), pk=pk)
    can_edit = editable_by(activity.unit_id, request.user)
    context = {
        "activity": activity,
        "files": activity.files.select_related("uploaded_by"),
        "can_edit": can_edit,
        "file_form": ActivityFileForm() if can_edit else None,
        "history": Event.objects.for_object(activity)[:50],
    }
    return render(request, "activities/activity/detail.html", context)


@allow(WRITERS)
def activity_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = editable(request, Activity.objects, pk)
    form = ActivityForm(request.POST or None, instance=activity, user=request.user)
    if save_form(request, form):
        messages.success(request, _("Đã lưu hoạt động “%(title)s”.") % {"title": activity.title})
        return redirect("activities:activity", pk=activity.pk)
    return _form_page(request, form, activity)


@require_POST
@allow(WRITERS)
def activity_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = editable(request, Activity.objects, pk)
    services.delete_activity(activity=activity, actor=request.user, request=request)
    messages.success(request, _("Đã xóa hoạt động “%(title)s”.") % {"title": activity.title})
    return redirect("activities:list")


@allow(WRITERS)
def activity_repeat(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Quick entry of a series: copies of the activity every N days, all of them or none."""
    activity = editable(request, Activity.objects, pk)
    form = RepeatForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            copies = services.repeat_activity(
                activity=activity, dates=form.dates(), actor=request.user, request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            dates = form.dates()
            messages.success(
                request,
                _("Đã tạo %(n)s bản sao của hoạt động “%(title)s”, từ %(first)s đến %(last)s.")
                % {
                    "n": len(copies),
                    "title": activity.title,
                    "first": shown(dates[0]),
                    "last": shown(dates[-1]),
                },
            )
            query = urlencode({"kind": activity.kind, "start": dates[0], "end": dates[-1]})
            return redirect(f"{reverse('activities:list')}?{query}")
    return render(request, "activities/activity/repeat.html", {"activity": activity, "form": form})


@require_POST
@allow(WRITERS)
def file_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = editable(request, Activity.objects, pk)
    form = ActivityFileForm(request.POST, request.FILES)
    if form.is_valid():
        stored = services.add_files(
            activity=activity, files=form.cleaned_data["files"], actor=request.user, request=request
        )
        messages.success(
            request,
            _("Đã tải lên %(n)s tệp minh chứng cho hoạt động “%(title)s”.")
            % {"n": len(stored), "title": activity.title},
        )
    else:
        messages.error(request, " ".join(str(error) for error in form.errors["files"]))
    return redirect("activities:activity", pk=activity.pk)


@allow(READERS)
def file_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(ActivityFile.objects.for_user(request.user), pk=pk)
    services.record_download(actor=request.user, evidence=evidence, request=request)
    return evidence.download()
