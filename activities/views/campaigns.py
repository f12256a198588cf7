"""The Action Month: the campaigns, their setup by the coordinator, and each campaign's board
(activities and participants by unit and by commune, the units with nothing yet) with its
workbook for the annual report."""

from django.contrib import messages
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedRequest
from audit.models import Event
from core.access import allow
from core.spreadsheet import xlsx_response
from core.widgets import shown

from .. import counting
from ..excel import workbook_bytes
from ..forms.campaigns import CampaignForm
from ..models import COORDINATOR, READERS, Campaign
from .editing import save_form


@allow(READERS)
def campaign_list(request: AuthenticatedRequest) -> HttpResponse:
    campaigns = Campaign.objects.for_user(request.user).annotate(activity_count=Count("activities"))
    context = {"campaigns": campaigns, "can_add": request.user.role in COORDINATOR}
    return render(request, "activities/campaign/list.html", context)


def _campaign_form_page(
    request: AuthenticatedRequest, form: CampaignForm, campaign: Campaign | None = None
) -> HttpResponse:
    if saved := save_form(request, form):
        messages.success(
            request,
            _("Đã lưu “%(name)s” (%(start)s–%(end)s).")
            % {"name": saved.name, "start": shown(saved.starts_on), "end": shown(saved.ends_on)},
        )
        return redirect("activities:campaign", pk=saved.pk)
    return render(request, "activities/campaign/form.html", {"form": form, "campaign": campaign})


@allow(COORDINATOR)
def campaign_new(request: AuthenticatedRequest) -> HttpResponse:
    latest = Campaign.objects.aggregate(Max("year"))["year__max"]
    year = max(timezone.localdate().year, latest + 1 if latest else 0)
    start, end = Campaign.default_dates(year)
    initial = {
        "year": year,
        "starts_on": start,
        "ends_on": end,
        "name": _(
            "Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực trên cơ sở "
            "giới năm %(year)s"
        )
        % {"year": year},
    }
    return _campaign_form_page(request, CampaignForm(request.POST or None, initial=initial))


@allow(COORDINATOR)
def campaign_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    return _campaign_form_page(request, form, campaign)


@allow(READERS)
def campaign_board(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
    today = timezone.localdate()
    context = {
        "campaign": campaign,
        "board": counting.campaign_board(campaign, request.user),
        "live": campaign.starts_on <= today <= campaign.ends_on,
        "can_edit": request.user.role in COORDINATOR,
        "history": Event.objects.for_object(campaign)[:30],
    }
    partial = request.headers.get("HX-Request")
    template = "activities/campaign/_board.html" if partial else "activities/campaign/board.html"
    return render(request, template, context)


def board_sheets(board: counting.Board) -> list[tuple[str, list[str], list[list]]]:
    """The campaign summary for the annual report: per unit, per commune, units with nothing."""
    counts = [
        _("Số hoạt động"),
        _("Lễ phát động"),
        _("Sự kiện truyền thông"),
        _("Lớp tập huấn"),
        _("Tin, bài"),
        _("Nam"),
        _("Nữ"),
        _("Tổng số người"),
        _("Người dân tộc thiểu số"),
        _("Kinh phí (đồng)"),
    ]
    keys = [
        "activities",
        "launches",
        "events",
        "trainings",
        "media",
        "male",
        "female",
        "participants",
        "ethnic",
        "cost",
    ]
    totals = [[_("Tổng cộng"), *(board.totals[k] for k in keys)]]
    if board.partial:
        totals.append([_("Toàn tỉnh"), *(board.province[k] for k in keys)])
    sheets = [
        (
            _("Theo đơn vị"),
            [_("Đơn vị"), *counts],
            [[r["unit"].name, *(r[k] for k in keys)] for r in board.by_unit] + totals,
        ),
        (
            _("Theo xã, phường"),
            [_("Xã, phường"), *counts],
            [
                [r["unit"].name if r["unit"] else _("Không ghi địa bàn"), *(r[k] for k in keys)]
                for r in board.by_commune
            ],
        ),
    ]
    if board.silent is not None:  # not partial: the whole province, with its silent units
        sheets.append(
            (
                _("Chưa ghi nhận"),
                [_("Mã"), _("Đơn vị chưa ghi nhận hoạt động nào")],
                [[u.code, u.name] for u in board.silent],
            )
        )
    return sheets


@allow(READERS)
def campaign_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
    board = counting.campaign_board(campaign, request.user)
    data = workbook_bytes(board_sheets(board))
    return xlsx_response(f"thang-hanh-dong-{campaign.year}.xlsx", data)
