"""Accessibility (WCAG 2.1 AA) of the main pages of every persona, checked in Chromium by axe-core
(vendored from the npm registry: assets/axe-core-<version>.min.js, its licence beside it): no
serious or critical violation. One browser profile per persona; the commune reporter's pages are
checked at a phone's size (390×844), the others' at 1366×768.

axe runs its WCAG 2.0/2.1 A and AA rules and its best practices; what it cannot judge (the focus
order, the focus being visible, the keyboard) is checked here for the shared parts: the skip link
comes first and takes the focus to the content, and the focus ring shows.

Each persona's session is handed to its browser profile (no login form per persona: the login
page is checked once, as the anonymous visitor sees it)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from cases.tests.conftest import build_gbv
from conftest import VerifiedClient, browser_page, make_personas, make_user
from core.roles import Role
from plans.models import Task
from reports.models import Round
from reports.tests.factories import open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = next((Path(__file__).parent / "assets").glob("axe-core-*.min.js"))
SERIOUS = ("serious", "critical")
RUN_AXE = """(header) => axe.run(header ? document : {exclude: [["header.topbar"]]},
    {resultTypes: ["violations"]}).then(result =>
    result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n =>
            n.target.join(" ") + " — " + n.failureSummary.replace(/\\s+/g, " ")),
    })))"""


@pytest.fixture
def world(province, audit_flushable):
    """The personas, an open round of the annual form (Sở Y tế's and Phường Cẩm Thành's
    reports), the 2025 plan's tasks and the GBV module's case, referrals and shelter."""
    province_wide = make_personas("coordinator", "leader", "admin")
    gbv = build_gbv(
        coordinator=province_wide["coordinator"],
        leader=province_wide["leader"],
        admin=province_wide["admin"],
    )
    people = {
        **province_wide,
        "reporter": make_user("syt.baocao", Role.REPORTER, "SYT"),
        "approver": make_user("syt.duyet", Role.APPROVER, "SYT"),
        "commune_reporter": make_user("camthanh.baocao", Role.REPORTER, "21025"),
        "case_worker": gbv["people"]["owner"],
        "case_supervisor": gbv["people"]["supervisor"],
    }
    annual = Round.objects.get(code="BDG-2025").form
    round_ = open_round(annual, code="R-A11Y", kinds=("agency", "ward"))
    report = {s.unit.code: s.pk for s in round_.submissions.select_related("unit")}
    task = Task.objects.filter(unit__code="SYT").order_by("pk").first()
    assert task is not None
    submission = "reports:submission"
    return {
        "coordinator": [
            reverse("home"),
            reverse("analytics:dashboard"),
            reverse("plans:current"),
            reverse("reports:round", args=[round_.pk]),
        ],
        "leader": [
            reverse("home"),
            reverse("analytics:meeting"),
            reverse("cases:stats"),
        ],
        "admin": [reverse("accounts:users"), reverse("orgs:list")],
        "reporter": [
            reverse("home"),
            reverse(submission, args=[report["SYT"]]),
            reverse("plans:task", args=[task.pk]),  # last: the keyboard is tried there
        ],
        "approver": [reverse(submission, args=[report["SYT"]])],
        "commune_reporter": [
            reverse("home"),
            reverse(submission, args=[report["21025"]]),
            reverse("activities:new"),
        ],
        "case_worker": [reverse("cases:list"), reverse("cases:case", args=[gbv["case"].pk])],
        "case_supervisor": [reverse("cases:list"), reverse("cases:place", args=[gbv["place"].pk])],
        "_people": people,
    }


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


def _sign_in(page, url: str, user) -> None:
    """The user's session (both factors, VerifiedClient) handed to the browser: the login page
    itself is checked once, as the anonymous visitor sees it."""
    client = VerifiedClient()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": url}])


def _violations(page, *, header: bool) -> list[dict]:
    """axe's serious and critical findings on the page; the header (the same on every page of a
    persona) only when `header`."""
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(RUN_AXE, header) if v["impact"] in SERIOUS]


def _said(found: dict[str, list[dict]]) -> str:
    lines = []
    for where, violations in found.items():
        for v in violations:
            lines.append(f"{where}: [{v['impact']}] {v['id']} — {v['help']}")
            lines += [f"    {node}" for node in v["nodes"][:5]]
    return "\n".join(lines)


def test_main_pages_of_every_persona_have_no_serious_violation(live_server, world):
    people = world.pop("_people")
    found: dict[str, list[dict]] = {}
    checked = 0
    for persona, paths in {"anonymous": [reverse("accounts:login")], **world}.items():
        size = PHONE if persona == "commune_reporter" else DESKTOP
        with browser_page(bypass_csp=True, viewport=size) as page:  # axe is an inline script
            if persona != "anonymous":
                _sign_in(page, live_server.url, people[persona])
            for number, path in enumerate(paths):
                response = page.goto(f"{live_server.url}{path}")
                assert response is not None and response.status == 200, (persona, path)
                signed_out = "/login/" in page.url or "/second-factor/" in page.url
                assert persona == "anonymous" or not signed_out, (persona, path, page.url)
                if violations := _violations(page, header=number == 0):
                    found[f"{persona} {path}"] = violations
                checked += 1
            if persona == "reporter":
                _keyboard(page)
    print(f"{AXE.name}: {checked} pages, {len(world)} personas")
    assert not found, "axe-core found serious or critical violations:\n" + _said(found)


def _keyboard(page) -> None:
    """On the reporter's last page: the skip link is the first stop of the keyboard, its focus
    ring shows, and it leads to the content (the breadcrumbs come first there)."""
    page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return [e.textContent, s.outlineStyle, parseFloat(s.outlineWidth),"
        " e.getBoundingClientRect().top >= 0]; }"
    )
    assert focused == ["Đến nội dung chính", "solid", 3, True]
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('nav.breadcrumbs') !== null")
