"""Writes of case work that touch several records or have side effects (audit, notifications,
state changes). Each runs in one transaction with its audit events."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import ConcurrentEdit, snapshot
from core.notifications import notify
from core.roles import Role

from . import services_referrals
from .audit import log, save_logged
from .forms.cases import mapping_state
from .models import BreakGlass, Case, CaseStatus, Consent, HarmMapping, Referral, ReferralStatus

SURVIVOR_FIELDS = [
    "name",
    "birth_date",
    "phone",
    "address",
    "sex",
    "age_band",
    "ethnic_group",
    "disability",
]
CASE_FIELDS = ["risk", "safety_plan", "case_plan", "opened_on", "owner", "agency", "survivor"]
CONSENT_FIELDS = ["purpose", "agency", "given_by", "method", "given_on", "expires_on"]
# Recorded in the break-glass event when the case's agency has no one to alert.
NOBODY_ALERTED = "không có người giám sát để báo"
CLOSURE_FIELDS = [
    "status",
    "closure_reason",
    "closure_note",
    "closure_requested_by",
    "closed_by",
    "closed_at",
]


def supervisors_of(case: Case):
    return User.objects.filter(
        role=Role.CASE_SUPERVISOR, unit_id=case.agency_id, is_active=True
    ).order_by("pk")


def manages(user, case: Case) -> bool:
    """The owner and the supervisors of the case's agency run it (close, reopen)."""
    return case.owner_id == user.pk or case.overseen_by(user)


def approves(user, case: Case) -> bool:
    """Closure needs a second person: a supervisor of the agency other than the requester."""
    return case.overseen_by(user) and case.closure_requested_by_id != user.pk


def _notify(users, text: str, case: Case) -> None:
    notify(users, text=text, url=reverse("cases:case", kwargs={"pk": case.pk}))


@transaction.atomic
def register_case(*, request, survivor, case, consent: dict) -> Case:
    """Survivor, case and the consents given at registration, each audited."""
    agency = request.user.unit
    survivor.agency = agency
    save_logged(request, survivor, SURVIVOR_FIELDS)
    case.survivor, case.agency = survivor, agency
    save_logged(request, case, CASE_FIELDS)
    for purpose in consent["purposes"]:
        record = Consent(
            case=case,
            purpose=purpose,
            given_by=consent["given_by"],
            method=consent["method"],
            given_on=consent["given_on"],
            recorded_by=request.user,
        )
        save_logged(request, record, CONSENT_FIELDS)
    return case


def _locked(model, pk, expected):
    current = model.objects.select_for_update().get(pk=pk)
    if expected is not None and current.version != expected:
        raise ConcurrentEdit(current)
    return current


@transaction.atomic
def save_versioned(*, request, obj, fields, before, expected) -> None:
    """Save an edited case or incident unless someone saved it after `expected`."""
    obj.version = _locked(type(obj), obj.pk, expected).version
    save_logged(request, obj, fields, before=before)


@transaction.atomic
def update_survivor(*, request, survivor, case: Case, before, expected) -> None:
    """Survivor has no version: the case's stands for it, and a survivor edit moves it on."""
    _locked(Case, case.pk, expected)
    save_logged(request, survivor, SURVIVOR_FIELDS, before=before)
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)


def _closure_step(request, case: Case, status_from: str, message: str, **changes) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != status_from:
        raise ValidationError(message)
    before = snapshot(case, CLOSURE_FIELDS)
    for name, value in changes.items():
        setattr(case, name, value)
    save_logged(request, case, CLOSURE_FIELDS, before=before)
    return case


@transaction.atomic
def request_closure(*, request, case: Case, reason: str, note: str) -> None:
    if not manages(request.user, case):
        raise PermissionDenied
    case = _closure_step(
        request,
        case,
        CaseStatus.OPEN,
        _("Chỉ hồ sơ đang hỗ trợ mới đề nghị đóng được."),
        status=CaseStatus.CLOSING,
        closure_reason=reason,
        closure_note=note,
        closure_requested_by=request.user,
    )
    text = _("Hồ sơ %(code)s chờ duyệt đóng (đề nghị của %(user)s).") % {
        "code": case.code,
        "user": request.user,
    }
    _notify(supervisors_of(case).exclude(pk=request.user.pk), text, case)


@transaction.atomic
def approve_closure(*, request, case: Case) -> None:
    if not approves(request.user, case):
        raise PermissionDenied
    case = _closure_step(
        request,
        case,
        CaseStatus.CLOSING,
        _("Hồ sơ không ở trạng thái chờ duyệt đóng."),
        status=CaseStatus.CLOSED,
        closed_by=request.user,
        closed_at=timezone.now(),
    )
    _notify(
        [case.closure_requested_by],
        _("Hồ sơ %(code)s đã được duyệt đóng.") % {"code": case.code},
        case,
    )


@transaction.atomic
def reject_closure(*, request, case: Case, reason: str) -> None:
    """Back to open; the supervisor's reason replaces the closure note (Case has no other field
    for it) and the requester is told."""
    if not approves(request.user, case):
        raise PermissionDenied
    requester = case.closure_requested_by
    case = _closure_step(
        request,
        case,
        CaseStatus.CLOSING,
        _("Hồ sơ không ở trạng thái chờ duyệt đóng."),
        status=CaseStatus.OPEN,
        closure_reason="",
        closure_note=reason,
        closure_requested_by=None,
    )
    _notify(
        [requester], _("Đề nghị đóng hồ sơ %(code)s không được duyệt.") % {"code": case.code}, case
    )


@transaction.atomic
def reopen_case(*, request, case: Case, reason: str) -> None:
    if not manages(request.user, case):
        raise PermissionDenied
    _closure_step(
        request,
        case,
        CaseStatus.CLOSED,
        _("Chỉ mở lại được hồ sơ đã đóng."),
        status=CaseStatus.OPEN,
        closure_reason="",
        closure_note=reason,
        closure_requested_by=None,
        closed_by=None,
        closed_at=None,
    )


@transaction.atomic
def withdraw_consent(*, request, consent: Consent, note: str) -> int:
    """Withdraw `consent` and cancel the active referrals that rest on it (those made by override
    had no consent and go on); returns how many were cancelled."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ValidationError(_("Sự đồng ý này đã được rút lại trước đó."))
    before = snapshot(consent, ["withdrawn_at"])
    consent.withdrawn_at, consent.withdrawal_note = timezone.now(), note
    # The note is free text (not encrypted): the log records only the time.
    save_logged(request, consent, ["withdrawn_at"], before=before)
    relying = list(
        Referral.objects.select_for_update()
        .filter(consent=consent, status__in=Referral.ACTIVE)
        .order_by("pk")
    )
    for referral in relying:
        services_referrals.respond_to_referral(
            request=request,
            referral=referral,
            status=ReferralStatus.CANCELLED,
            expected_version=None,
            note=_("Sự đồng ý đã bị rút lại"),
        )
    return len(relying)


@transaction.atomic
def open_break_glass(*, request, case: Case, reason: str) -> tuple[BreakGlass, bool]:
    """Time-limited, read-only access to a case outside the user's scope; its supervisors are
    alerted. Returns the grant and whether anyone was alerted (the event records it if not)."""
    hours = getattr(settings, "GBV_BREAK_GLASS_HOURS", 4)
    glass = BreakGlass.objects.create(
        user=request.user,
        case=case,
        reason=reason,
        expires_at=timezone.now() + datetime.timedelta(hours=hours),
    )
    until = formats.date_format(timezone.localtime(glass.expires_at), "DATETIME_FORMAT")
    supervisors = list(supervisors_of(case))
    changes = {"expires_at": [None, until]}
    if not supervisors:
        changes["alerted"] = [None, NOBODY_ALERTED]
    log(request, Action.BREAK_GLASS, glass, changes=changes)
    text = _("%(user)s (%(unit)s) đã mở truy cập khẩn cấp hồ sơ %(code)s đến %(until)s.") % {
        "user": request.user,
        "unit": request.user.unit,
        "code": case.code,
        "until": until,
    }
    _notify(supervisors, text, case)
    return glass, bool(supervisors)


@transaction.atomic
def revoke_break_glass(*, request, glass: BreakGlass) -> BreakGlass:
    """End an active grant now (it expires); the holder is told."""
    glass = BreakGlass.objects.select_for_update().select_related("case").get(pk=glass.pk)
    if not glass.case.overseen_by(request.user):
        raise PermissionDenied
    now = timezone.now()
    if glass.expires_at <= now:
        raise ValidationError(_("Truy cập khẩn cấp này đã kết thúc."))
    before = formats.date_format(timezone.localtime(glass.expires_at), "DATETIME_FORMAT")
    glass.expires_at = now
    glass.save(update_fields=["expires_at"])
    after = formats.date_format(timezone.localtime(now), "DATETIME_FORMAT")
    log(request, Action.UPDATE, glass, changes={"expires_at": [before, after]})
    text = _("%(user)s đã chấm dứt truy cập khẩn cấp của bạn vào hồ sơ %(code)s.") % {
        "user": request.user,
        "code": glass.case.code,
    }
    notify([glass.user], text=text, url=reverse("cases:list"))
    return glass


@transaction.atomic
def save_harm_mapping(*, request, chosen: dict, expected: str) -> int:
    """Save the changed rows of the mapping, refusing if it changed since the user saw it."""
    current = {m.incident_type: m for m in HarmMapping.objects.select_for_update()}
    if mapping_state({k: m.harm_form for k, m in current.items()}) != expected:
        raise ConcurrentEdit({k: m.harm_form for k, m in current.items()})
    changed = 0
    for incident_type, harm_form in chosen.items():
        mapping = current.get(incident_type) or HarmMapping(incident_type=incident_type)
        if mapping.pk and mapping.harm_form == harm_form:
            continue
        before = snapshot(mapping, ["harm_form"]) if mapping.pk else None
        mapping.harm_form = harm_form
        save_logged(request, mapping, ["incident_type", "harm_form"], before=before)
        changed += 1
    return changed
