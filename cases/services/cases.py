"""Writes of case work: registration, the case's plans, the survivor, incidents, consents,
follow-ups, closure (a second person approves), break-glass, and the harm mapping. Each runs in
one transaction with its audit events, saved through audit.services.save_audited (encrypted
values masked in the log, docs/security.md); notifications name the case by code only."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.models import Action
from audit.services import ConcurrentEdit, record_event, save_audited
from core.notifications import notify
from core.roles import Role

from ..models import (
    BreakGlass,
    Case,
    CaseStatus,
    Consent,
    FollowUp,
    HarmMapping,
    Incident,
    Referral,
    ReferralStatus,
    Survivor,
    mapping_state,
)
from . import referrals

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
PLAN_FIELDS = ["risk", "safety_plan", "case_plan"]
INCIDENT_FIELDS = [
    "occurred_on",
    "place_type",
    "commune",
    "survivor_age_band",
    "perpetrator_relationship",
    "perpetrator_sex",
    "perpetrator_age_band",
    "perpetrator_prosecuted",
    "perpetrator_counselled",
    "reported_elsewhere",
    "narrative",
    "answers",
    "incident_type",
    "flags",
]
CONSENT_FIELDS = ["purpose", "agency", "given_by", "method", "given_on", "expires_on"]
FOLLOW_UP_FIELDS = ["due_on", "purpose"]
FOLLOW_UP_DONE_FIELDS = ["done_at", "note"]
FOLLOW_UP_DONE = gettext_lazy("Lần theo dõi này đã được ghi kết quả.")
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


def supervisors_of(case: Case) -> QuerySet:
    return User.objects.filter(
        role=Role.CASE_SUPERVISOR, unit_id=case.agency_id, is_active=True
    ).order_by("pk")


def manages(user: User, case: Case) -> bool:
    """The owner and the supervisors of the case's agency run it (close, reopen)."""
    return case.owner_id == user.pk or case.overseen_by(user)


def approves(user: User, case: Case) -> bool:
    """Closure needs a second person: a supervisor of the agency other than the requester."""
    return case.overseen_by(user) and case.closure_requested_by_id != user.pk


def _notify(users: Iterable[User | None], text: str, case: Case) -> None:
    """Tell `users` (None skipped, by core.notifications.notify) about the case."""
    notify(users, text=text, url=reverse("cases:case", kwargs={"pk": case.pk}))


@transaction.atomic
def register_case(
    *,
    actor: User,
    survivor: Survivor,
    case: Case,
    consent: dict,
    request: HttpRequest | None = None,
) -> Case:
    """Survivor, case and the consents given at registration, each audited."""
    agency = actor.unit
    assert agency is not None  # a case role has a unit (User's check constraint)
    survivor.agency = agency
    save_audited(actor=actor, obj=survivor, fields=SURVIVOR_FIELDS, request=request)
    case.survivor, case.agency = survivor, agency
    save_audited(actor=actor, obj=case, fields=CASE_FIELDS, request=request)
    for purpose in consent["purposes"]:
        record = Consent(
            case=case,
            purpose=purpose,
            given_by=consent["given_by"],
            method=consent["method"],
            given_on=consent["given_on"],
            recorded_by=actor,
        )
        save_audited(actor=actor, obj=record, fields=CONSENT_FIELDS, request=request)
    return case


def update_plan(*, actor: User, form: ModelForm, request: HttpRequest | None = None) -> Case:
    """The case's risk and plans (CaseForm), unless someone saved the case after the user's
    version (ConcurrentEdit)."""
    return save_audited(actor=actor, form=form, fields=PLAN_FIELDS, request=request)


@transaction.atomic
def update_survivor(
    *, actor: User, form: ModelForm, case: Case, request: HttpRequest | None = None
) -> Survivor:
    """The survivor (SurvivorEditForm). Survivor has no version: the case's stands for it, and a
    survivor edit moves it on."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    expected = form.cleaned_data.get("expected_version")
    if expected is not None and current.version != expected:
        raise ConcurrentEdit(current)
    survivor = save_audited(actor=actor, form=form, fields=SURVIVOR_FIELDS, request=request)
    Case.objects.filter(pk=case.pk).update(version=F("version") + 1)
    return survivor


def save_incident(*, actor: User, form: ModelForm, request: HttpRequest | None = None) -> Incident:
    """A new or edited incident (IncidentForm): its type and flags follow from the answers
    (Incident.derive); an edit of a stale version is refused (ConcurrentEdit)."""
    return save_audited(actor=actor, form=form, fields=INCIDENT_FIELDS, request=request)


def add_consent(*, actor: User, form: ModelForm, request: HttpRequest | None = None) -> Consent:
    """A consent recorded on a case (ConsentForm on a Consent of the case and recorder)."""
    return save_audited(actor=actor, form=form, fields=CONSENT_FIELDS, request=request)


def add_follow_up(*, actor: User, form: ModelForm, request: HttpRequest | None = None) -> FollowUp:
    """A follow-up set on a case (FollowUpForm on a FollowUp of the case and its creator)."""
    return save_audited(actor=actor, form=form, fields=FOLLOW_UP_FIELDS, request=request)


@transaction.atomic
def complete_follow_up(
    *, actor: User, follow_up: FollowUp, note: str, request: HttpRequest | None = None
) -> FollowUp:
    """Record the result of a follow-up, once."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_at is not None:
        raise ValidationError(FOLLOW_UP_DONE)
    follow_up.done_at, follow_up.note = timezone.now(), note
    return save_audited(actor=actor, obj=follow_up, fields=FOLLOW_UP_DONE_FIELDS, request=request)


def _closure_step(
    actor: User, request: HttpRequest | None, case: Case, status_from: str, message: str, **changes
) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != status_from:
        raise ValidationError(message)
    for name, value in changes.items():
        setattr(case, name, value)
    return save_audited(actor=actor, obj=case, fields=CLOSURE_FIELDS, request=request)


@transaction.atomic
def request_closure(
    *, actor: User, case: Case, reason: str, note: str, request: HttpRequest | None = None
) -> None:
    if not manages(actor, case):
        raise PermissionDenied
    case = _closure_step(
        actor,
        request,
        case,
        CaseStatus.OPEN,
        _("Chỉ hồ sơ đang hỗ trợ mới đề nghị đóng được."),
        status=CaseStatus.CLOSING,
        closure_reason=reason,
        closure_note=note,
        closure_requested_by=actor,
    )
    text = _("Hồ sơ %(code)s chờ duyệt đóng (đề nghị của %(user)s).") % {
        "code": case.code,
        "user": actor,
    }
    _notify(supervisors_of(case).exclude(pk=actor.pk), text, case)


@transaction.atomic
def approve_closure(*, actor: User, case: Case, request: HttpRequest | None = None) -> None:
    if not approves(actor, case):
        raise PermissionDenied
    case = _closure_step(
        actor,
        request,
        case,
        CaseStatus.CLOSING,
        _("Hồ sơ không ở trạng thái chờ duyệt đóng."),
        status=CaseStatus.CLOSED,
        closed_by=actor,
        closed_at=timezone.now(),
    )
    _notify(
        [case.closure_requested_by],
        _("Hồ sơ %(code)s đã được duyệt đóng.") % {"code": case.code},
        case,
    )


@transaction.atomic
def reject_closure(
    *, actor: User, case: Case, reason: str, request: HttpRequest | None = None
) -> None:
    """Back to open; the supervisor's reason replaces the closure note (Case has no other field
    for it) and the requester is told."""
    if not approves(actor, case):
        raise PermissionDenied
    requester = case.closure_requested_by
    case = _closure_step(
        actor,
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
def reopen_case(
    *, actor: User, case: Case, reason: str, request: HttpRequest | None = None
) -> None:
    if not manages(actor, case):
        raise PermissionDenied
    _closure_step(
        actor,
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
def withdraw_consent(
    *, actor: User, consent: Consent, note: str, request: HttpRequest | None = None
) -> int:
    """Withdraw `consent` and cancel the active referrals that rest on it (those made by override
    had no consent and go on); returns how many were cancelled."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ValidationError(_("Sự đồng ý này đã được rút lại trước đó."))
    consent.withdrawn_at, consent.withdrawal_note = timezone.now(), note
    # The log records only the time of the withdrawal, never the note.
    save_audited(actor=actor, obj=consent, fields=["withdrawn_at"], request=request)
    relying = list(
        Referral.objects.select_for_update()
        .filter(consent=consent, status__in=Referral.ACTIVE)
        .order_by("pk")
    )
    for referral in relying:
        referrals.respond_to_referral(
            actor=actor,
            request=request,
            referral=referral,
            status=ReferralStatus.CANCELLED,
            expected_version=None,
            note=_("Sự đồng ý đã bị rút lại"),
        )
    return len(relying)


@transaction.atomic
def open_break_glass(
    *, actor: User, case: Case, reason: str, request: HttpRequest | None = None
) -> tuple[BreakGlass, bool]:
    """Time-limited, read-only access to a case outside the user's scope; its supervisors are
    alerted. Returns the grant and whether anyone was alerted (the event records it if not)."""
    hours = getattr(settings, "GBV_BREAK_GLASS_HOURS", 4)
    glass = BreakGlass.objects.create(
        user=actor,
        case=case,
        reason=reason,
        expires_at=timezone.now() + datetime.timedelta(hours=hours),
    )
    until = formats.date_format(timezone.localtime(glass.expires_at), "DATETIME_FORMAT")
    supervisors = list(supervisors_of(case))
    changes = {"expires_at": [None, until]}
    if not supervisors:
        changes["alerted"] = [None, NOBODY_ALERTED]
    record_event(
        actor=actor, action=Action.BREAK_GLASS, obj=glass, changes=changes, request=request
    )
    text = _("%(user)s (%(unit)s) đã mở truy cập khẩn cấp hồ sơ %(code)s đến %(until)s.") % {
        "user": actor,
        "unit": actor.unit,
        "code": case.code,
        "until": until,
    }
    _notify(supervisors, text, case)
    return glass, bool(supervisors)


@transaction.atomic
def revoke_break_glass(
    *, actor: User, glass: BreakGlass, request: HttpRequest | None = None
) -> BreakGlass:
    """End an active grant now (it expires); the holder is told."""
    glass = BreakGlass.objects.select_for_update().select_related("case").get(pk=glass.pk)
    if not glass.case.overseen_by(actor):
        raise PermissionDenied
    now = timezone.now()
    if glass.expires_at <= now:
        raise ValidationError(_("Truy cập khẩn cấp này đã kết thúc."))
    before = formats.date_format(timezone.localtime(glass.expires_at), "DATETIME_FORMAT")
    glass.expires_at = now
    glass.save(update_fields=["expires_at"])
    after = formats.date_format(timezone.localtime(now), "DATETIME_FORMAT")
    record_event(
        actor=actor,
        action=Action.UPDATE,
        obj=glass,
        changes={"expires_at": [before, after]},
        request=request,
    )
    text = _("%(user)s đã chấm dứt truy cập khẩn cấp của bạn vào hồ sơ %(code)s.") % {
        "user": actor,
        "code": glass.case.code,
    }
    notify([glass.user], text=text, url=reverse("cases:list"))
    return glass


@transaction.atomic
def save_harm_mapping(
    *, actor: User, chosen: dict, expected: str, request: HttpRequest | None = None
) -> int:
    """Save the changed rows of the mapping, refusing if it changed since the user saw it."""
    current = {m.incident_type: m for m in HarmMapping.objects.select_for_update()}
    if mapping_state({k: m.harm_form for k, m in current.items()}) != expected:
        raise ConcurrentEdit({k: m.harm_form for k, m in current.items()})
    changed = 0
    for incident_type, harm_form in chosen.items():
        mapping = current.get(incident_type) or HarmMapping(incident_type=incident_type)
        if mapping.pk and mapping.harm_form == harm_form:
            continue
        mapping.harm_form = harm_form
        save_audited(
            actor=actor, obj=mapping, fields=["incident_type", "harm_form"], request=request
        )
        changed += 1
    return changed
