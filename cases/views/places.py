"""The registry of trusted addresses, shelters and one-stop centres, and the stays in them.

Every case role sees the registry (name, type, commune, free places) to refer survivors; a place's
location and contact only its staff and the owners of cases staying there (Place.shows_location).
So only a place's staff admit a stay (a case referred to them for shelter, or their own): anyone
else could place a case of theirs to learn the location. Others refer the case for shelter.
Case supervisors keep the registry: they add places hosted by their own unit and edit those."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedRequest
from accounts.models import User
from audit.services import ConcurrentEdit
from core.access import allow
from core.roles import Role
from core.widgets import shown

from ..access import case_roles, require_writable
from ..forms.places import DischargeForm, PlaceFilterForm, PlaceForm, StayForm
from ..models import Place, Stay
from ..services import places as services
from ..services.reads import record_read

SUPERVISORS = {Role.CASE_SUPERVISOR}


def _places(user: User) -> QuerySet:
    return (
        Place.objects.for_user(user)
        .with_occupancy()
        .annotate(free=F("capacity") - F("occupancy"))
        .select_related("commune", "host")
    )


@case_roles
def place_list(request: AuthenticatedRequest) -> HttpResponse:
    form = PlaceFilterForm(request.GET or None)
    context = {
        "places": form.filter(_places(request.user)),
        "form": form,
        "can_add": request.user.role in SUPERVISORS,
    }
    record_read(actor=request.user, label="cases:places", request=request)
    return render(request, "cases/place/list.html", context)


@case_roles
def place_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    place = get_object_or_404(_places(user), pk=pk)
    stays = place.stays.select_related("case").order_by("discharged_on", "-admitted_on")
    if not place.staff.filter(pk=user.pk).exists():
        stays = stays.filter(case__owner=user)
    context = {
        "place": place,
        "shows_location": place.shows_location(user),
        "stays": stays,
        "can_edit": user.role in SUPERVISORS and place.host_id == user.unit_id,
        "can_admit": place.active and StayForm(place=place, user=user).may_admit,
    }
    record_read(actor=request.user, obj=place, request=request)
    return render(request, "cases/place/detail.html", context)


def _save_place(request: AuthenticatedRequest, form: PlaceForm) -> Place | None:
    """The saved place, or None when someone saved it meanwhile (the form says so)."""
    try:
        return services.save_place(actor=request.user, form=form, request=request)
    except ConcurrentEdit as conflict:
        current = conflict.current
        summary = _("%(name)s, sức chứa %(capacity)s") % {
            "name": current.name,
            "capacity": current.capacity,
        }
        form.mark_conflict(current, summary)
        return None


@allow(SUPERVISORS)
def place_new(request: AuthenticatedRequest) -> HttpResponse:
    form = PlaceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        place = services.save_place(actor=request.user, form=form, request=request)
        messages.success(
            request,
            _("Đã thêm “%(name)s” vào danh sách địa chỉ tin cậy, nơi tạm lánh.")
            % {"name": place.name},
        )
        return redirect("cases:place", pk=place.pk)
    return render(request, "cases/place/form.html", {"form": form})


@allow(SUPERVISORS)
def place_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    places = Place.objects.for_user(request.user).filter(host_id=request.user.unit_id)
    place = get_object_or_404(places, pk=pk)
    form = PlaceForm(request.POST or None, instance=place, user=request.user)
    if request.method == "POST" and form.is_valid() and _save_place(request, form):
        messages.success(request, _("Đã lưu thông tin của “%(name)s”.") % {"name": place.name})
        return redirect("cases:place", pk=place.pk)
    record_read(actor=request.user, obj=place, request=request)
    return render(request, "cases/place/form.html", {"form": form, "place": place})


@case_roles
def stay_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(_places(request.user), pk=pk)
    form = StayForm(request.POST or None, place=place, user=request.user)
    if not form.may_admit:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            stay = services.admit(
                actor=request.user, place=place, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Đã tiếp nhận hồ sơ %(code)s vào “%(place)s” ngày %(day)s.")
                % {"code": stay.case.code, "place": place.name, "day": shown(stay.admitted_on)},
            )
            return redirect("cases:place", pk=place.pk)
    record_read(actor=request.user, obj=place, request=request)
    return render(request, "cases/place/stay_form.html", {"form": form, "place": place})


@case_roles
def stay_discharge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    stays = Stay.objects.for_user(request.user).current().select_related("place", "case")
    stay = get_object_or_404(stays, pk=pk)
    if not stay.place.staff.filter(pk=request.user.pk).exists():
        require_writable(stay.case.access_for(request.user))
    form = DischargeForm(request.POST or None, stay=stay)
    if request.method == "POST" and form.is_valid():
        try:
            services.discharge(actor=request.user, stay=stay, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Đã ghi nhận hồ sơ %(code)s rời “%(place)s” ngày %(day)s.")
                % {
                    "code": stay.case.code,
                    "place": stay.place.name,
                    "day": shown(form.cleaned_data["discharged_on"]),
                },
            )
            return redirect("cases:place", pk=stay.place_id)
    record_read(actor=request.user, obj=stay, request=request)
    return render(request, "cases/place/discharge_form.html", {"form": form, "stay": stay})
