"""Shared fixtures: the province and the 2025 plan loaded once, and one user per persona."""

import contextlib
import importlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.servers.basehttp import WSGIServer
from django.db import connection, connections, transaction
from django.test import Client
from django.test.testcases import LiveServerThread
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.testing import grant_gbv_access
from core.browser import launch
from core.roles import Role
from orgs.models import Unit
from orgs.services import load_reference_units
from plans.services import load_plan
from reports.services.reference import load_reporting

T = TypeVar("T")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_units()
        load_plan()
        load_reporting()


class SerialWSGIServer(WSGIServer):
    """One request at a time. The in-memory SQLite test database is a single connection shared
    with the server thread; concurrent requests on it fail ("cannot open savepoint")."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = SerialWSGIServer


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    # Request threads must not keep connections open, or the test database cannot be dropped.
    connections.databases["default"]["CONN_MAX_AGE"] = 0
    return live_server


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def production_hashers(settings):
    """The production password hashers (Argon2), which binhdang/settings_test.py swaps out."""
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS


@contextlib.contextmanager
def untraced(config) -> Iterator[None]:
    """Coverage paused inside the block (when the run traces it). On Python 3.11 tracing slows
    every line, pytest's and Django's included, to about half speed: code that other tests cover
    is run untraced where it is run in bulk."""
    plugin = config.pluginmanager.get_plugin("_cov")
    controller = getattr(plugin, "cov_controller", None)
    if controller is None or not controller.started:
        yield
        return
    controller.pause()
    try:
        yield
    finally:
        controller.resume()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """An `untraced` test is not traced, its fixtures' setup and teardown included (pytest-cov's
    `no_cover` pauses only the test's call): the route matrices are hundreds of small tests.

    Nor is any test that uses the live server (browser tests, the DHIS2 client): the server
    answers in a thread of its own, which coverage stops following once it has been paused, so
    what they would add would depend on the order they run in; the code they drive is covered by
    tests through Django's test client (the arcs only they reached have such tests of their own)."""
    if not (item.get_closest_marker("untraced") or _empties_the_tables(item)):
        return (yield)
    with untraced(item.config):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """The test database's set-up (migrations and the province's loaders, which their own tests
    trace) is not traced either."""
    if fixturedef.argname != "django_db_setup":
        return (yield)
    with untraced(request.config):
        return (yield)


def pytest_collection_modifyitems(config, items):
    # Browser tests and the other live-server tests (a DHIS2 client) use a live server whose
    # transactional teardown empties the tables that django_db_setup filled once; run them last
    # so no other test sees an empty province.
    items.sort(key=_empties_the_tables)
    # `make test` runs the suite on both databases at once and names each run in TEST_RUN; a
    # test whose outcome cannot depend on the database runs in one of the two (_run_of).
    run = os.environ.get("TEST_RUN")
    if run:
        other = [item for item in items if _run_of(item) not in (None, run)]
        config.hook.pytest_deselected(items=other)
        items[:] = [item for item in items if _run_of(item) in (None, run)]


def _run_of(item) -> str | None:
    """The one run of `make test` the test belongs to, or None for both: browser tests (their
    data the other tests check on both databases) and tests that cannot touch the database (no
    database fixture: pytest-django refuses them) in the SQLite run, which traces coverage;
    searches and crawls marked `once` in the run the marker names (PostgreSQL by default)."""
    if item.get_closest_marker("browser") or not _uses_the_database(item):
        return "sqlite"
    once = item.get_closest_marker("once")
    return once.kwargs.get("database", "postgresql") if once else None


def _uses_the_database(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(item.get_closest_marker("django_db") or names & DATABASE_FIXTURES)


# What opens the test database to a test (pytest-django's fixtures; `django_db_setup` for the
# class- and module-scoped data of conftest.built_once).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "django_db_setup",
    "live_server",
}


def _empties_the_tables(item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    return bool(
        item.get_closest_marker("browser")
        or transactional
        or names & {"live_server", "transactional_db"}
    )


def second_factor(user) -> TOTPDevice:
    """The user's confirmed authenticator (created on first use)."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, defaults={"name": "test"})
    return device


def totp_code(key: bytes) -> str:
    """The code an authenticator app shows now for `key`."""
    return f"{TOTP(key).token():06d}"


class VerifiedClient(Client):
    """force_login as after both factors: tests of other things need not enter TOTP codes
    (accounts/tests/test_second_factor.py tests that step itself)."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if user.needs_second_factor:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = second_factor(user).persistent_id
            session.save()


@pytest.fixture
def client():
    return VerifiedClient()


def make_user(username, role, unit_code=None, **extra):
    """A user of the persona; GBV roles come with approved access (accounts.testing)."""
    unit = Unit.objects.get(code=unit_code) if unit_code else None
    user = User.objects.create(
        username=username, full_name=username.title(), role=role, unit=unit, **extra
    )
    grant_gbv_access(user)
    return user


# persona → (username, role, unit code): the users of the persona fixtures below.
PERSONAS = {
    "coordinator": ("coordinator", Role.COORDINATOR, "SNV"),
    "leader": ("leader", Role.LEADER, "51"),
    "admin": ("admin", Role.ADMIN, "SNV"),
    "reporter": ("syt.baocao", Role.REPORTER, "SYT"),  # Sở Y tế's reporter
    "approver": ("syt.duyet", Role.APPROVER, "SYT"),
    # A reporter of another unit (Công an tỉnh): must never see Sở Y tế's records.
    "outsider": ("cat.baocao", Role.REPORTER, "CAT"),
    "commune_reporter": ("camthanh.baocao", Role.REPORTER, "21025"),
    "case_worker": ("canbo.hotro", Role.CASE_WORKER, "CAT"),
}


def make_personas(*names: str) -> dict[str, User]:
    """The users of the named personas (all of PERSONAS when none is named)."""
    return {name: make_user(*PERSONAS[name]) for name in names or PERSONAS}


def built_once(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """What a module- or class-scoped fixture yields from: `build()`'s data, made once and read
    by each test of the scope, then rolled back.

    The data is written in a transaction left open over the scope; each test's own transaction
    (pytest-django's `db`) nests in it as a savepoint, so what a test writes is undone after it
    and the next test sees the data as built, on SQLite and PostgreSQL alike. The fixture must
    ask for `django_db_setup`, the tests of the scope must be marked `django_db` (or the test
    database may not be set up) and none may ask for `transactional_db`."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            data = build()
        except BaseException:
            block.__exit__(*sys.exc_info())
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.fixture
def coordinator(db):
    return make_user(*PERSONAS["coordinator"])


@pytest.fixture
def leader(db):
    return make_user(*PERSONAS["leader"])


@pytest.fixture
def admin_user(db):
    return make_user(*PERSONAS["admin"])


@pytest.fixture
def reporter(db):
    """Reporter of Sở Y tế."""
    return make_user(*PERSONAS["reporter"])


@pytest.fixture
def approver(db):
    return make_user(*PERSONAS["approver"])


@pytest.fixture
def outsider(db):
    """A reporter of another unit (Công an tỉnh): must never see Sở Y tế's records."""
    return make_user(*PERSONAS["outsider"])


@pytest.fixture
def commune_reporter(db):
    return make_user(*PERSONAS["commune_reporter"])


@pytest.fixture
def case_worker(db):
    return make_user(*PERSONAS["case_worker"])


@pytest.fixture
def personas(coordinator, leader, admin_user, reporter, approver, outsider, case_worker):
    return {
        "coordinator": coordinator,
        "leader": leader,
        "admin": admin_user,
        "reporter": reporter,
        "approver": approver,
        "outsider": outsider,
        "case_worker": case_worker,
    }


# Browser tests (Playwright in Chromium against the live server)
BROWSER_PASSWORD = "mây-trắng-bay-qua-đồi-chè"


@pytest.fixture
def audit_flushable(transactional_db):
    """The live server's teardown empties every table, and the audit table refuses DELETE and
    TRUNCATE. Live-server tests run last (pytest_collection_modifyitems), so lift the triggers
    for their flushes."""
    yield
    migration = importlib.import_module("audit.migrations.0002_append_only_trigger")
    reverse = {"postgresql": migration.POSTGRES_REVERSE, "sqlite": migration.SQLITE_REVERSE}
    with connection.cursor() as cursor:
        for sql in reverse[connection.vendor]:
            cursor.execute(sql)


@pytest.fixture(scope="session")
def province_dump(django_db_setup, django_db_blocker) -> Callable[[], None]:
    """How to bring back the session's data (what django_db_setup loaded and the migrations
    made), copied when the first live-server test asks for it: those tests run last and are the
    only ones whose teardown empties the tables, so every table is still as the session set it
    up. The copy is the database's own: SQLite's backup API, or PostgreSQL tables copied into a
    schema of their own (milliseconds, where Django's serialized rollback takes seconds)."""
    with django_db_blocker.unblock():
        assert Unit.objects.exists(), "a test before the live-server tests emptied the tables"
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(copy)
            # The schema comes back too: the audit triggers that audit_flushable lifted.
            return lambda: copy.backup(connection.connection)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT quote_ident(table_name), string_agg(quote_ident(column_name), ', ' "
                "ORDER BY ordinal_position) FROM information_schema.columns "
                "WHERE table_schema = 'public' AND is_generated = 'NEVER' GROUP BY table_name"
            )
            columns = dict(cursor.fetchall())
            cursor.execute("DROP SCHEMA IF EXISTS province CASCADE; CREATE SCHEMA province")
            for table in columns:
                cursor.execute(f"CREATE TABLE province.{table} AS TABLE public.{table}")

        def restore():
            with connection.cursor() as cursor:
                # Replica mode: no foreign-key or audit trigger fires while the rows come back.
                cursor.execute("SET session_replication_role = replica")
                cursor.execute(f"TRUNCATE {', '.join(columns)}")
                for table, names in columns.items():  # quote_ident'ed by the catalogue above
                    cursor.execute(
                        f"INSERT INTO public.{table} ({names}) "  # noqa: S608
                        f"SELECT {names} FROM province.{table}"
                    )
                cursor.execute("SET session_replication_role = DEFAULT")

        return restore


@pytest.fixture
def province(province_dump, transactional_db):
    """The session's data again: a previous live-server test's teardown emptied the tables (and
    its flush made the content types anew, which the copy brings back as they were)."""
    if not Unit.objects.exists():
        province_dump()
        ContentType.objects.clear_cache()


# One Chromium for the whole session, started by the first browser test (browser tests run last)
# and stopped when the session ends: launching one costs about a second, and each page gets a
# context of its own (no cookies or storage shared between users).
_CHROMIUM: dict = {}


def _shared_browser():
    if _CHROMIUM and not _CHROMIUM["browser"].is_connected():  # it crashed: start another
        _CHROMIUM["browser"] = launch(_CHROMIUM["playwright"])
    if not _CHROMIUM:
        # Playwright's sync API runs an event loop in this thread from now on; the ORM calls of the
        # remaining (browser) tests' fixtures are synchronous code beside it, on the same
        # connection. No test after this point may use async_to_sync in this thread.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            browser = launch(playwright)
        except Exception:
            playwright.stop()
            raise
        _CHROMIUM.update(playwright=playwright, browser=browser)
    return _CHROMIUM["browser"]


def pytest_sessionfinish(session, exitstatus):
    if _CHROMIUM:
        try:
            _CHROMIUM["browser"].close()
        finally:
            _CHROMIUM.pop("playwright").stop()
            _CHROMIUM.clear()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@contextlib.contextmanager
def browser_page(**options):
    """A page in a context of its own (a new browser profile) of the session's Chromium;
    `options` go to the context (a viewport, `bypass_csp` to inject a test script)."""
    context = _shared_browser().new_context(locale="vi-VN", **options)
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
    finally:
        context.close()


def make_browser_user(username, role, unit_code):
    """A user who logs in through the login page with a password."""
    return enable_browser_login(make_user(username, role, unit_code))


def enable_browser_login(user):
    """A password (and an authenticator, for the roles that need one) for an existing user."""
    user.set_password(BROWSER_PASSWORD)
    user.save()
    if user.needs_second_factor:
        device = second_factor(user)
        device.tolerance = BROWSER_TOLERANCE
        device.save()
        BROWSER_KEYS[user.username] = device.bin_key
    return user


# Steps ahead of the clock a browser user's authenticator accepts (production: one): a test logging
# in several times uses the next step's code each time instead of waiting 30 s for the clock; a
# used code is still refused (accounts/tests/test_second_factor.py tests that).
BROWSER_TOLERANCE = 10
# username → TOTP key of browser users, read without the ORM inside Playwright's event loop.
BROWSER_KEYS = {}
# username → the last 30-second step whose code was used: a code is accepted once only.
BROWSER_STEPS = {}


def next_code(username) -> str:
    """A code the server accepts now: the current step's, or a later one's (BROWSER_TOLERANCE)
    when this user's current code was already used; else wait for the clock."""
    step = max(int(time.time() // 30), BROWSER_STEPS.get(username, -1) + 1)
    while step > int(time.time() // 30) + BROWSER_TOLERANCE:
        time.sleep(1)
    BROWSER_STEPS[username] = step
    totp = TOTP(BROWSER_KEYS[username])
    totp.time = step * 30
    return f"{totp.token():06d}"


def log_in(page, url, username):
    page.goto(f"{url}/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(BROWSER_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    if username in BROWSER_KEYS:
        page.get_by_label("Mã xác thực (6 chữ số)").fill(next_code(username))
        page.get_by_role("button", name="Xác nhận").click()
