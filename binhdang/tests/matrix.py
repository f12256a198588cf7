"""The persona × URL harness shared by the access matrices of the apps (cases, activities).

An app's tests declare routes in `matrix_*.py` modules beside its test_matrix.py:
    ROUTES = {"app:name": {"kwargs": lambda w: {...}, "method": "get" | "post",
                           "data": lambda w: {...} (optional), "expect": {persona: status}}}
where `w` is the app's fixture world and `w["people"][persona]` the user of a persona.

The world is built once per module (conftest.built_once) and each persona signs in once
(`sign_in`): every check runs in its own rolled-back transaction with that session's cookies."""

import importlib
import pkgutil
from http.cookies import SimpleCookie

from django.urls import get_resolver, reverse

from accounts.models import User
from conftest import VerifiedClient


def collect(package) -> dict:
    """Every route of the `matrix_*` modules of `package`; a name declared twice fails."""
    routes = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("matrix_"):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            overlap = routes.keys() & module.ROUTES.keys()
            assert not overlap, overlap
            routes.update(module.ROUTES)
    return routes


def missing(namespace: str, routes: dict, personas: list[str]) -> list[str]:
    """URL names of `namespace` no route declares, and routes not naming every persona."""
    resolver = get_resolver().namespace_dict[namespace][1]
    names = {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    incomplete = [n for n, r in routes.items() if set(r["expect"]) != set(personas)]
    return sorted(names - routes.keys()) + incomplete


def sign_in(people: dict[str, User]) -> dict[str, SimpleCookie]:
    """persona → the cookies of a session of theirs, signed in with both factors."""
    cookies = {}
    for persona, user in people.items():
        client = VerifiedClient()
        client.force_login(user)
        cookies[persona] = client.cookies
    return cookies


def check(client, world, route: dict, persona: str, sessions: dict[str, SimpleCookie]) -> None:
    """`route` (with its "name") asked by `persona`, signed in with the cookies of `sessions`."""
    if persona != "anonymous":
        client.cookies.update(sessions[persona])
    url = reverse(route["name"], kwargs=route.get("kwargs", lambda w: {})(world))
    data = route.get("data", lambda w: {})(world)
    response = getattr(client, route.get("method", "get"))(url, data)
    expected = route["expect"][persona]
    assert response.status_code == expected, (route["name"], persona, response.status_code)
    if response.status_code == 302 and persona == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
