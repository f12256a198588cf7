"""Acceptance in Chromium (issue 14): a commune reporter on a phone fills 20 cells, the network
drops, 10 more are typed, the tab is closed and opened again, the network returns: all 30 values
reach the database exactly once, in order, with consistent versions; a value someone else changed
meanwhile is shown as a conflict (both values, the user chooses), never overwritten."""

import pytest
from playwright.sync_api import expect

from audit.models import Event
from conftest import browser_page, log_in, make_browser_user, make_user
from core.roles import Role
from reports.models import DataValue, Form, Submission
from reports.services.submissions import CellInput, save_values
from reports.tests.factories import open_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
ONLINE, OFFLINE = 20, 10
THEIRS = 26  # a cell typed offline that the unit's approver saves meanwhile


@pytest.fixture
def submission(province, audit_flushable):
    make_browser_user("camthanh.baocao", Role.REPORTER, "21025")
    open_round(Form.objects.get(code="BDG_NAM"), code="R-NAM", kinds=("ward",))
    return Submission.objects.get(round__code="R-NAM", unit__code="21025")


def typed(index: int) -> str:
    return str(100 - index)  # decreasing: a part row (after its total) never exceeds it


def cell_ids(page) -> list[tuple[int, int]]:
    ids = page.locator("input.cell-input:not([disabled])").evaluate_all("els => els.map(e => e.id)")
    return [tuple(int(n) for n in i.split("-")[1:]) for i in ids]


def type_cells(page, indexes) -> None:
    """Type each value and press the phone keyboard's "Next" (Enter): it moves to the next cell."""
    for index in indexes:
        page.keyboard.type(typed(index))
        page.keyboard.press("Enter")
    expect(page.locator("input.cell-input").nth(index + 1)).to_be_focused()


def log_out(page) -> str:
    """Ask to log out (the form is submitted as its button would) and return what the page said."""
    said = []
    page.once("dialog", lambda dialog: (said.append(dialog.message), dialog.dismiss()))
    page.locator("form[action$='/logout/']").evaluate("form => form.requestSubmit()")
    expect(page.locator("#entry")).to_be_visible()  # still here, signed in
    return said[0]


def test_thirty_cells_survive_a_dropped_connection_and_a_closed_tab(live_server, submission):
    approver = make_user("camthanh.duyet", Role.APPROVER, "21025")
    url = f"{live_server.url}/reports/submissions/{submission.pk}/"
    csp = []
    with browser_page() as page:
        context = page.context
        context.on("console", lambda m: "Content Security Policy" in m.text and csp.append(m.text))
        page.set_viewport_size(PHONE)
        log_in(page, live_server.url, "camthanh.baocao")
        page.goto(url)
        # The phone's form: no sideways scrolling, the prefill panels folded, the real count.
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        expect(page.locator("details.prefill")).to_have_count(2)
        expect(page.locator("details.prefill[open]")).to_have_count(0)
        expect(page.locator("#entry-progress")).to_have_text("0/57 ô đã nhập")
        cells = cell_ids(page)
        assert len(cells) == 57

        page.locator("input.cell-input").first.focus()
        type_cells(page, range(ONLINE))
        expect(page.locator("#entry-progress")).to_have_text("20/57 ô đã nhập")
        expect(page.locator("#entry")).to_have_attribute("data-waiting", "0")
        assert DataValue.objects.filter(submission=submission).count() == ONLINE
        # Values entered, the worker is in place (it keeps an offline page, never a report page).
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")

        context.set_offline(True)
        type_cells(page, range(ONLINE, ONLINE + OFFLINE))
        expect(page.locator("#entry .pending-msg", has_text="chưa gửi")).to_have_count(OFFLINE)
        expect(page.locator("#entry-network")).to_contain_text("mất kết nối: 10 ô chưa gửi")
        expect(page.locator("#entry-progress")).to_have_text("30/57 ô đã nhập")
        assert "Đang mất kết nối: chưa đăng xuất được. 10 ô" in log_out(page)
        assert DataValue.objects.filter(submission=submission).count() == ONLINE

        # Meanwhile the unit's approver saves one of the cells typed offline.
        row_id, combo_id = cells[THEIRS]
        row = submission.round.form.rows().get(pk=row_id)
        combo = row.data_element.category_combo.option_combos.get(pk=combo_id)
        cell = CellInput(row=row, option_combo=combo, raw="555", expected_version=0)
        save_values(submission=submission, cells=[cell], actor=approver)

        page.close()
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(url)  # still offline: the worker's page says the values are kept
        expect(page.locator("h1")).to_contain_text("không có kết nối mạng")
        expect(page.locator("#offline-pending")).to_contain_text("giữ 10 ô số liệu chưa gửi")

        context.set_offline(False)  # the page reopens itself and sends what waited
        expect(page.locator("#entry")).to_be_visible(timeout=15000)
        expect(page.locator("#entry")).to_have_attribute("data-waiting", "0", timeout=15000)
        expect(page.locator("#entry .pending")).to_have_count(0)
        conflict = page.locator(f"#c-{row_id}-{combo_id}")
        expect(conflict).to_have_class("cell conflict")
        expect(conflict).to_contain_text("đã lưu “555”")
        expect(conflict).to_contain_text(f"Bạn gõ “{typed(THEIRS)}”")
        expect(page.locator("#entry-network")).to_contain_text("1 ô cần chọn giá trị giữ lại")
        # Not overwritten: the approver's value stands until the reporter chooses.
        stored = DataValue.objects.get(
            submission=submission, data_element=row.data_element, option_combo=combo
        )
        assert (stored.value, stored.version) == ("555", 1)
        assert "Còn 1 ô số liệu chưa gửi" in log_out(page)
        # Elsewhere, every page says so; the link brings the report back, the conflict still open.
        page.goto(f"{live_server.url}/")
        page.locator(".unsent").get_by_role("link", name="(1 ô)").click()
        expect(conflict.locator(".cell-conflict")).to_be_visible()

        conflict.get_by_role("button", name=f"Giữ “{typed(THEIRS)}”").click()
        expect(conflict.locator(".cell-conflict")).to_have_count(0)
        expect(page.locator("#entry-network")).to_have_text("")
        assert page.evaluate("() => localStorage.length") == 0
    assert not csp

    values = {
        (v.data_element_id, v.option_combo_id): v
        for v in DataValue.objects.filter(submission=submission)
    }
    row_of = {r.pk: r.data_element_id for r in submission.round.form.rows()}
    keys = [(row_of[r], c) for r, c in cells[: ONLINE + OFFLINE]]
    assert len(values) == ONLINE + OFFLINE
    assert [values[k].value for k in keys] == [typed(i) for i in range(ONLINE + OFFLINE)]
    # Exactly once: one save (one audit event) per value, version 1; the conflict cell has the
    # approver's save and then the reporter's choice.
    for index, key in enumerate(keys):
        events = Event.objects.for_object(values[key]).count()
        assert values[key].version == events == (2 if index == THEIRS else 1)
    # In the order typed: the offline values were saved one after another as typed.
    offline = [values[k] for i, k in enumerate(keys) if i >= ONLINE and i != THEIRS]
    saved = [Event.objects.for_object(v).get().pk for v in offline]
    assert saved == sorted(saved)
