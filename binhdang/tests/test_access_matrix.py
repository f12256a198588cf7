"""Persona × URL × record: who gets what. Another unit's record answers 404, never its data."""

import datetime

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from accounts.models import EnrolmentLink
from conftest import built_once, make_personas, make_user
from orgs.models import EthnicGroup, Unit
from plans.models import Evidence, Plan, PlanItem, ProgressUpdate, Task
from reports.models import Round, Submission

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, NOT_FOUND, LOGIN = 200, 403, 404, 302


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Every persona and record of this module's tests, built once (conftest.built_once)."""
    yield from built_once(django_db_blocker, _world)


def _world() -> dict:
    people = make_personas()
    return {
        "people": people,
        "records": _records(people["reporter"]),
        "gbv_records": _gbv_records(people),
        "open_submission": _open_submission(),
        "notification": _notification(people["reporter"]),
    }


# The root conftest's persona fixtures, here the users of the module's world.
@pytest.fixture
def personas(world):
    return world["people"]


@pytest.fixture
def reporter(personas):
    return personas["reporter"]


@pytest.fixture
def outsider(personas):
    return personas["outsider"]


@pytest.fixture
def commune_reporter(personas):
    return personas["commune_reporter"]


@pytest.fixture
def case_worker(personas):
    return personas["case_worker"]


@pytest.fixture
def records(world):
    return world["records"]


def _records(reporter) -> dict:
    plan = Plan.objects.get(year=2025)
    syt_task = Task.objects.get(item__plan=plan, item__code="IV.5.a", unit__code="SYT")
    update = ProgressUpdate.objects.create(
        task=syt_task, status="in_progress", percent=10, note="x", author=reporter
    )
    evidence = Evidence.objects.create(
        update=update,
        file="evidence/none.pdf",
        original_name="a.pdf",
        content_type="application/pdf",
        extension="pdf",
        size=1,
        sha256="0" * 64,
    )
    return {
        "plan": plan.pk,
        "syt_item": syt_task.item_id,
        "syt_task": syt_task.pk,
        "evidence": evidence.pk,
        "unit": syt_task.unit_id,
        "user": reporter.pk,
        "ethnic": EthnicGroup.objects.get(code="19").pk,
    }


# (url name, record key or None): the pages of this issue.
PAGES = [
    ("home", None),
    ("plans:detail", "plan"),
    ("plans:item", "syt_item"),
    ("plans:item_edit", "syt_item"),
    ("plans:task", "syt_task"),
    ("plans:evidence", "evidence"),
    ("plans:my_tasks", None),
    ("orgs:list", None),
    ("orgs:detail", "unit"),
    ("orgs:edit", "unit"),
    ("orgs:new", None),
    ("accounts:users", None),
    ("accounts:user", "user"),
    ("accounts:user_new", None),
    ("accounts:account", None),
    ("orgs:ethnic_groups", None),
    ("orgs:ethnic_group_edit", "ethnic"),
]

EXPECTED = {
    #                 home plan item edit task evid  my  units unit uedit unew users user unew acct
    # + ethnic groups list, ethnic group edit (admins only)
    "coordinator": [OK, OK, OK, OK, OK, OK, FORBIDDEN, OK, OK, OK, OK, OK, OK, OK, OK]
    + [FORBIDDEN, FORBIDDEN],
    "leader": [
        OK,
        OK,
        OK,
        FORBIDDEN,
        OK,
        OK,
        FORBIDDEN,
        OK,
        OK,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        FORBIDDEN,
        FORBIDDEN,
    ],
    "admin": [
        OK,
        OK,
        OK,
        FORBIDDEN,
        OK,
        OK,
        FORBIDDEN,
        OK,
        OK,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        OK,
        OK,
        OK,
        OK,
        OK,
    ],
    "reporter": [
        OK,
        OK,
        OK,
        FORBIDDEN,
        OK,
        OK,
        OK,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        FORBIDDEN,
        FORBIDDEN,
    ],
    "approver": [
        OK,
        OK,
        OK,
        FORBIDDEN,
        OK,
        OK,
        OK,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        FORBIDDEN,
        FORBIDDEN,
    ],
    # Công an tỉnh's reporter asking for Sở Y tế's item, task and evidence: 404.
    "outsider": [
        OK,
        OK,
        NOT_FOUND,
        FORBIDDEN,
        NOT_FOUND,
        NOT_FOUND,
        OK,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        FORBIDDEN,
        FORBIDDEN,
    ],
    # GBV staff see nothing of the plan or the units.
    "case_worker": [
        OK,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        FORBIDDEN,
        OK,
        FORBIDDEN,
        FORBIDDEN,
    ],
    "anonymous": [LOGIN] * len(PAGES),
}
# The plan's late tasks, where the coordinator chooses tasks to urge: the coordinator only.
PAGES.append(("plans:late_tasks", "plan"))
for _persona, _statuses in EXPECTED.items():
    _statuses.append({"coordinator": OK, "anonymous": LOGIN}.get(_persona, FORBIDDEN))


def _url(name, key, records):
    return reverse(name, args=[records[key]]) if key else reverse(name)


@pytest.mark.untraced  # the pages' code is covered by their own tests; tracing the matrix is slow
@pytest.mark.parametrize("persona", list(EXPECTED))
def test_access_matrix(client, personas, records, persona, settings, tmp_path):
    (tmp_path / "media" / "evidence").mkdir(parents=True)
    (tmp_path / "media" / "evidence" / "none.pdf").write_bytes(b"%PDF-1.4")
    if persona != "anonymous":
        client.force_login(personas[persona])
    got = [client.get(_url(name, key, records)).status_code for name, key in PAGES]
    names = [name for name, _ in PAGES]
    assert dict(zip(names, got, strict=True)) == dict(zip(names, EXPECTED[persona], strict=True))


def test_outsider_sees_no_other_units_in_lists(client, outsider):
    client.force_login(outsider)
    body = client.get(
        reverse("plans:detail", args=[Plan.objects.get(year=2025).pk])
    ).content.decode()
    assert "IV.9.a" in body and "IV.5.a" not in body
    tasks = client.get(reverse("plans:my_tasks")).context["tasks"]
    assert {t.unit.code for t in tasks} == {"CAT"}


def test_commune_reporter_sees_only_its_commune_tasks(client, commune_reporter):
    client.force_login(commune_reporter)
    tasks = client.get(reverse("plans:my_tasks")).context["tasks"]
    assert {t.item.code for t in tasks} == {"IV.13.a", "IV.13.b", "IV.13.c"}
    assert {t.unit.code for t in tasks} == {"21025"}
    other = Task.objects.get(item__code="IV.13.a", unit__code="21548")
    assert client.get(reverse("plans:task", args=[other.pk])).status_code == 404


def test_outsider_cannot_post_progress_to_another_units_task(client, outsider, records):
    client.force_login(outsider)
    response = client.post(
        reverse("plans:task", args=[records["syt_task"]]),
        {"status": "done", "percent": 100, "note": "x", "expected_version": 1},
    )
    assert response.status_code == 404
    assert PlanItem.objects.get(pk=records["syt_item"]).tasks.get(unit__code="SYT").percent == 0


def test_access_denials_are_logged(client, case_worker):
    from audit.models import Event

    client.force_login(case_worker)
    assert client.get(reverse("orgs:list")).status_code == 403
    event = Event.objects.filter(action="denied").get()
    assert (event.actor, event.object_repr) == (case_worker, reverse("orgs:list"))


# (method, url name, record key): writes and redirects, checked for the personas who must not.
WRITES = [
    ("get", "plans:current", None),
    ("post", "plans:copy", "plan"),
    ("post", "plans:late_tasks", "plan"),
    ("post", "plans:urge_tasks", "plan"),
    ("get", "orgs:close", "unit"),
    ("get", "orgs:link", "unit"),
    ("post", "accounts:user_reset_password", "user"),
    ("post", "accounts:user_set_active", "user"),
]


@pytest.mark.parametrize("persona", ["reporter", "approver", "outsider", "leader", "case_worker"])
def test_writes_are_refused_to_those_without_the_role(client, personas, records, persona):
    client.force_login(personas[persona])
    got = {
        name: getattr(client, method)(_url(name, key, records)).status_code
        for method, name, key in WRITES
    }
    expected = {name: FORBIDDEN for _, name, _ in WRITES}
    if persona != "case_worker":
        expected["plans:current"] = 302  # every plan reader is sent on to the plan
    assert got == expected


def test_scoped_404s_are_logged_as_denials(client, outsider, records):
    from audit.models import Event

    client.force_login(outsider)
    url = reverse("plans:task", args=[records["syt_task"]])
    assert client.get(url).status_code == 404
    assert Event.objects.filter(action="denied", actor=outsider, object_repr=url).exists()


def test_the_api_schema_needs_a_signed_in_user(client, reporter):
    assert client.get("/api/v1/openapi.json").status_code == 302
    client.force_login(reporter)
    assert client.get("/api/v1/openapi.json").status_code == 200


# The reports app's prefill URLs (reports/prefill.py): only the unit's own reporter and approver.
# (url name → method, expected status per persona); every such URL must be declared here.
PREFILL = {
    "reports:prefill": ("get", OK),
    "reports:prefill_fill": ("post", 302),
}
PREFILL_REFUSED = {
    "coordinator": FORBIDDEN,
    "leader": FORBIDDEN,
    "admin": FORBIDDEN,
    "outsider": NOT_FOUND,  # another unit's report
    "case_worker": FORBIDDEN,
}


@pytest.fixture
def open_submission(world):
    return world["open_submission"]


def _open_submission() -> Submission:
    """Sở Y tế's annual report, its round open today."""
    today = timezone.localdate()
    Round.objects.filter(code="BDG-2025").update(
        opens_on=today - datetime.timedelta(days=1),
        due_on=today + datetime.timedelta(days=10),
        lock_on=today + datetime.timedelta(days=30),
    )
    return Submission.objects.get(round__code="BDG-2025", unit__code="SYT")


# Urging a round's units and reading one's notifications (reports): (method, url name, record)
# → status per persona. The urges are the coordinator's (without a selection they only redirect
# with a message); a notification is its user's own: anyone else gets 404.
NOT_MINE = dict.fromkeys(EXPECTED, NOT_FOUND) | {"anonymous": LOGIN}
COORDINATOR_ONLY = dict.fromkeys(EXPECTED, FORBIDDEN) | {"coordinator": LOGIN, "anonymous": LOGIN}
REPORT_ROUTES = {
    ("post", "reports:urge_preview", "round"): COORDINATOR_ONLY,
    ("post", "reports:urge", "round"): COORDINATOR_ONLY,
    ("get", "reports:notification", "notification"): NOT_MINE | {"reporter": LOGIN},
    ("post", "reports:notifications_read", None): dict.fromkeys(EXPECTED, LOGIN),
    ("get", "reports:notifications", None): dict.fromkeys(EXPECTED, OK) | {"anonymous": LOGIN},
}


def _notification(reporter) -> int:
    from core.notifications import notify

    notify([reporter], text="Sở Nội vụ đôn đốc nộp báo cáo", url="/reports/")
    return reporter.notifications.get().pk


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_urge_and_notification_routes(client, personas, open_submission, world, persona):
    from reports.models import Reminder

    if persona != "anonymous":
        client.force_login(personas[persona])
    records = {"round": open_submission.round_id, "notification": world["notification"]}
    got, expected = {}, {}
    for (method, name, key), statuses in REPORT_ROUTES.items():
        url = reverse(name, args=[records[key]]) if key else reverse(name)
        got[name] = getattr(client, method)(url).status_code
        expected[name] = statuses[persona]
    assert got == expected
    assert not Reminder.objects.exists()  # no selection, nothing sent


def test_every_prefill_url_is_declared():
    resolver = get_resolver().namespace_dict["reports"][1]
    names = {f"reports:{n}" for n in resolver.reverse_dict if isinstance(n, str)}
    assert {n for n in names if n.startswith("reports:prefill")} == set(PREFILL)


@pytest.mark.parametrize("key", ["cases", "activities"])
@pytest.mark.parametrize("name", list(PREFILL))
@pytest.mark.parametrize("persona", [*PREFILL_REFUSED, "reporter", "approver", "anonymous"])
def test_prefill_access(client, personas, open_submission, name, key, persona):
    method, allowed = PREFILL[name]
    expected = PREFILL_REFUSED.get(persona, LOGIN if persona == "anonymous" else allowed)
    if persona != "anonymous":
        client.force_login(personas[persona])
    url = reverse(name, kwargs={"pk": open_submission.pk, "key": key})
    response = getattr(client, method)(url)
    assert response.status_code == expected, (name, key, persona)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not open_submission.values.exists()  # the fill without a preview writes nothing


# Separation of duties for GBV access (accounts): the requests, grants and enrolment links.
# "supervisor" is Sở Y tế's GBV supervisor, "pending" a supervisor of Sở Y tế still waiting for
# approval; the request was made by the admin for a new case worker of Sở Y tế.
GBV_PERSONAS = [*EXPECTED, "supervisor", "pending"]
DENIED_TO_ALL = dict.fromkeys(GBV_PERSONAS, FORBIDDEN) | {"anonymous": LOGIN}
GBV_ROUTES = {
    ("get", "accounts:gbv_access", None): DENIED_TO_ALL
    | {"coordinator": OK, "admin": OK, "supervisor": OK},
    # Managers are let in and refused by the approval rule (a message, nothing changes).
    ("post", "accounts:gbv_approve", "gbv_request"): DENIED_TO_ALL
    | {"coordinator": LOGIN, "admin": LOGIN, "supervisor": OK},
    ("post", "accounts:gbv_refuse", "gbv_request"): DENIED_TO_ALL
    | {"coordinator": LOGIN, "admin": LOGIN, "supervisor": LOGIN},
    ("post", "accounts:gbv_cancel", "gbv_request"): DENIED_TO_ALL
    | {"coordinator": LOGIN, "admin": LOGIN},
    ("post", "accounts:gbv_revoke", "gbv_grant"): DENIED_TO_ALL | {"supervisor": LOGIN},
    ("post", "accounts:user_request_gbv", "gbv_subject"): DENIED_TO_ALL
    | {"coordinator": LOGIN, "admin": LOGIN},
    # The link is the case worker's: anyone else signed in gets 404.
    ("get", "accounts:enrol", "gbv_token"): dict.fromkeys(GBV_PERSONAS, NOT_FOUND)
    | {"case_worker": OK, "anonymous": LOGIN},
}
# Tested in accounts/tests (login, logout, the second factor, the user's own API tokens:
# test_api_tokens) or above (WRITES).
ELSEWHERE = {
    "accounts:api_tokens",
    "accounts:api_token_revoke",
    "accounts:login",
    "accounts:logout",
    "accounts:second_factor",
    "accounts:user_reset_second_factor",
}


@pytest.fixture
def gbv_records(world):
    return world["gbv_records"]


def _gbv_records(personas) -> dict:
    from accounts import services
    from accounts.models import GbvGrant, User
    from core.roles import Role

    syt = Unit.objects.get(code="SYT")
    supervisor = make_user("syt.giamsat", Role.CASE_SUPERVISOR, "SYT")
    pending = User.objects.create(
        username="syt.giamsat2", full_name="Chờ", role=Role.CASE_SUPERVISOR, unit=syt
    )
    subject = User.objects.create(
        username="syt.moi", full_name="Mới", role=Role.CASE_WORKER, unit=syt
    )
    request = services.request_grant(actor=personas["admin"], subject=subject)
    worker = make_user("syt.hotro", Role.CASE_WORKER, "SYT")
    token = EnrolmentLink.issue(user=personas["case_worker"], created_by=supervisor)
    return {
        "people": {**personas, "supervisor": supervisor, "pending": pending},
        "gbv_request": request.pk,
        "gbv_grant": GbvGrant.objects.get(user=worker).pk,
        "gbv_subject": subject.pk,
        "gbv_token": token,
    }


@pytest.mark.parametrize("persona", GBV_PERSONAS)
def test_gbv_access_matrix(persona, gbv_records):
    from conftest import VerifiedClient

    got, expected = {}, {}
    for (method, name, key), statuses in GBV_ROUTES.items():
        client = VerifiedClient()  # a fresh session each: revoking may end one
        if persona != "anonymous":
            client.force_login(gbv_records["people"][persona])
        url = reverse(name, args=[gbv_records[key]]) if key else reverse(name)
        got[name] = getattr(client, method)(url).status_code
        expected[name] = statuses[persona]
    assert got == expected


def test_every_accounts_url_is_declared():
    from django.urls import get_resolver

    resolver = get_resolver().namespace_dict["accounts"][1]
    names = {f"accounts:{n}" for n in resolver.reverse_dict if isinstance(n, str)}
    declared = (
        {name for name, _ in PAGES}
        | {name for _, name, _ in WRITES}
        | {name for _, name, _ in GBV_ROUTES}
        | ELSEWHERE
    )
    assert sorted(names - declared) == []
