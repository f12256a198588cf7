"""Reads that assemble the GBV module's pages from several records, always through the scoped
querysets (`for_user`, `handled_by`, `Case.access_for`; docs/security.md)."""

from django.db.models import Min, Q, QuerySet

from accounts.models import User

from .models import Access, Case, HarmForm, HarmMapping, Share


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
