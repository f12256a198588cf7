"""Many reporters saving cells at once: gunicorn on PostgreSQL, latency, errors, lost writes.

Usage: .venv/bin/python bench/load.py [--seconds 60] [--users 109] [--workers 4] [--threads 4]

Drops and recreates the PostgreSQL database binhdang_bench (127.0.0.1:5432, user postgres), loads
the province, the plan, the reporting and the demo users, opens a round R-LOAD of a 20-row form
(40 cells) for every agency, commune, ward and special zone (109 units) and gives each unit a
reporter account. Then it starts gunicorn on a free local port and runs one thread per simulated
reporter: log in through /accounts/login/, open the unit's submission once (CSRF token, cell
versions), then save random cells of that submission with the version last seen, until the time
is up. Clients of the same unit (when --users exceeds the units) split its cells between them, so
no two clients ever write the same cell and a conflict answer would be a bug.

Afterwards every cell's value in the database is compared with the last value its client saw
acknowledged (lost writes); the sum of the cells' versions and the number of audit events must
equal the number of acknowledged saves. Gunicorn is stopped and the database dropped at the end,
also on Ctrl-C or an error.
"""

import argparse
import collections
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    django_snippet,
    free_port,
    percentile,
    setup_database,
    wait_until_up,
)

DATABASE = "binhdang_bench"
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
BENCH_DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={DATABASE}"
ROUND = "R-LOAD"
PASSWORD = "tai-thu-nghiem-binh-dang"
LOGIN_AT_ONCE = 4  # Argon2 needs ~100 MB per check: log the clients in a few at a time
TIMEOUT = 30  # seconds for one HTTP request
IDLE = 1.0  # seconds after which a kept-alive connection is replaced before use

MAKE_ROUND = f"""
from django.contrib.auth.hashers import make_password
from accounts.models import User
from core.roles import Role
from reports.tests.factories import make_form, open_round
form = make_form(rows=20, code="LOAD", with_part=False)
round_ = open_round(
    form, code={ROUND!r}, kinds=("agency", "commune", "ward", "special_zone")
)
hashed = make_password({PASSWORD!r})
accounts = []
for index, submission in enumerate(round_.submissions.select_related("unit").order_by("pk")):
    user = User.objects.create(
        username=f"load{{index:03}}",
        full_name=f"Người báo cáo thử {{index}}",
        email=f"load{{index:03}}@example.invalid",
        role=Role.REPORTER,
        unit=submission.unit,
        password=hashed,
    )
    accounts.append({{"username": user.username, "submission": submission.pk}})
emit(accounts)
"""

CELL = re.compile(
    r'<td id="c-(?P<row>\d+)-(?P<combo>\d+)" class="(?P<cls>[^"]*)".*?'
    r'name="value" value="(?P<value>[^"]*)".*?'
    r'"version": "(?P<version>\d+)"',
    re.S,
)
PAGE_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_cells(html) -> dict:
    """(row, combo) → (value, version, css classes) for every editable cell in `html`."""
    return {
        (int(m["row"]), int(m["combo"])): (m["value"], int(m["version"]), m["cls"].split())
        for m in CELL.finditer(html)
    }


# --- PostgreSQL --------------------------------------------------------------------------------


def recreate_database():
    import psycopg

    with psycopg.connect(ADMIN_DSN, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{DATABASE}"')


def drop_database():
    import psycopg

    with psycopg.connect(ADMIN_DSN, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def stored_cells() -> tuple[dict, int]:
    """(submission, row, combo) → (value, version) of round R-LOAD, and its audit events."""
    import psycopg

    with psycopg.connect(BENCH_DSN) as db:
        rows = db.execute(
            """
            SELECT dv.submission_id, r.id, dv.option_combo_id, dv.value, dv.version
            FROM reports_datavalue dv
            JOIN reports_submission s ON s.id = dv.submission_id
            JOIN reports_round rd ON rd.id = s.round_id
            JOIN reports_section sec ON sec.form_id = rd.form_id
            JOIN reports_row r ON r.section_id = sec.id AND r.data_element_id = dv.data_element_id
            WHERE rd.code = %s
            """,
            (ROUND,),
        ).fetchall()
        events = db.execute(
            "SELECT count(*) FROM audit_event WHERE object_type = 'reports.datavalue' "
            "AND object_repr LIKE %s",
            (f"% {ROUND} %",),
        ).fetchone()[0]
    return {(s, r, c): (value, version) for s, r, c, value, version in rows}, events


# --- one simulated reporter --------------------------------------------------------------------


class Reporter:
    def __init__(self, port, username, submission, share, shares):
        self.port, self.username, self.submission = port, username, submission
        self.share, self.shares = share, shares
        self.cookies: dict[str, str] = {}
        self.connection = None
        self.last_used = 0.0
        self.token = ""
        self.known: dict = {}  # (row, combo) → (value, version) as last answered by the server
        self.written: dict = {}  # (row, combo) → the last value the server acknowledged
        self.latencies: list[float] = []
        self.server_ms: list[float] = []
        self.errors: collections.Counter = collections.Counter()
        self.conflicts = 0
        self.saves = 0
        self.ready = False

    def http(self, method, path, fields=None, headers=None):
        if self.connection is not None and time.monotonic() - self.last_used > IDLE:
            self.connection.close()  # gunicorn drops idle keep-alive connections after 2 s
            self.connection = None
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""') or "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        self.last_used = time.monotonic()
        if response.will_close:
            self.connection.close()
            self.connection = None
        return response.status, response.headers, text

    def log_in(self, gate):
        status, _, page = self.http("GET", "/accounts/login/")
        token = FORM_TOKEN.search(page)
        if status != 200 or not token:
            raise RuntimeError(f"{self.username}: login page answered {status}")
        fields = {"csrfmiddlewaretoken": token[1], "username": self.username}
        with gate:
            status, headers, _ = self.http(
                "POST", "/accounts/login/", {**fields, "password": PASSWORD, "next": "/"}
            )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{self.username}: login answered {status}")
        status, _, page = self.http("GET", f"/reports/submissions/{self.submission}/")
        token = PAGE_TOKEN.search(page)
        cells = parse_cells(page)
        if status != 200 or not token or not cells:
            raise RuntimeError(f"{self.username}: submission page answered {status}")
        self.token = token[1]
        mine = sorted(cells)[self.share :: self.shares]
        self.known = {key: cells[key][:2] for key in mine}
        self.ready = True

    def save_one(self, rng):
        key = rng.choice(list(self.known))
        old_value, version = self.known[key]
        value = old_value
        while value == old_value:
            value = str(rng.randint(1, 99_999))
        fields = {"row": key[0], "combo": key[1], "value": value, "version": version}
        headers = {"X-CSRFToken": self.token, "HX-Request": "true"}
        started = time.perf_counter()
        try:
            status, answer_headers, text = self.http(
                "POST", f"/reports/submissions/{self.submission}/cell/", fields, headers
            )
        except (OSError, http.client.HTTPException) as error:
            self.errors[type(error).__name__] += 1
            return
        self.latencies.append((time.perf_counter() - started) * 1000)
        timing = answer_headers.get("Server-Timing", "app;dur=0")
        self.server_ms.append(float(timing.split("dur=")[1]))
        if status != 200:
            self.errors[f"HTTP {status}"] += 1
            return
        cell = parse_cells(text).get(key)
        if cell is None:
            self.errors["answer without the cell"] += 1
            return
        stored, new_version, classes = cell
        if "conflict" in classes:
            self.conflicts += 1
            self.known[key] = (stored, new_version)
            return
        # The grid shows numbers the Vietnamese way: 42.558 is the 42558 that was sent.
        if "invalid" in classes or stored.replace(".", "") != value or new_version != version + 1:
            self.errors["value not taken"] += 1
            return
        self.known[key] = (value, new_version)
        self.written[key] = value
        self.saves += 1

    def run(self, start, clock, stop, seed):
        rng = random.Random(seed)
        start.wait()
        while not stop.is_set() and time.monotonic() < clock["deadline"]:
            self.save_one(rng)
        if self.connection is not None:
            self.connection.close()


# --- the run -----------------------------------------------------------------------------------


def start_gunicorn(env, port, workers, threads, log):
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "binhdang.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--error-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(server, f"http://127.0.0.1:{port}/accounts/login/")
    return server


def stop_gunicorn(server):
    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def log_in_all(reporters, limit):
    gate = threading.Semaphore(LOGIN_AT_ONCE)
    failures = []

    def one(reporter):
        try:
            reporter.log_in(gate)
        except (RuntimeError, OSError, http.client.HTTPException) as error:
            failures.append(f"{reporter.username}: {error}")

    threads = [threading.Thread(target=one, args=(r,), daemon=True) for r in reporters]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + limit
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    not_ready = [r.username for r in reporters if not r.ready]
    if not_ready:
        raise SystemExit(f"{len(not_ready)} clients could not log in: {failures[:5]}")


def hammer(reporters, seconds):
    start, stop, clock = threading.Event(), threading.Event(), {}
    threads = [
        threading.Thread(target=r.run, args=(start, clock, stop, index), daemon=True)
        for index, r in enumerate(reporters)
    ]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    clock["deadline"] = began + seconds
    start.set()
    try:
        for thread in threads:
            thread.join(max(0.1, clock["deadline"] + TIMEOUT + 5 - time.monotonic()))
    finally:
        stop.set()
    return time.monotonic() - began


def check_writes(reporters):
    stored, events = stored_cells()
    lost, wrong_version, strangers = [], 0, 0
    clients = {}
    for reporter in reporters:
        for key, value in reporter.written.items():
            cell = (reporter.submission, *key)
            clients[cell] = (value, reporter.known[key][1])
            if cell not in stored or stored[cell][0] != value:
                lost.append((reporter.username, cell, value, stored.get(cell)))
            elif stored[cell][1] != reporter.known[key][1]:
                wrong_version += 1
    strangers = sum(1 for cell in stored if cell not in clients)
    versions = sum(version for _, version in stored.values())
    return lost, wrong_version, strangers, versions, events


def report(reporters, elapsed, args, checks):
    lost, wrong_version, strangers, versions, events = checks
    latencies = [ms for r in reporters for ms in r.latencies]
    server = [ms for r in reporters for ms in r.server_ms]
    errors = collections.Counter()
    for reporter in reporters:
        errors.update(reporter.errors)
    saves = sum(r.saves for r in reporters)
    conflicts = sum(r.conflicts for r in reporters)
    requests = len(latencies) + sum(
        n for name, n in errors.items() if not name.startswith(("HTTP", "value", "answer"))
    )
    units = len({r.submission for r in reporters})
    print(
        f"{len(reporters)} simulated reporters on {units} units, {elapsed:.1f} s, gunicorn "
        f"-w {args.workers} --threads {args.threads}, PostgreSQL, round {ROUND} (40 cells/unit)"
    )

    def line(label, value, verdict=""):
        print(f"  {label:<40} {value:>12}  {verdict}".rstrip())

    line("cell saves sent", requests)
    line("requests/s", f"{requests / elapsed:.1f}")
    if latencies:
        for name, fraction in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            line(f"latency {name} ms (client)", f"{percentile(latencies, fraction):.1f}")
        line("latency max ms (client)", f"{max(latencies):.1f}")
        line(
            "server ms p50 / p95 (Server-Timing)",
            f"{statistics.median(server):.1f} / {percentile(server, 0.95):.1f}",
        )
    line("saves acknowledged", saves)
    line(
        "errors (non-200, exceptions, refused)",
        sum(errors.values()),
        "ok" if not errors else "FAIL " + ", ".join(f"{k}: {v}" for k, v in errors.items()),
    )
    line("conflicts", conflicts, "ok" if not conflicts else "UNEXPECTED")
    line("lost writes (db ≠ last acknowledged)", len(lost), "ok" if not lost else "FAIL")
    line(
        "cells with a version ≠ the client's", wrong_version, "ok" if not wrong_version else "FAIL"
    )
    line("cells written by nobody", strangers, "ok" if not strangers else "FAIL")
    line("sum of cell versions = saves", versions, "ok" if versions == saves else "FAIL")
    line("audit events = saves", events, "ok" if events == saves else "FAIL")
    for username, cell, value, found in lost[:5]:
        print(f"    lost: {username} cell {cell} wrote {value!r}, database has {found!r}")
    failed = errors or conflicts or lost or wrong_version or strangers
    return not failed and versions == saves == events


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="duration (default 60)")
    parser.add_argument("--users", type=int, default=0, help="clients (default: one per unit)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 3600 or not 0 <= args.users <= 1000:
        parser.error("--seconds must be 1..3600 and --users 0..1000")

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    port = free_port()
    server = None
    ok = False
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            **os.environ,
            "DATA_DIR": data_dir,
            "DJANGO_DEBUG": "0",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            "SECRET_KEY": "bench-load-" + os.urandom(16).hex(),
        }
        log = Path(data_dir) / "gunicorn.log"
        recreate_database()
        try:
            setup_database(env)
            accounts = django_snippet(env, MAKE_ROUND)
            count = args.users or len(accounts)
            shares = collections.Counter(i % len(accounts) for i in range(count))
            seen = collections.Counter()
            reporters = []
            for index in range(count):
                account = accounts[index % len(accounts)]
                share = seen[index % len(accounts)]
                seen[index % len(accounts)] += 1
                reporters.append(
                    Reporter(
                        port,
                        account["username"],
                        account["submission"],
                        share,
                        shares[index % len(accounts)],
                    )
                )
            server = start_gunicorn(env, port, args.workers, args.threads, log)
            log_in_all(reporters, limit=300)
            elapsed = hammer(reporters, args.seconds)
            stop_gunicorn(server)
            ok = report(reporters, elapsed, args, check_writes(reporters))
            if not ok and log.exists():
                print("gunicorn error log (last lines):")
                print("\n".join(log.read_text().splitlines()[-30:]))
        except KeyboardInterrupt:
            print("interrupted: stopping gunicorn and dropping the database", file=sys.stderr)
        finally:
            stop_gunicorn(server)
            drop_database()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binhdang.settings")
    main()
