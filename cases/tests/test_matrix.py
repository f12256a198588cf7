"""Every URL of the GBV module × every persona × the fixture case → the expected status.

Each area declares its routes in a `matrix_*.py` module beside this one:
    ROUTES = {"cases:name": {"kwargs": lambda w: {...}, "method": "get" | "post",
                             "data": lambda w: {...} (optional), "expect": {persona: status}}}
with every persona of PERSONAS in "expect". A URL of the module missing here fails the test."""

import importlib
import pkgutil

import pytest
from django.urls import get_resolver, reverse

import cases.tests

PERSONAS = [
    "owner",
    "supervisor",
    "recipient",
    "ended_recipient",
    "other",
    "place_staff",
    "coordinator",
    "leader",
    "admin",
    "anonymous",
]


def _routes() -> dict:
    routes = {}
    for info in pkgutil.iter_modules(cases.tests.__path__):
        if info.name.startswith("matrix_"):
            module = importlib.import_module(f"cases.tests.{info.name}")
            overlap = routes.keys() & module.ROUTES.keys()
            assert not overlap, overlap
            routes.update(module.ROUTES)
    return routes


ROUTES = _routes()


def _module_url_names() -> set[str]:
    namespace = get_resolver().namespace_dict["cases"][1]
    return {f"cases:{name}" for name in namespace.reverse_dict if isinstance(name, str)}


def test_every_url_of_the_module_is_in_the_matrix():
    missing = _module_url_names() - ROUTES.keys()
    assert not missing, f"add these to a cases/tests/matrix_*.py: {sorted(missing)}"
    for name, route in ROUTES.items():
        assert set(route["expect"]) == set(PERSONAS), name


@pytest.mark.parametrize(
    ("name", "persona"), [(name, persona) for name in ROUTES for persona in PERSONAS]
)
def test_matrix(client, gbv, name, persona):
    route = ROUTES[name]
    if persona != "anonymous":
        client.force_login(gbv["people"][persona])
    url = reverse(name, kwargs=route.get("kwargs", lambda w: {})(gbv))
    data = route.get("data", lambda w: {})(gbv)
    response = getattr(client, route.get("method", "get"))(url, data)
    expected = route["expect"][persona]
    assert response.status_code == expected, (name, persona, response.status_code)
    if response.status_code == 302 and persona == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
