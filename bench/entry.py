"""The 300-cell data-entry page in Chromium: first load, then saving cells typed with Tab.

Usage: .venv/bin/python bench/entry.py [--cells 20]

Builds a throw-away SQLite database (province, 2025 plan, reporting, demo users) plus a form of
150 rows × Nam/Nữ = 300 cells with an open round R-BENCH, serves it with DEBUG off on a free local
port, logs in as syt.baocao and opens the Sở Y tế submission with an empty cache (3 times), then
types values into cells, moving with Tab, and measures each save (POST …/cell/) as Chromium sent
and received it. Budgets: first load ≤ 250 KB on the wire (compressed), ≤ 2 KB per cell save.
"""

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PASSWORD,
    ROOT,
    django_snippet,
    free_port,
    percentile,
    server_ms,
    setup_database,
    wait_until_up,
)

PAGE_BUDGET = 250 * 1024
SAVE_BUDGET = 2 * 1024
ROWS = 150

MAKE_ROUND = f"""
from reports.tests.factories import make_form, open_round
form = make_form(rows={ROWS}, code="BENCH", with_part=False)
round_ = open_round(form, code="R-BENCH")
emit({{"submission": round_.submissions.get(unit__code="SYT").pk}})
"""


def start_server(env, port):
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(server, f"http://127.0.0.1:{port}/accounts/login/")
    return server


def logged_in_state(browser, base, username):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    state = context.storage_state()
    context.close()
    return state


def first_load(browser, base, state, path):
    """Open `path` with an empty cache; return (server ms, requests, bytes on the wire, status,
    number of editable cells)."""
    context = browser.new_context(storage_state=state)
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    document = page.goto(base + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    total = 0
    for request in finished:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    cells = page.locator("input.cell-input:not([disabled])").count()
    context.close()
    return server_ms(document.headers), len(finished), total, document.status, cells


def type_cells(browser, base, state, path, count):
    """Type `count` values, Tab after each; return one dict per save request."""
    context = browser.new_context(storage_state=state)
    page = context.new_page()
    page.goto(base + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.locator("input.cell-input:not([disabled])").first.click()
    saves = []
    for index in range(count):
        value = str(101 + index)
        started = time.perf_counter()
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/cell/"), timeout=30_000
        ) as info:
            page.keyboard.type(value)
            page.keyboard.press("Tab")
        response = info.value
        response.finished()
        round_trip = (time.perf_counter() - started) * 1000
        sizes = response.request.sizes()
        body = response.text()
        saves.append(
            {
                "value": value,
                "status": response.status,
                "stored": f'value="{value}"' in body and "invalid" not in body,
                "server_ms": server_ms(response.headers),
                "round_trip_ms": round_trip,
                "bytes": sizes["requestHeadersSize"]
                + sizes["requestBodySize"]
                + sizes["responseHeadersSize"]
                + sizes["responseBodySize"],
                "parts": (
                    sizes["requestHeadersSize"],
                    sizes["requestBodySize"],
                    sizes["responseHeadersSize"],
                    sizes["responseBodySize"],
                ),
            }
        )
    context.close()
    return saves


def stored_values(db_path, submission) -> list[str]:
    with sqlite3.connect(db_path) as db:
        rows = db.execute(
            "SELECT value FROM reports_datavalue WHERE submission_id = ?", (submission,)
        )
        return [row[0] for row in rows]


def verdict(size, budget):
    return "ok" if size <= budget else "OVER"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=20, help="cells to type (default 20)")
    args = parser.parse_args()
    count = max(1, min(args.cells, 2 * ROWS))

    from playwright.sync_api import sync_playwright

    from core.browser import launch

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "DATA_DIR": data_dir, "DJANGO_DEBUG": "0", "DATABASE_URL": ""}
        setup_database(env)
        submission = django_snippet(env, MAKE_ROUND)["submission"]
        server = start_server(env, port)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                state = logged_in_state(browser, base, "syt.baocao")
                path = f"/reports/submissions/{submission}/"
                loads = [first_load(browser, base, state, path) for _ in range(3)]
                saves = type_cells(browser, base, state, path, count)
                browser.close()
        finally:
            server.terminate()
            server.wait()
        stored = stored_values(Path(data_dir) / "binhdang.sqlite3", submission)
    report(loads, saves, stored)


def line(label, value, budget=""):
    print(f"  {label:<46} {value:>10}  {budget}".rstrip())


def report(loads, saves, stored):
    _, requests, size, status, cells = loads[0]
    print(f"data-entry page, Sở Y tế, round R-BENCH: {ROWS} rows × Nam/Nữ = {cells} editable cells")
    print("first load, empty browser cache")
    line("HTTP status", status)
    line("server ms (median of 3 first loads)", f"{statistics.median(r[0] for r in loads):.1f}")
    line("requests", requests)
    line("KB on the wire", f"{size / 1024:.1f}", f"budget 250 KB: {verdict(size, PAGE_BUDGET)}")
    sizes = [save["bytes"] for save in saves]
    times = [save["server_ms"] for save in saves]
    ok = sum(save["status"] == 200 and save["stored"] for save in saves)
    print(f"cell saves: {len(saves)} values typed with Tab after each, {ok} answered 200 with it")
    line("bytes per save (request + response), median", f"{statistics.median(sizes):.0f}")
    line("bytes per save, max", max(sizes), f"budget 2 KB: {verdict(max(sizes), SAVE_BUDGET)}")
    parts = [statistics.median(save["parts"][i] for save in saves) for i in range(4)]
    line("  request headers / body (median)", f"{parts[0]:.0f} / {parts[1]:.0f}")
    line("  response headers / body, gzip (median)", f"{parts[2]:.0f} / {parts[3]:.0f}")
    line("server ms per save, median", f"{statistics.median(times):.1f}")
    line("server ms per save, p95", f"{percentile(times, 0.95):.1f}")
    trips = [save["round_trip_ms"] for save in saves]
    line("type + Tab → response in Chromium ms, median", f"{statistics.median(trips):.1f}")
    expected = sorted(save["value"] for save in saves)
    check = "ok" if sorted(stored) == expected else "MISMATCH"
    line("values in the database afterwards", len(stored), check)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhdang.settings")
    main()
