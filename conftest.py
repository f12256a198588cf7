"""Shared fixtures: the province and the 2025 plan loaded once, and one user per persona."""

import pytest
from django.db import connections

from accounts.models import Role, User
from orgs.models import Unit
from orgs.services import load_reference_units
from plans.services import load_plan
from reports.services import load_reporting


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_units()
        load_plan()
        load_reporting()


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    # Request threads must not keep connections open, or the test database cannot be dropped.
    connections.databases["default"]["CONN_MAX_AGE"] = 0
    return live_server


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(items):
    # Browser tests use a live server whose transactional teardown empties the tables that
    # django_db_setup filled once; run them last so no other test sees an empty province.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def make_user(username, role, unit_code=None, **extra):
    unit = Unit.objects.get(code=unit_code) if unit_code else None
    return User.objects.create(
        username=username, full_name=username.title(), role=role, unit=unit, **extra
    )


@pytest.fixture
def coordinator(db):
    return make_user("coordinator", Role.COORDINATOR, "SNV")


@pytest.fixture
def leader(db):
    return make_user("leader", Role.LEADER, "51")


@pytest.fixture
def admin_user(db):
    return make_user("admin", Role.ADMIN, "SNV")


@pytest.fixture
def reporter(db):
    """Reporter of Sở Y tế."""
    return make_user("syt.baocao", Role.REPORTER, "SYT")


@pytest.fixture
def approver(db):
    return make_user("syt.duyet", Role.APPROVER, "SYT")


@pytest.fixture
def outsider(db):
    """A reporter of another unit (Công an tỉnh): must never see Sở Y tế's records."""
    return make_user("cat.baocao", Role.REPORTER, "CAT")


@pytest.fixture
def commune_reporter(db):
    return make_user("camthanh.baocao", Role.REPORTER, "21025")


@pytest.fixture
def case_worker(db):
    return make_user("canbo.hotro", Role.CASE_WORKER, "CAT")


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
