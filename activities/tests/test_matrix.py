"""Every URL of the activities app × every persona × Sở Y tế's records → the expected status.

Each area declares its routes in a `matrix_*.py` module beside this one:
    ROUTES = {"activities:name": {"kwargs": lambda w: {...}, "method": "get" | "post",
                                  "data": lambda w: {...} (optional), "expect": {persona: status}}}
with every persona of PERSONAS in "expect" (the `acts` fixture in conftest.py: the records belong
to Sở Y tế, whose reporter and approver are "reporter" and "approver"). A URL of the app missing
from every matrix fails the test."""

import importlib
import pkgutil

import pytest
from django.urls import get_resolver, reverse

import activities.tests

PERSONAS = [
    "reporter",
    "approver",
    "outsider",
    "commune_reporter",
    "coordinator",
    "leader",
    "admin",
    "case_worker",
    "anonymous",
]


def _routes() -> dict:
    routes = {}
    for info in pkgutil.iter_modules(activities.tests.__path__):
        if info.name.startswith("matrix_"):
            module = importlib.import_module(f"activities.tests.{info.name}")
            overlap = routes.keys() & module.ROUTES.keys()
            assert not overlap, overlap
            routes.update(module.ROUTES)
    return routes


ROUTES = _routes()


def test_every_url_of_the_app_is_in_the_matrix():
    namespace = get_resolver().namespace_dict["activities"][1]
    names = {f"activities:{name}" for name in namespace.reverse_dict if isinstance(name, str)}
    missing = names - ROUTES.keys()
    assert not missing, f"add these to an activities/tests/matrix_*.py: {sorted(missing)}"
    for name, route in ROUTES.items():
        assert set(route["expect"]) == set(PERSONAS), name


@pytest.mark.parametrize(
    ("name", "persona"), [(name, persona) for name in ROUTES for persona in PERSONAS]
)
def test_matrix(client, acts, name, persona):
    route = ROUTES[name]
    if persona != "anonymous":
        client.force_login(acts["people"][persona])
    url = reverse(name, kwargs=route.get("kwargs", lambda w: {})(acts))
    data = route.get("data", lambda w: {})(acts)
    response = getattr(client, route.get("method", "get"))(url, data)
    expected = route["expect"][persona]
    assert response.status_code == expected, (name, persona, response.status_code)
    if response.status_code == 302 and persona == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
