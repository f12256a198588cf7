"""Referrals between agencies and the service outcomes of a case.

The sender (full access to the case) sees a referral whole; the recipient agency's case roles see
its facts while it is active, and the case only through the packet it shares (cases:case).
Referring, recording a service and cancelling need `Access.can_write` (break-glass only reads).
A referral goes to a unit the service directory lists for the service; the coordinator keeps the
directory (no survivor data in it: case roles and admins read it too)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from audit.services import ConcurrentEdit
from core.access import allow
from core.roles import CASE_ROLES
from core.widgets import shown

from ..access import case_roles, get_case, require_writable
from ..forms.referrals import (
    NotProvidedForm,
    ProvideForm,
    ProviderFilterForm,
    ProviderForm,
    ReasonForm,
    RecipientForm,
    ReferralForm,
    RespondForm,
    ServiceForm,
)
from ..models import (
    DIRECTORY_KEEPERS,
    DIRECTORY_READERS,
    ConsentPurpose,
    Outcome,
    Referral,
    ReferralStatus,
    ServiceProvider,
    ServiceType,
    Share,
)
from ..services import directory
from ..services import referrals as services
from ..services.reads import record_read

# A step on a referral: the forms that say what it adds to services.respond_to_referral.
StepForm = RespondForm | ReasonForm | ProvideForm | NotProvidedForm

# The recipient's steps: action → (form, new status).
RESPONSES: dict[str, tuple[type[StepForm], str]] = {
    "accept": (RespondForm, ReferralStatus.ACCEPTED),
    "decline": (ReasonForm, ReferralStatus.DECLINED),
    "provide": (ProvideForm, ReferralStatus.PROVIDED),
    "not_provided": (NotProvidedForm, ReferralStatus.NOT_PROVIDED),
}


def _referrals(user: User) -> QuerySet:
    return Referral.objects.for_user(user).select_related("case", "from_agency", "to_agency")


@case_roles
def referral_list(request: AuthenticatedRequest) -> HttpResponse:
    unit = request.user.unit_id
    active_first = models.Case(
        models.When(status__in=Referral.ACTIVE, then=0),
        default=1,
        output_field=models.IntegerField(),
    )
    context = {
        "sent": _referrals(request.user).exclude(to_agency_id=unit).order_by(active_first)[:200],
        "received": _referrals(request.user).filter(to_agency_id=unit, status__in=Referral.ACTIVE),
    }
    record_read(actor=request.user, label="cases:referrals", request=request)
    return render(request, "cases/referral/list.html", context)


@case_roles
def referral_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case, access = get_case(request, pk)
    if not access.can_write:
        raise PermissionDenied
    form = ReferralForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid() and "back" not in request.POST:
        if "confirm" in request.POST:
            try:
                referral = services.refer_case(
                    actor=request.user, request=request, case=case, **form.referral_data()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Đã chuyển gửi hồ sơ %(code)s đến %(agency)s (%(service)s).")
                    % {
                        "code": case.code,
                        "agency": referral.to_agency.name,
                        "service": referral.get_service_type_display(),
                    },
                )
                return redirect("cases:referral", pk=referral.pk)
        else:
            record_read(actor=request.user, obj=case, request=request)
            return render(request, "cases/referral/confirm.html", {"case": case, "form": form})
    record_read(actor=request.user, obj=case, request=request)
    consents = case.consents.valid().filter(purpose=ConsentPurpose.REFERRAL)
    context = {"case": case, "form": form, "consents": consents.select_related("agency")}
    return render(request, "cases/referral/form.html", context)


def _actions(referral: Referral, user: User) -> dict:
    """An empty form for each step the user may take now."""
    steps = {}
    if referral.is_active and referral.to_agency_id == user.unit_id:
        steps = {
            action: form_class
            for action, (form_class, status) in RESPONSES.items()
            if referral.status in services.TRANSITIONS[status]
        }
    access = referral.case.access_for(user)
    if referral.is_active and access is not None and access.can_write:
        steps["cancel"] = ReasonForm
    return {
        action: form_class(version=referral.version, auto_id=f"{action}-%s")
        for action, form_class in steps.items()
    }


def _detail(
    request: AuthenticatedRequest, referral: Referral, bound: dict | None = None
) -> HttpResponse:
    """The referral page; `bound` holds a form the user sent that was refused."""
    access = referral.case.access_for(request.user)
    actions = {**_actions(referral, request.user), **(bound or {})}
    record_read(actor=request.user, obj=referral, request=request)
    context = {
        "referral": referral,
        "is_sender": access is not None and access.full,
        "actions": actions,
        "shared": [Share(s).label for s in referral.shares],
        "services": referral.services.select_related("agency"),
    }
    return render(request, "cases/referral/detail.html", context)


@case_roles
def referral_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(_referrals(request.user), pk=pk))


def _respond(
    request: AuthenticatedRequest, referral: Referral, action: str, form: StepForm, status: str
) -> HttpResponse:
    """Apply a step (the form is valid); the page again with the reason when it is refused."""
    try:
        services.respond_to_referral(
            actor=request.user,
            request=request,
            referral=referral,
            status=status,
            expected_version=form.cleaned_data.get("expected_version"),
            **form.response(),
        )
    except ConcurrentEdit as conflict:
        form.mark_conflict(conflict.current, conflict.current.get_status_display())
    except ValidationError as error:
        form.add_error(None, error)
    else:
        done = _("Chuyển gửi hồ sơ %(code)s: %(status)s.") % {
            "code": referral.case.code,
            "status": ReferralStatus(status).label,
        }
        if _referrals(request.user).filter(pk=referral.pk).exists():
            messages.success(request, done)
            return redirect("cases:referral", pk=referral.pk)
        ended = _("Chuyển gửi đã kết thúc: cơ quan bạn không còn xem được hồ sơ này.")
        messages.success(request, f"{done} {ended}")
        return redirect("cases:referrals")
    current = _referrals(request.user).filter(pk=referral.pk).first()
    if current is None:  # ended meanwhile: no longer the recipient's to see
        messages.error(request, _("Chuyển gửi này vừa kết thúc, không còn ở cơ quan bạn."))
        return redirect("cases:referrals")
    return _detail(request, current, {action: form})


@require_POST
@case_roles
def referral_respond(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    """A step of the recipient agency's case roles, while the referral is active."""
    referrals = _referrals(request.user).filter(
        to_agency_id=request.user.unit_id, status__in=Referral.ACTIVE
    )
    referral = get_object_or_404(referrals, pk=pk)
    form_class, status = RESPONSES[action]
    form = form_class(request.POST, auto_id=f"{action}-%s")
    if not form.is_valid():
        return _detail(request, referral, {action: form})
    return _respond(request, referral, action, form, status)


@require_POST
@case_roles
def referral_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(_referrals(request.user).filter(status__in=Referral.ACTIVE), pk=pk)
    require_writable(referral.case.access_for(request.user))
    form = ReasonForm(request.POST, auto_id="cancel-%s")
    if not form.is_valid():
        return _detail(request, referral, {"cancel": form})
    return _respond(request, referral, "cancel", form, ReferralStatus.CANCELLED)


@case_roles
def service_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case, access = get_case(request, pk)
    if not access.can_write:
        raise PermissionDenied
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.record_service(actor=request.user, case=case, request=request, **form.cleaned_data)
        messages.success(
            request,
            _("Đã ghi nhận dịch vụ %(service)s ngày %(day)s cho hồ sơ %(code)s: %(outcome)s.")
            % {
                "service": ServiceType(form.cleaned_data["service_type"]).label,
                "day": shown(form.cleaned_data["on"]),
                "code": case.code,
                "outcome": Outcome(form.cleaned_data["outcome"]).label,
            },
        )
        return redirect("cases:case", pk=case.pk)
    record_read(actor=request.user, obj=case, request=request)
    return render(request, "cases/referral/service_form.html", {"case": case, "form": form})


@case_roles
def referral_recipients(request: AuthenticatedRequest) -> HttpResponse:
    """The recipient list for the service chosen on the referral form (htmx); reads no case."""
    form = RecipientForm(request.GET, user=request.user)
    return render(request, "cases/referral/_recipients.html", {"form": form})


@allow(DIRECTORY_READERS)
def provider_list(request: AuthenticatedRequest) -> HttpResponse:
    """The service directory, filterable; the coordinator adds entries here."""
    can_edit = request.user.role in DIRECTORY_KEEPERS
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            provider = directory.add_provider(
                actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã thêm vào danh bạ dịch vụ: %(p)s.") % {"p": provider})
            return redirect("cases:providers")
    filters = ProviderFilterForm(request.GET or None)
    providers = ServiceProvider.objects.for_user(request.user).select_related("unit")
    context = {
        "providers": filters.filter(providers),
        "filters": filters,
        "form": form,
        "can_edit": can_edit,
        "case_nav": request.user.role in CASE_ROLES,
    }
    return render(request, "cases/referral/providers.html", context)


@require_POST
@allow(DIRECTORY_KEEPERS)
def provider_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Stop an entry (no new referral to it) or resume it."""
    provider = get_object_or_404(ServiceProvider.objects.for_user(request.user), pk=pk)
    try:
        version = int(request.POST.get("expected_version", ""))
    except ValueError:
        version = -1
    try:
        current = directory.set_provider_active(
            actor=request.user,
            request=request,
            provider=provider,
            active=not provider.active,
            expected_version=version,
        )
    except ConcurrentEdit:
        messages.error(
            request, _("Mục này vừa được người khác thay đổi: hãy xem lại rồi thao tác lại.")
        )
    else:
        done = (
            _("Đã ngừng nhận chuyển gửi mới: %(p)s.")
            if not current.active
            else _("Đã nhận chuyển gửi trở lại: %(p)s.")
        )
        messages.success(request, done % {"p": current})
    return redirect("cases:providers")
