"""Writes of the referral pathway: a referral goes to a provider of the service (the directory)
and passes the consent gate, and every step records the GBVIMS service outcome with it.
Audit events name records by id and code only, never an encrypted value (docs/security.md)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import GbvGrant, User
from audit.models import Action
from audit.services import ConcurrentEdit, record_event, save_audited
from core.notifications import notify, site_link
from core.roles import CASE_ROLES
from orgs.models import Unit

from ..models import (
    Case,
    Consent,
    ConsentPurpose,
    Outcome,
    Referral,
    ReferralStatus,
    ServiceRecord,
)
from .directory import check_provider

OVERRIDE_MIN_CHARS = 15
REFERRAL_FIELDS = [
    "case",
    "service_type",
    "from_agency",
    "to_agency",
    "status",
    "shares",
    "consent",
    "override_reason",
    "due_on",
]
RESPONSE_FIELDS = ["status", "responded_by", "responded_at", "response_note", "ended_at"]
SERVICE_FIELDS = ["case", "service_type", "outcome", "on", "agency", "referral", "note"]

# The states a referral may move to, from the states it may leave (keyed by the stored status
# string, which a `ReferralStatus` member equals).
TRANSITIONS: dict[str, set[str]] = {
    ReferralStatus.ACCEPTED: {ReferralStatus.REFERRED},
    ReferralStatus.DECLINED: {ReferralStatus.REFERRED},
    ReferralStatus.PROVIDED: set(Referral.ACTIVE),
    ReferralStatus.NOT_PROVIDED: set(Referral.ACTIVE),
    ReferralStatus.CANCELLED: set(Referral.ACTIVE),
}


def may_override(case: Case, user: User) -> bool:
    """Referring without consent: only a supervisor of the case's agency, never the owner alone
    (the owner asks their supervisor, who answers for it)."""
    return case.overseen_by(user)


def consent_gate(
    *, case: Case, agency: Unit, user: User, override_reason: str = ""
) -> Consent | None:
    """The consent that lets `case` be referred to `agency`, or None when a permitted override
    with a written reason stands in for it; ValidationError otherwise."""
    consent = Consent.objects.filter(case=case).covering(ConsentPurpose.REFERRAL, agency).first()
    if consent is not None:
        return consent
    if not override_reason:
        raise ValidationError(
            _(
                "Chưa có sự đồng ý chuyển gửi còn hiệu lực cho %(agency)s. Hãy ghi nhận sự đồng "
                "ý của nạn nhân (hoặc người giám hộ) trước khi chuyển gửi."
            )
            % {"agency": agency},
            code="no_consent",
        )
    if not may_override(case, user):
        raise ValidationError(
            _(
                "Chỉ người giám sát của cơ quan quản lý hồ sơ được chuyển gửi khi chưa có sự đồng "
                "ý. Cán bộ phụ trách hãy đề nghị người giám sát của mình."
            ),
            code="override_denied",
        )
    if len(override_reason.strip()) < OVERRIDE_MIN_CHARS:
        raise ValidationError(
            _("Hãy ghi rõ lý do chuyển gửi không có sự đồng ý (ít nhất %(n)s ký tự).")
            % {"n": OVERRIDE_MIN_CHARS},
            code="override_reason",
        )
    return None


@transaction.atomic
def refer_case(
    *,
    actor: User,
    case: Case,
    service_type: str,
    to_agency: Unit,
    due_on: datetime.date,
    shares: list[str],
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Create the referral (to a unit the service directory lists for the service, after the
    consent gate) and its REFERRED service outcome."""
    check_provider(to_agency, service_type)
    consent = consent_gate(case=case, agency=to_agency, user=actor, override_reason=override_reason)
    assert actor.unit is not None  # a case role has a unit (User's check constraint)
    referral = Referral(
        case=case,
        service_type=service_type,
        from_agency=actor.unit,
        to_agency=to_agency,
        shares=shares,
        consent=consent,
        override_reason="" if consent else override_reason.strip(),
        referred_by=actor,
        due_on=due_on,
    )
    save_audited(actor=actor, obj=referral, fields=REFERRAL_FIELDS, request=request)
    if consent is None:
        # The reason is encrypted on the referral; the event only says an override happened.
        record_event(actor=actor, action=Action.OVERRIDE, obj=referral, request=request)
    _record_service(actor, request, referral, Outcome.REFERRED, agency=actor.unit)
    _tell_recipients(referral)
    return referral


def _tell_recipients(referral: Referral) -> None:
    """Notify the receiving agency's GBV staff (case roles with approved access there) that a
    referral waits for them: the text names no case, survivor, service or sender, and the link
    is the referral list, which the module's own access rules guard (docs/security.md, "GBV
    records"). E-mail only to those who keep it on, with the same words."""
    granted = GbvGrant.objects.active().filter(
        user=OuterRef("pk"), unit_id=referral.to_agency_id, role=OuterRef("role")
    )
    recipients = User.objects.filter(
        is_active=True, role__in=CASE_ROLES, unit_id=referral.to_agency_id
    ).filter(Exists(granted))
    text = _("Cơ quan có một yêu cầu chuyển gửi mới cần phản hồi trước ngày %(day)s.") % {
        "day": f"{referral.due_on:%d/%m/%Y}"
    }
    url = reverse("cases:referrals")
    notify(
        recipients,
        text=text,
        url=url,
        subject=_("[Bình đẳng giới] Có yêu cầu chuyển gửi mới"),
        body="\n".join(
            [
                text,
                "",
                _("Đăng nhập hệ thống để xem: %(link)s") % {"link": site_link(url)},
                "",
                _("Thư này do hệ thống gửi tự động, không ghi thông tin hồ sơ; xin không trả lời."),
            ]
        ),
    )


@transaction.atomic
def respond_to_referral(
    *,
    actor: User,
    referral: Referral,
    status: str,
    expected_version: int | None,
    note: str = "",
    outcome: str | None = None,
    on: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Move the referral to `status` (refusing a stale version or a step its state does not
    allow); an outcome records the service the recipient provided or could not provide."""
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if expected_version is not None and current.version != expected_version:
        raise ConcurrentEdit(current)
    if current.status not in TRANSITIONS[status]:
        raise ValidationError(
            _("Chuyển gửi đang ở trạng thái “%(status)s”, không thể thực hiện thao tác này.")
            % {"status": current.get_status_display()}
        )
    now = timezone.now()
    current.status, current.response_note = status, note
    if status != ReferralStatus.CANCELLED:
        current.responded_by, current.responded_at = actor, now
    if status not in Referral.ACTIVE:
        current.ended_at = now
    save_audited(actor=actor, obj=current, fields=RESPONSE_FIELDS, request=request)
    if outcome:
        _record_service(
            actor, request, current, outcome, agency=current.to_agency, on=on, note=note
        )
    return current


def record_service(
    *,
    actor: User,
    case: Case,
    service_type: str,
    outcome: str,
    on: datetime.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> ServiceRecord:
    """A service outcome of the case recorded by the actor's own agency (not by a referral)."""
    record = ServiceRecord(
        case=case,
        service_type=service_type,
        outcome=outcome,
        on=on,
        agency=actor.unit,
        note=note,
        recorded_by=actor,
    )
    return save_audited(actor=actor, obj=record, fields=SERVICE_FIELDS, request=request)


def _record_service(
    actor: User,
    request: HttpRequest | None,
    referral: Referral,
    outcome: str,
    *,
    agency: Unit,
    on: datetime.date | None = None,
    note: str = "",
) -> ServiceRecord:
    record = ServiceRecord(
        case=referral.case,
        service_type=referral.service_type,
        outcome=outcome,
        on=on or timezone.localdate(),
        agency=agency,
        referral=referral,
        note=note,
        recorded_by=actor,
    )
    return save_audited(actor=actor, obj=record, fields=SERVICE_FIELDS, request=request)
