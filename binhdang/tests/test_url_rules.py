"""Deny by default: every URL declares who may use it."""

from django.urls import URLPattern, URLResolver, get_resolver

from binhdang.api import api
from core.access import AUTHENTICATED, PUBLIC


def _patterns(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


def test_every_url_has_an_access_rule():
    missing = []
    for name, pattern in _patterns():
        if name.startswith(("api:", "dhis2:")) and not name.endswith(":openapi-json"):
            continue  # ninja's operation views: checked operation by operation below
        rule = getattr(pattern.callback, "access_rule", None)
        if rule is None or (
            rule not in (PUBLIC, AUTHENTICATED) and not isinstance(rule, frozenset | set)
        ):
            missing.append(name)
    assert missing == []


def test_only_the_login_page_is_public():
    public = [name for name, p in _patterns() if getattr(p.callback, "access_rule", None) == PUBLIC]
    assert public == ["accounts:login"]


def test_every_api_operation_requires_a_token(client):
    schema = api.get_openapi_schema()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert operations and all(op.get("security") == [{"TokenAuth": []}] for op in operations)
    for path in schema["paths"]:
        url = path.replace("{code}", "51").replace("{year}", "2025")
        assert client.get(url).status_code == 401, url
        # The same operation where DHIS2's clients look for it (/api/<resource>).
        assert client.get(url.replace("/api/v1/", "/api/", 1)).status_code == 401, url
