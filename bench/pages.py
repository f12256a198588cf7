"""First-load cost of the main pages in Chromium: server time and bytes on the wire.

Usage: make bench   (or .venv/bin/python bench/pages.py)

Builds a throw-away SQLite database with the province, the 2025 plan and the demo users, serves it
with DEBUG off (whitenoise, gzip) on a free local port, then opens each page in a fresh browser
context (empty cache) and sums what Chromium received. Budget: 200 KB per page.
"""

import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "hoa-sen-trong-dam"
BUDGET = 200 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def start_server(env, port):
    for command in (
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput"],
        ["load_units"],
        ["load_plan"],
        ["load_reporting"],
        ["load_demo"],
    ):
        manage(env, *command)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def record_ids(db_path) -> dict:
    with sqlite3.connect(db_path) as db:
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "plan": one("SELECT id FROM plans_plan WHERE year = 2025"),
            "item": one("SELECT id FROM plans_planitem WHERE code = 'IV.13.a'"),
            "task": one(
                "SELECT t.id FROM plans_task t JOIN plans_planitem i ON i.id = t.item_id "
                "JOIN orgs_unit u ON u.id = t.unit_id WHERE i.code = 'IV.5.a' AND u.code = 'SYT'"
            ),
            "case": one("SELECT MIN(id) FROM cases_case"),
            "campaign": one("SELECT id FROM activities_campaign ORDER BY year DESC"),
        }


def logged_in_state(browser, base, env, username):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url == f"{base}/" or "/second-factor/" in url)
    if "/second-factor/" in page.url:  # demo accounts: the code their demo authenticator shows
        code = subprocess.run(
            [sys.executable, "manage.py", "demo_code", username],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        page.fill("#id_code", code)
        page.click("form:has(#id_code) button[type=submit]")
    page.wait_for_url(f"{base}/")
    state = context.storage_state()
    context.close()
    return state


def measure(browser, base, state, path):
    """Open `path` with an empty cache; return (server ms, requests, bytes on the wire)."""
    context = browser.new_context(storage_state=state)
    page = context.new_page()
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    document = page.goto(base + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    timing = document.headers.get("server-timing", "app;dur=0").split("dur=")[1]
    total = 0
    for request in responses:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    context.close()
    return float(timing), len(responses), total, document.status


def main():
    from playwright.sync_api import sync_playwright

    from core.browser import launch

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "DATA_DIR": data_dir, "DJANGO_DEBUG": "0", "DATABASE_URL": ""}
        server = start_server(env, port)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                run(browser, base, env, record_ids(Path(data_dir) / "binhdang.sqlite3"))
                browser.close()
        finally:
            server.terminate()
            server.wait()


def run(browser, base, env, ids):
    states = {
        name: logged_in_state(browser, base, env, name)
        for name in ("coordinator", "syt.baocao", "camthanh.baocao", "syt.hotro")
    }
    pages = [
        ("login (anonymous)", None, "/accounts/login/"),
        ("home, coordinator", "coordinator", "/"),
        ("plan 2025, coordinator (49 items, 357 tasks)", "coordinator", f"/plans/{ids['plan']}/"),
        ("plan 2025, overdue filter", "coordinator", f"/plans/{ids['plan']}/?status=overdue"),
        ("plan 2025, Sở Y tế reporter", "syt.baocao", f"/plans/{ids['plan']}/"),
        ("item IV.13.a (109 tasks)", "coordinator", f"/plans/items/{ids['item']}/"),
        ("task page with form", "syt.baocao", f"/plans/tasks/{ids['task']}/"),
        ("my tasks, commune", "camthanh.baocao", "/plans/tasks/"),
        ("home, Sở Y tế reporter", "syt.baocao", "/"),
        ("units (134)", "coordinator", "/units/"),
        ("users", "coordinator", "/accounts/users/"),
        ("GBV: my cases, case worker", "syt.hotro", "/cases/"),
        ("GBV: case page", "syt.hotro", f"/cases/{ids['case']}/"),
        ("GBV: referrals", "syt.hotro", "/cases/referrals/"),
        ("GBV: safe places", "syt.hotro", "/cases/places/"),
        ("GBV: statistics, coordinator", "coordinator", "/cases/statistics/"),
        ("activities, coordinator", "coordinator", "/activities/"),
        ("activities, commune reporter", "camthanh.baocao", "/activities/"),
        ("Action Month board", "coordinator", f"/activities/campaigns/{ids['campaign']}/"),
        ("budget", "coordinator", "/activities/budget/"),
        ("dashboard, coordinator", "coordinator", "/analytics/"),
    ]
    print("server ms: median of 3 first loads, each with an empty browser cache")
    print(
        f"{'page':<48} {'status':>6} {'server ms':>10} {'requests':>9} {'KB on wire':>11}  budget"
    )
    for label, who, path in pages:
        runs = [measure(browser, base, states.get(who), path) for _ in range(3)]
        server_ms = statistics.median(run[0] for run in runs)
        _, count, size, status = runs[0]
        verdict = "ok" if size <= BUDGET else "OVER"
        print(
            f"{label:<48} {status:>6} {server_ms:>10.1f} {count:>9} {size / 1024:>11.1f}  {verdict}"
        )


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhdang.settings")
    main()
