"""What each role's home page shows: the work waiting for the reader, read through each app's
own selectors (plans, reports, cases) and scoped to the reader like every page of those apps.

- reporter, approver: the unit's current reports (days left, x/y cells, what stops the submit,
  a returned report's comment) and the unit's late and open tasks;
- coordinator: the open rounds by kind of unit, the reports waiting for review, the units that
  must report without an account, the bodies with late tasks, the GBV access requests to decide;
- leader: the headline figures of the leader's page (analytics.selectors.meeting_summary);
- case worker, case supervisor: follow-ups due, referrals to answer or serve, referrals sent and
  waiting, closures to approve (case codes only; nothing without approved GBV access);
- admin: GBV access requests to decide and waiting, units that must report without anyone to
  do it, the names failing to sign in over the last day, accounts never signed in.

Nobody's home lists another unit's tasks but the coordinator's, who follows them up."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from accounts.models import GbvAccessRequest, User, staff_by_unit
from accounts.services import approval_refusal
from audit.models import Action, Event
from cases import selectors as case_selectors
from core.roles import CASE_ROLES, UNIT_STAFF, Role
from plans import selectors as plan_selectors
from plans.models import Plan, Progress, ProgressUpdate
from reports import selectors as report_selectors
from reports.models import EDITABLE, Submission
from reports.services.submissions import submission_problems

from . import selectors

# How many bodies with late tasks the coordinator's home lists before "and N more".
LATE_BODIES_SHOWN = 8
# How many names typed at failed sign-ins the admin's home lists.
FAILED_LOGINS_SHOWN = 10


def home(*, user: User, today: datetime.date) -> dict:
    """The context of the user's home page; `kind` names its template's part."""
    return {"today": today, **_by_role(user, today)}


def _by_role(user: User, today: datetime.date) -> dict:
    builders: dict[str, Callable[[User, datetime.date], dict]] = {
        Role.COORDINATOR: _coordinator,
        Role.LEADER: _leader,
        Role.ADMIN: _admin,
    }
    if user.role in UNIT_STAFF:
        return {"kind": "unit", **_unit(user, today)}
    if user.role in CASE_ROLES:
        return {"kind": "gbv", **_gbv(user, today)}
    build = builders.get(user.role)
    return {"kind": user.role, **build(user, today)} if build else {"kind": "none"}


def _unit(user: User, today: datetime.date) -> dict:
    # Annotated rows (stage, fill, days left…), each given what stops its submit: `blocking`.
    reports: list = report_selectors.unit_reports(user, today)
    for submission in reports:
        submission.blocking = None
        if submission.status in EDITABLE and submission.is_editable_by(user):
            submission.blocking = len(submission_problems(submission, viewer=user).errors)
    return {
        # To enter, and for the approver to submit: the drafts and the returned reports.
        "to_do": [s for s in reports if s.status in EDITABLE],
        "done": [s for s in reports if s.status not in EDITABLE],
        **plan_selectors.unit_tasks(user, today),
        "recent": ProgressUpdate.objects.for_user(user).select_related(
            "task__item", "task__unit", "author"
        )[:5],
    }


def _coordinator(user: User, today: datetime.date) -> dict:
    late = plan_selectors.late_by_body(user, today)
    plan = Plan.objects.for_user(user).first()
    return {
        "plan": plan,
        "progress": Progress.of(plan_selectors.plan_tasks(user, plan), today),
        "rounds": [
            report_selectors.round_summary(round_, user=user, today=today)
            for round_ in report_selectors.open_rounds(user, today)
        ],
        "late_bodies": late[:LATE_BODIES_SHOWN],
        "late_more": late[LATE_BODIES_SHOWN:],
        "late_total": sum(body.late for body in late),
        "late_plans": list(dict.fromkeys(body.plan for body in late)),
        "unstaffed": _unstaffed(user, today),
        "gbv_requests": _requests_to_decide(user),
        "recent": ProgressUpdate.objects.for_user(user).select_related(
            "task__item", "task__unit", "author"
        )[:5],
    }


def _leader(user: User, today: datetime.date) -> dict:
    return selectors.meeting_summary(user=user, today=today)


def _gbv(user: User, today: datetime.date) -> dict:
    if not user.has_gbv_access:  # waiting for approval: base.html says so, nothing more
        return {"pending": True}
    return {
        **case_selectors.due_work(user, today),
        "gbv_requests": _requests_to_decide(user) if user.role == Role.CASE_SUPERVISOR else [],
        "soon_days": case_selectors.SOON_DAYS,
    }


def _admin(user: User, today: datetime.date) -> dict:
    mine = (
        GbvAccessRequest.objects.for_user(user)
        .pending()
        .filter(requested_by=user)
        .select_related("subject", "unit")
    )
    never = (
        User.objects.for_user(user)
        .filter(is_active=True, last_login__isnull=True)
        .exclude(password__startswith="!")  # an unusable password: no one signs in with it
        .select_related("unit")
        .order_by("-date_joined")
    )
    return {
        "gbv_requests": _requests_to_decide(user),
        "my_requests": list(mine),
        "never_signed_in": list(never[:10]),
        "never_count": never.count(),
        "unstaffed": _unstaffed(user, today),
        "failed_logins": _failed_logins(user),
        "lockout_limit": settings.AXES_FAILURE_LIMIT,
    }


def _requests_to_decide(user: User) -> list[GbvAccessRequest]:
    """The pending GBV access requests the user may approve or refuse (the approvals rule of
    accounts.services), oldest first."""
    pending = (
        GbvAccessRequest.objects.for_user(user)
        .pending()
        .select_related("subject", "unit", "requested_by")
        .order_by("created_at")
    )
    return [req for req in pending if approval_refusal(user, req) is None]


def _failed_logins(user: User) -> list[dict]:
    """The names typed at failed sign-ins over the last day, the most failures first: who may
    be locked out and call for help, or someone guessing passwords."""
    since = timezone.now() - datetime.timedelta(days=1)
    return list(
        Event.objects.for_user(user)
        .filter(action=Action.LOGIN_FAILED, at__gte=since)
        .values("object_repr")
        .annotate(failures=Count("id"), last=Max("at"))
        .order_by("-failures", "-last")[:FAILED_LOGINS_SHOWN]
    )


def _unstaffed(user: User, today: datetime.date) -> list:
    """The units that must report in an open round but have no active reporter or approver:
    nobody can enter their report, nor receives its reminders."""
    rounds = report_selectors.open_rounds(user, today)
    submissions = Submission.objects.for_user(user).filter(round__in=rounds)
    units = {s.unit_id: s.unit for s in submissions.select_related("unit")}
    staffed = staff_by_unit(units)
    return sorted(
        (unit for pk, unit in units.items() if pk not in staffed), key=lambda u: u.sort_key
    )
