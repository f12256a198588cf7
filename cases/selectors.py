"""Reads that assemble the GBV module's pages from several records, always through the scoped
querysets (`for_user`, `handled_by`, `Case.access_for`; docs/security.md)."""

import datetime

from django.db.models import Min, Q, QuerySet

from accounts.models import User
from core.roles import Role

from .models import (
    Access,
    Case,
    CaseStatus,
    FollowUp,
    HarmForm,
    HarmMapping,
    Referral,
    ReferralStatus,
    Share,
)

# Follow-ups due within this many days are listed on the home page; later ones are counted.
SOON_DAYS = 7


def caseload(user: User) -> QuerySet:
    """The cases the user handles in full, each with `next_due`: its earliest follow-up not done."""
    return (
        Case.objects.handled_by(user)
        .select_related("survivor", "agency", "owner")
        .annotate(next_due=Min("follow_ups__due_on", filter=Q(follow_ups__done_at__isnull=True)))
        .order_by("-opened_on", "-id")  # an aggregate drops Meta.ordering
    )


def incidents(case: Case) -> list:
    """The case's incidents, each with `harm_label`: its Law 13/2022 form of harm, if mapped."""
    harm = HarmMapping.objects.as_dict()
    found = list(case.incidents.select_related("commune"))
    for incident in found:
        known = harm.get(incident.incident_type)
        incident.harm_label = HarmForm(known).label if known else ""
    return found


def case_records(user: User, case: Case, access: Access) -> dict:
    """What the case page shows beyond the survivor: the incidents if shared, and to full
    access the consents, follow-ups, services, referrals, stays and (to the supervisors of the
    case's agency) the break-glass grants."""
    records = {"incidents": incidents(case)} if access.sees(Share.INCIDENTS) else {}
    if not access.full:
        return {**records, "referrals": access.referrals}
    return {
        **records,
        "consents": case.consents.select_related("agency"),
        "follow_ups": case.follow_ups.all(),
        "services": case.services.select_related("agency"),
        "referrals": case.referrals.select_related("to_agency"),
        # The place's name only: its location is on its own page, for those who may see it.
        "stays": case.stays.select_related("place"),
        "grants": grants(user, case),
    }


def grants(user: User, case: Case) -> QuerySet | None:
    """Who opened the case by break-glass, for the supervisors of its agency (None for others)."""
    if not case.overseen_by(user):
        return None
    return case.break_glass.select_related("user__unit").order_by("-started_at")


def due_work(user: User, today: datetime.date) -> dict:
    """What waits for a case role on their home page, by case code only (never a survivor's
    detail): the follow-ups not done of the open cases they handle (late or due within
    SOON_DAYS; the later ones counted), the referrals their agency received that are still
    active (to answer, or to serve), those it sent still waiting for an answer, and for a
    supervisor the closures of the agency's cases waiting for them. Nothing without approved
    GBV access (the querysets' `for_user`)."""
    follow_ups = (
        FollowUp.objects.for_user(user)
        .due()
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case")
        .order_by("due_on", "id")
    )
    soon = today + datetime.timedelta(days=SOON_DAYS)
    referrals = Referral.objects.for_user(user).select_related("case", "from_agency", "to_agency")
    closures = Case.objects.none()
    if user.role == Role.CASE_SUPERVISOR:
        closures = (
            Case.objects.for_user(user)
            .handled_by(user)
            .filter(status=CaseStatus.CLOSING, agency_id=user.unit_id)
            .exclude(closure_requested_by=user)
            .select_related("closure_requested_by")
        )
    return {
        "follow_ups": list(follow_ups.filter(due_on__lte=soon)),
        "later_follow_ups": follow_ups.filter(due_on__gt=soon).count(),
        "received": list(
            referrals.filter(to_agency_id=user.unit_id, status__in=Referral.ACTIVE).order_by(
                "due_on", "id"
            )
        ),
        "sent": list(
            referrals.filter(status=ReferralStatus.REFERRED)
            .exclude(to_agency_id=user.unit_id)
            .order_by("due_on", "id")
        ),
        "closures": list(closures),
        "open_cases": Case.objects.for_user(user)
        .handled_by(user)
        .exclude(status=CaseStatus.CLOSED)
        .count(),
    }
