"""Every main page of every persona on a phone, in Chromium at 360×740 and 390×844: no page wider
than the screen, every link and button of the page (the header's included) at least 44×44 px,
and no date cut over two lines; on a 1280 px desktop the header holds one line.

The pages: each persona's menu (every link of the header) and the main detail pages — a plan item,
a report round, a submission, an activity, a case for the GBV roles. One signed-in browser per
persona; each page is loaded once, at one of the two sizes, and looked at again after a resize
to the other.

Exceptions to the 44×44 rule (css/layout.css):
- a link inside a sentence (shown inline in a block that has words of its own: WCAG 2.5.5's
  "inline" exception) may be narrower than 44 px; it is still 44 px tall (its padding);
- form fields (text boxes, lists, check boxes) are not links or buttons: their labels are;
- what is not displayed (a closed menu or details, a hidden element) is not a target.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings

from activities.models import Activity, Channel, Kind
from activities.tests.conftest import build_acts
from cases.tests.conftest import build_gbv
from conftest import VerifiedClient, browser_page, make_user
from core.roles import Role
from orgs.models import Unit
from plans.models import Task
from reports.models import Form, Submission
from reports.tests.factories import open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONES = [(360, 740), (390, 844)]

# What is wrong with the page as laid out now (a function of the part of the page to look at).
AUDIT = (Path(__file__).parent / "layout_audit.js").read_text()

# The header's children on one line, and their right edge within the screen.
ONE_LINE = """() => {
  const items = [...document.querySelectorAll('.topbar nav > :not(script)')];
  const boxes = items.map((item) => item.getBoundingClientRect());
  return {tops: new Set(boxes.map((box) => Math.round(box.top))).size,
          right: Math.max(...boxes.map((box) => box.right)), width: window.innerWidth};
}"""


@pytest.fixture
def world(province, audit_flushable):
    """The personas, and a record of each kind their main pages show."""
    people = {
        "coordinator": make_user("coordinator", Role.COORDINATOR, "SNV"),
        "leader": make_user("leader", Role.LEADER, "51"),
        "admin": make_user("admin", Role.ADMIN, "SNV"),
        "reporter": make_user("syt.baocao", Role.REPORTER, "SYT"),
        "approver": make_user("syt.duyet", Role.APPROVER, "SYT"),
        "commune reporter": make_user("camthanh.baocao", Role.REPORTER, "21025"),
    }
    gbv = build_gbv(
        coordinator=people["coordinator"], leader=people["leader"], admin=people["admin"]
    )
    people["case worker"] = gbv["people"]["owner"]
    people["case supervisor"] = gbv["people"]["supervisor"]
    round_ = open_round(Form.objects.get(code="BDG_NAM"), code="R-NAM", kinds=("agency", "ward"))
    activity = build_acts({"reporter": people["reporter"]})["activity"]
    commune = Unit.objects.get(code="21025")
    commune_activity = Activity.objects.create(
        kind=Kind.COMMUNICATION,
        unit=commune,
        title="Truyền thông về bình đẳng giới tại tổ dân phố",
        starts_on=datetime.date(2025, 11, 25),
        commune=commune,
        channel=Channel.DIRECT,
        participants_male=20,
        participants_female=35,
        created_by=people["commune reporter"],
    )
    items = {
        code: Task.objects.filter(unit__code=code).order_by("pk").first().item_id
        for code in ("SYT", "21025")
    }
    submission = {
        code: Submission.objects.get(round=round_, unit__code=code) for code in ("SYT", "21025")
    }
    pages = {
        unit: [
            f"/plans/items/{items[unit]}/",
            f"/reports/rounds/{round_.pk}/",
            f"/reports/submissions/{submission[unit].pk}/",
            f"/activities/{made.pk}/",
        ]
        for unit, made in (("SYT", activity), ("21025", commune_activity))
    }
    details = {
        name: pages["SYT"] for name in ("coordinator", "leader", "admin", "reporter", "approver")
    }
    details["commune reporter"] = pages["21025"]
    for name in ("case worker", "case supervisor"):
        details[name] = [f"/cases/{gbv['case'].pk}/"]
    return {name: (user, details[name]) for name, user in people.items()}


def sign_in(page, url, user):
    """The user's session, both factors passed, in the page's browser (signing in through the
    login page is tested on its own: accounts/tests)."""
    client = VerifiedClient()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": session.key, "value": session.value, "url": url}])


def test_every_main_page_fits_a_phone(live_server, world):
    problems, visited = [], 0
    for persona, (user, details) in world.items():
        with browser_page() as page:
            sign_in(page, live_server.url, user)
            page.set_viewport_size({"width": 360, "height": 740})
            sizes, paths = PHONES, ["/"]
            for path in paths:  # the home page first: its header lists the menu's pages
                response = page.goto(live_server.url + path, wait_until="domcontentloaded")
                assert response.status == 200, (persona, path, response.status)
                if path == "/":
                    menu = page.eval_on_selector_all(
                        ".topbar a[href]", "links => links.map((a) => a.getAttribute('href'))"
                    )
                    paths += [p for p in dict.fromkeys([*menu, *details]) if p != "/"]
                for width, height in sizes:  # the width the page was loaded at, then the other
                    page.set_viewport_size({"width": width, "height": height})
                    found = page.evaluate(AUDIT)
                    where = f"{persona} {path} @{width}"
                    if found["scrollWidth"] > found["innerWidth"]:
                        wide = ", ".join(found["wide"])
                        problems.append(f"{where}: page {found['scrollWidth']} px wide: {wide}")
                    problems += listed(where, "small target", found["small"])
                    problems += listed(where, "date over two lines", found["cut"])
                    if path == "/" and width == 360:
                        problems += header_on_a_phone(page, persona)
                sizes = sizes[::-1]
                visited += 1
            page.set_viewport_size({"width": 1280, "height": 720})
            page.wait_for_function("document.querySelector('.topbar .site-menu').open")
            header = page.evaluate(ONE_LINE)
            if header["tops"] != 1 or header["right"] > header["width"]:
                problems.append(f"{persona}: the header is not one line at 1280 px: {header}")
    assert visited >= 90
    assert not problems, "\n".join(["Layout problems on phones:", *problems])


def header_on_a_phone(page, persona) -> list[str]:
    """At 360 px: the bell shows; the menu and the account open below the bar, in the screen,
    with "Đăng xuất" in reach; each folds again."""
    problems = []
    bell = page.locator("a.notifications-link")
    if not bell.is_visible():
        problems.append(f"{persona}: no notifications link in the phone's bar")
    for summary, inside in (
        (".topbar .site-menu > summary", ".topbar .menu-main a"),
        (".topbar .me > summary", ".topbar .me button"),  # "Đăng xuất"
    ):
        page.locator(summary).click()  # opens
        shown = page.locator(inside)
        boxes = [shown.nth(i).bounding_box() for i in range(shown.count())]
        if not boxes or any(box is None or box["x"] + box["width"] > 360 for box in boxes):
            problems.append(f"{persona}: {inside} not shown within 360 px")
        problems += listed(
            f"{persona} header", "small target", page.evaluate(AUDIT, "header")["small"]
        )
        page.locator(summary).click()  # folds again (a tap anywhere would)
    return problems


def listed(where: str, what: str, found: list[str], most: int = 8) -> list[str]:
    """One line per offender, at most `most` of them for a page."""
    lines = [f"{where}: {what} {text}" for text in found[:most]]
    return lines + ([f"{where}: … and {len(found) - most} more"] if len(found) > most else [])
