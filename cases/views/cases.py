"""Case work: the caseload, registration, the case page and its records, closure, break-glass.

Every page that shows a case writes one audit event (VIEW, or REVEAL when it shows the survivor's
name, phone or address; cases.services.reads); every change writes its own through the services
of cases.services.cases, never with the protected values (docs/security.md). Changes need
`Access.can_write`: break-glass reads a case, never changes it (403)."""

import datetime
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from audit.models import Action
from audit.services import ConcurrentEdit
from core.access import allow
from core.roles import Role
from core.widgets import shown

from .. import selectors
from ..access import case_roles, get_case, require_writable
from ..forms.cases import (
    BreakGlassForm,
    CaseFilterForm,
    CaseForm,
    CaseSearchForm,
    ClassificationForm,
    CloseRequestForm,
    ConsentForm,
    FirstConsentForm,
    FollowUpDoneForm,
    FollowUpForm,
    HarmMappingForm,
    IncidentForm,
    NewCaseForm,
    ReasonForm,
    SurvivorEditForm,
    SurvivorForm,
    WithdrawForm,
)
from ..models import (
    Access,
    BreakGlass,
    Case,
    Consent,
    FollowUp,
    HarmForm,
    HarmMapping,
    Incident,
    IncidentType,
    Share,
    Survivor,
)
from ..services import cases as services
from ..services.reads import record_read

NOT_OPENED = gettext_lazy("Không mở được hồ sơ với mã này.")


def _writable_case(request: AuthenticatedRequest, pk: int) -> Case:
    """A case the user may change: fully theirs (owned, or their agency's for a supervisor)."""
    case, access = get_case(request, pk)
    require_writable(access)
    return case


def _page(
    request: AuthenticatedRequest,
    template: str,
    context: dict,
    *,
    obj: Model,
    action: str = Action.VIEW,
) -> HttpResponse:
    record_read(actor=request.user, action=action, obj=obj, request=request)
    return render(request, template, context)


def _form_page(
    request: AuthenticatedRequest,
    case: Case,
    form: forms.BaseForm,
    title: str,
    submit: str,
    *,
    intro: str = "",
) -> HttpResponse:
    context = {"case": case, "form": form, "title": title, "submit": submit, "intro": intro}
    return _page(request, "cases/case/form.html", context, obj=case)


@case_roles
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    cases = selectors.caseload(request.user)
    filters = CaseFilterForm(request.GET)
    cases = filters.filter(cases, today) if filters.is_valid() else cases
    search = CaseSearchForm(request.POST or None)
    if search.is_valid():
        cases = search.filter(cases)
        code = search.cleaned_data["q"]
        record_read(
            actor=request.user,
            action=Action.SEARCH,
            request=request,
            label=f"hồ sơ theo mã {code}",
            changes={"q": [None, code]},
        )
    else:
        record_read(actor=request.user, request=request, label="danh sách hồ sơ")
    context = {
        "page": Paginator(cases, 50).get_page(request.GET.get("page")),
        "filters": filters,
        "search": search,
        "today": today,
        "supervisor": request.user.role == Role.CASE_SUPERVISOR,
    }
    return render(request, "cases/case/list.html", context)


@case_roles
def case_new(request: AuthenticatedRequest) -> HttpResponse:
    data = request.POST or None
    survivor = SurvivorForm(data)
    case = NewCaseForm(data, user=request.user)
    consent = FirstConsentForm(data)
    if request.method == "POST" and all([f.is_valid() for f in (survivor, case, consent)]):
        created = services.register_case(
            actor=request.user,
            request=request,
            survivor=survivor.save(commit=False),
            case=case.save(commit=False),
            consent=consent.cleaned_data,
        )
        messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": created.code})
        return redirect("cases:case", pk=created.pk)
    context = {"survivor": survivor, "case": case, "consent": consent}
    return render(request, "cases/case/new.html", context)


def _born(survivor: Survivor) -> datetime.date | str:
    # Free text in the database (encrypted): shown as it is when it is not a date.
    try:
        return datetime.date.fromisoformat(survivor.birth_date)
    except ValueError:
        return survivor.birth_date


# What the reveal action shows (never printed on a page without it), and how its button names it.
PERSONAL = {
    Share.NAME: gettext_lazy("họ tên, ngày sinh"),
    Share.PHONE: gettext_lazy("điện thoại"),
    Share.ADDRESS: gettext_lazy("địa chỉ"),
}


def _identity(case: Case, access: Access, *, revealed: bool = False) -> dict:
    survivor = case.survivor
    personal = [label for share, label in PERSONAL.items() if access.sees(share)]
    context = {
        "case": case,
        "access": access,
        "survivor": survivor,
        "revealed": revealed,
        "personal": personal,
    }
    if revealed and access.sees(Share.NAME) and survivor.birth_date:
        context["born"] = _born(survivor)
    return context


def _case_context(
    request: AuthenticatedRequest, case: Case, access: Access, *, revealed: bool = False
) -> dict:
    context = {
        **_identity(case, access, revealed=revealed),
        **selectors.case_records(request.user, case, access),
    }
    if not access.full:
        return context
    return {
        **context,
        "today": timezone.localdate(),
        "can_manage": access.can_write and services.manages(request.user, case),
        "can_approve": access.can_write and services.approves(request.user, case),
        "now": timezone.now(),
    }


@case_roles
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case, access = get_case(request, pk)
    context = _case_context(request, case, access)
    return _page(request, "cases/case/detail.html", context, obj=case)


@require_POST
@case_roles
def reveal(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Name, birth date, phone and address (those the user's access shares), on purpose and on
    the record: one action, one audit event (htmx: the identity fragment)."""
    case, access = get_case(request, pk)
    if not any(access.sees(share) for share in PERSONAL):
        raise Http404
    record_read(
        actor=request.user,
        action=Action.REVEAL,
        obj=case.survivor,
        request=request,
        label=f"{case.survivor.code} ({case.code})",
    )
    if request.headers.get("HX-Request"):
        return render(request, "cases/case/_identity.html", _identity(case, access, revealed=True))
    context = _case_context(request, case, access, revealed=True)
    return render(request, "cases/case/detail.html", context)


@case_roles
def case_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    form = CaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(actor=request.user, form=form, request=request)
        except ConcurrentEdit as conflict:
            risk = conflict.current.get_risk_display()
            form.mark_conflict(conflict.current, _("mức độ nguy cơ %(risk)s") % {"risk": risk})
        else:
            messages.success(
                request, _("Đã lưu kế hoạch hỗ trợ của hồ sơ %(code)s.") % {"code": case.code}
            )
            return redirect("cases:case", pk=case.pk)
    return _form_page(request, case, form, _("Sửa kế hoạch hỗ trợ"), _("Lưu"))


@case_roles
def survivor_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    survivor = case.survivor
    form = SurvivorEditForm(request.POST or None, instance=survivor, version=case.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_survivor(actor=request.user, form=form, case=case, request=request)
        except ConcurrentEdit as conflict:
            form.mark_conflict(conflict.current, _("hồ sơ vừa được cập nhật"))
        else:
            messages.success(
                request,
                _("Đã lưu thông tin nạn nhân %(code)s (hồ sơ %(case)s).")
                % {"code": survivor.code, "case": case.code},
            )
            return redirect("cases:case", pk=case.pk)
    context = {"case": case, "form": form}
    # The form shows the name: opening it is a reveal.
    return _page(
        request, "cases/case/survivor_form.html", context, obj=survivor, action=Action.REVEAL
    )


def _incident_page(
    request: AuthenticatedRequest,
    case: Case,
    form: forms.BaseForm,
    incident: Incident | None = None,
) -> HttpResponse:
    context = {"case": case, "form": form, "incident": incident}
    return _page(request, "cases/case/incident_form.html", context, obj=incident or case)


def _incident_done(done: str, incident: Incident) -> str:
    """ "Đã lưu vụ việc ngày 20/11/2026 của hồ sơ …: Tấn công thể chất."."""
    return _("%(done)s ngày %(day)s của hồ sơ %(code)s: %(type)s.") % {
        "done": done,
        "type": incident.get_incident_type_display(),
        "day": shown(incident.occurred_on),
        "code": incident.case.code,
    }


@case_roles
def incident_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    blank = Incident(case=case, survivor_age_band=case.survivor.age_band)
    form = IncidentForm(request.POST or None, instance=blank)
    if request.method == "POST" and form.is_valid():
        saved = services.save_incident(actor=request.user, form=form, request=request)
        messages.success(request, _incident_done(_("Đã ghi nhận vụ việc"), saved))
        return redirect("cases:case", pk=case.pk)
    return _incident_page(request, case, form)


@case_roles
def incident_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(
        Incident.objects.for_user(request.user).select_related("case__survivor"), pk=pk
    )
    case = incident.case
    require_writable(case.access_for(request.user))
    form = IncidentForm(request.POST or None, instance=incident)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_incident(actor=request.user, form=form, request=request)
        except ConcurrentEdit as conflict:
            current = conflict.current
            summary = f"{current.get_incident_type_display()}, {current.occurred_on:%d/%m/%Y}"
            form.mark_conflict(current, summary)
        else:
            messages.success(request, _incident_done(_("Đã lưu vụ việc"), saved))
            return redirect("cases:case", pk=case.pk)
    return _incident_page(request, case, form, incident)


@require_POST
@case_roles
def classify(request: AuthenticatedRequest) -> HttpResponse:
    """The questions still needed and the type they give (htmx); reads no record."""
    form = ClassificationForm(request.POST)
    return render(request, "cases/case/_classification.html", {"form": form, "disclose": True})


@case_roles
def harm_mapping(request: AuthenticatedRequest) -> HttpResponse:
    """GBVIMS type → Law 13/2022 form of harm: not case data, so every case role reads it;
    the agencies' case supervisors keep it."""
    current = HarmMapping.objects.as_dict()
    can_edit = request.user.role == Role.CASE_SUPERVISOR
    form = HarmMappingForm(request.POST or None, current=current)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.save_harm_mapping(
                    actor=request.user,
                    request=request,
                    chosen=form.chosen(),
                    expected=form.cleaned_data["state"],
                )
            except ConcurrentEdit as conflict:
                form.mark_conflict(conflict.current)
            else:
                messages.success(
                    request,
                    _("Đã lưu bảng ánh xạ loại bạo lực (GBVIMS) sang hình thức bạo lực theo Luật."),
                )
                return redirect("cases:harm_mapping")
    rows = [(t.label, HarmForm(current[t]).label if t in current else "—") for t in IncidentType]
    context = {"form": form, "can_edit": can_edit, "rows": rows}
    return render(request, "cases/case/harm_mapping.html", context)


@case_roles
def consent_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    form = ConsentForm(request.POST or None, instance=Consent(case=case, recorded_by=request.user))
    if request.method == "POST" and form.is_valid():
        services.add_consent(actor=request.user, form=form, request=request)
        messages.success(
            request,
            _("Hồ sơ %(code)s: đã ghi nhận sự đồng ý “%(purpose)s”.")
            % {"purpose": form.instance.get_purpose_display(), "code": case.code},
        )
        return redirect("cases:case", pk=case.pk)
    return _form_page(request, case, form, _("Ghi nhận sự đồng ý"), _("Lưu"))


@require_POST
@case_roles
def consent_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consent = get_object_or_404(
        Consent.objects.for_user(request.user).select_related("case"), pk=pk
    )
    require_writable(consent.case.access_for(request.user))
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ghi chú khi rút lại tối đa 300 ký tự."))
        return redirect("cases:case", pk=consent.case_id)
    try:
        ended = services.withdraw_consent(
            actor=request.user, request=request, consent=consent, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = _("Hồ sơ %(code)s: đã ghi nhận việc rút lại sự đồng ý “%(purpose)s”.") % {
            "purpose": consent.get_purpose_display(),
            "code": consent.case.code,
        }
        if ended:
            done += " " + _(
                "Đã kết thúc %(n)s chuyển gửi dựa trên sự đồng ý này: cơ quan nhận không còn "
                "xem được hồ sơ."
            ) % {"n": ended}
        messages.success(request, done)
    return redirect("cases:case", pk=consent.case_id)


@case_roles
def followup_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    form = FollowUpForm(request.POST or None, instance=FollowUp(case=case, created_by=request.user))
    if request.method == "POST" and form.is_valid():
        services.add_follow_up(actor=request.user, form=form, request=request)
        messages.success(
            request,
            _("Đã đặt lịch theo dõi hồ sơ %(code)s, hạn %(day)s.")
            % {"code": case.code, "day": shown(form.instance.due_on)},
        )
        return redirect("cases:case", pk=case.pk)
    return _form_page(request, case, form, _("Đặt lịch theo dõi"), _("Lưu"))


@require_POST
@case_roles
def followup_done(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    cases = Case.objects.for_user(request.user)
    follow_up = get_object_or_404(
        FollowUp.objects.filter(case__in=cases).select_related("case"), pk=pk
    )
    require_writable(follow_up.case.access_for(request.user))
    form = FollowUpDoneForm(request.POST)
    if follow_up.done_at is not None:
        messages.error(request, services.FOLLOW_UP_DONE)
    elif not form.is_valid():
        messages.error(request, " ".join(str(m) for m in form.errors["note"]))
    else:
        note = form.cleaned_data["note"]
        try:
            services.complete_follow_up(
                actor=request.user, follow_up=follow_up, note=note, request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Đã ghi kết quả theo dõi hồ sơ %(code)s (hạn %(day)s).")
                % {"code": follow_up.case.code, "day": shown(follow_up.due_on)},
            )
    return redirect("cases:case", pk=follow_up.case_id)


def _closure(
    request: AuthenticatedRequest, case: Case, step: Callable[..., None], **kwargs
) -> bool:
    try:
        step(actor=request.user, request=request, case=case, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True


@case_roles
def close_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    if not services.manages(request.user, case):
        raise PermissionDenied
    form = CloseRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _closure(
            request, case, services.request_closure, reason=data["reason"], note=data["note"]
        ):
            messages.success(
                request,
                _("Đã gửi đề nghị đóng hồ sơ %(code)s để phụ trách duyệt.") % {"code": case.code},
            )
        return redirect("cases:case", pk=case.pk)
    intro = _("Một phụ trách khác của cơ quan sẽ duyệt đề nghị này.")
    return _form_page(request, case, form, _("Đề nghị đóng hồ sơ"), _("Gửi đề nghị"), intro=intro)


@require_POST
@case_roles
def close_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    if _closure(request, case, services.approve_closure):
        messages.success(request, _("Đã duyệt đóng hồ sơ %(code)s.") % {"code": case.code})
    return redirect("cases:case", pk=case.pk)


@case_roles
def close_reject(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    if not services.approves(request.user, case):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if _closure(request, case, services.reject_closure, reason=reason):
            messages.success(
                request, _("Đã trả lại đề nghị đóng hồ sơ %(code)s.") % {"code": case.code}
            )
        return redirect("cases:case", pk=case.pk)
    return _form_page(request, case, form, _("Không duyệt đóng hồ sơ"), _("Trả lại đề nghị"))


@case_roles
def reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = _writable_case(request, pk)
    if not services.manages(request.user, case):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if _closure(request, case, services.reopen_case, reason=reason):
            messages.success(request, _("Đã mở lại hồ sơ %(code)s.") % {"code": case.code})
        return redirect("cases:case", pk=case.pk)
    return _form_page(request, case, form, _("Mở lại hồ sơ"), _("Mở lại"))


@case_roles
def break_glass(request: AuthenticatedRequest) -> HttpResponse:
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        case = Case.objects.filter(code=code).first()
        if case is not None:
            access = case.access_for(request.user)
            if access is not None and access.full:
                messages.info(request, _("Bạn đã có quyền xem hồ sơ %(code)s.") % {"code": code})
                return redirect("cases:case", pk=case.pk)
            reason = form.cleaned_data["reason"]
            _glass, alerted = services.open_break_glass(
                actor=request.user, request=request, case=case, reason=reason
            )
            if not alerted:
                messages.warning(
                    request,
                    _(
                        "Cơ quan quản lý hồ sơ hiện không có người giám sát nào trên hệ thống: "
                        "không ai được báo về lần truy cập này. Hãy báo trực tiếp cho lãnh đạo "
                        "cơ quan đó."
                    ),
                )
            return redirect("cases:case", pk=case.pk)
        label = f"truy cập khẩn cấp {code}"
        record_read(actor=request.user, action=Action.DENIED, request=request, label=label)
        form.add_error(None, NOT_OPENED)
    hours = getattr(settings, "GBV_BREAK_GLASS_HOURS", 4)
    return render(request, "cases/case/break_glass.html", {"form": form, "hours": hours})


@require_POST
@allow({Role.CASE_SUPERVISOR})
def break_glass_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A supervisor of the case's agency ends someone's break-glass access before it expires."""
    grants = BreakGlass.objects.for_user(request.user).filter(case__agency_id=request.user.unit_id)
    glass = get_object_or_404(grants.select_related("user", "case"), pk=pk)
    try:
        services.revoke_break_glass(actor=request.user, request=request, glass=glass)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Đã chấm dứt truy cập khẩn cấp của %(user)s vào hồ sơ %(code)s.")
            % {"user": glass.user, "code": glass.case.code},
        )
    return redirect("cases:case", pk=glass.case_id)
