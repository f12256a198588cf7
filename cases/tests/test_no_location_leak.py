"""A safe place's location and contact leave no page, file or API answer but the place's own page
for its staff and for the owner of a case staying there.

Every persona of the fixture GETs every URL of the project (ids filled from the fixture or the
loaded province where the converter is int), the known downloads, every GET operation of the API
with a token of theirs, and then every same-site link those pages show, files unzipped."""

import functools
import io
import re
import zipfile
from collections import deque

import pytest
from django.apps import apps
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from accounts.models import ApiToken
from binhdang.api import api
from cases.tests.conftest import CONTACT, LOCATION
from indicators.exchange import KINDS

pytestmark = pytest.mark.django_db

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
]
ALLOWED = {("cases:place", "place_staff"), ("cases:place", "owner")}
SKIPPED = {"accounts:logout"}  # would end the session the rest of the walk needs
MAX_PAGES = 400

# Which record an int id of a cases: URL names (the first word found in the URL name).
CASE_IDS = [
    ("report", lambda w: _first_pk("reports.Submission")),  # statistics into a report
    ("referral", lambda w: w["referral"].pk),
    ("stay_new", lambda w: w["place"].pk),
    ("stay", lambda w: w["stay"].pk),
    ("place", lambda w: w["place"].pk),
    ("incident", lambda w: w["incident"].pk),
    ("consent", lambda w: w["consent"]["referral"].pk),
    ("followup", lambda w: w["follow_up"].pk),
]
# Other apps: the model whose first record fills the id (longest matching name prefix).
OTHER_IDS = {
    "accounts": "accounts.User",
    "orgs": "orgs.Unit",
    "plans:detail": "plans.Plan",
    "plans:copy": "plans.Plan",
    "plans:item": "plans.PlanItem",
    "plans:task": "plans.Task",
    "plans:evidence": "plans.Evidence",
    "reports": "reports.Submission",
    "reports:round": "reports.Round",
    "reports:urge": "reports.Round",
    "reports:attachment": "reports.Attachment",
    "reports:builder": "reports.Form",
    "reports:builder_question": "reports.Section",
    "reports:builder_row": "reports.Section",
    "indicators:element": "indicators.DataElement",
    "indicators:indicator": "indicators.ComputedIndicator",
    "indicators:target": "indicators.Target",
    "analytics": "reports.Round",
}
STR_KWARGS = {
    "indicators:export": [{"kind": "catalogue", "extension": "xlsx"}]
    + [{"kind": kind, "extension": "csv"} for kind in KINDS],
}
LINK = re.compile(r'href="(/[^"#]*)"')


def _patterns(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


@functools.cache
def _kind(url: str) -> tuple:
    """Links to the same view with other ids are the same page again: one of each is enough."""
    path, _sep, query = url.partition("?")
    try:
        match = resolve(path)
    except Resolver404:
        return ("", path)
    words = tuple(sorted((k, v) for k, v in match.kwargs.items() if not isinstance(v, int)))
    return (match.view_name, words, tuple(sorted(re.findall(r"(?:^|&)([^=&]+)", query))))


def _first_pk(label: str) -> int:
    obj = apps.get_model(label).objects.order_by("pk").first()
    return obj.pk if obj else 1


def _int_id(name: str, w) -> int:
    namespace, _sep, short = name.partition(":")
    if namespace == "cases":
        return next((pk(w) for word, pk in CASE_IDS if word in short), w["case"].pk)
    prefix = max((p for p in OTHER_IDS if name.startswith(p)), key=len, default=None)
    return _first_pk(OTHER_IDS[prefix]) if prefix else 1


def _urls(w) -> list[str]:
    urls = []
    for name, pattern in _patterns():
        if name.startswith(("api:", "dhis2:")) or name in SKIPPED:
            continue  # the API: operation by operation, with a token (below)
        converters = pattern.pattern.converters
        if all(isinstance(c, IntConverter) for c in converters.values()):
            urls.append(reverse(name, kwargs={k: _int_id(name, w) for k in converters}))
        else:
            urls += [reverse(name, kwargs=kwargs) for kwargs in STR_KWARGS.get(name, [])]
    return urls + [
        reverse("analytics:dashboard") + "?format=csv",
        reverse("cases:places") + "?free=on",
    ]


def _api_urls() -> list[str]:
    submission = apps.get_model("reports.Submission").objects.select_related("round", "unit")
    first = submission.order_by("pk").first()
    values = {
        "code": "SYT",
        "year": "2025",
        "round_code": first.round.code if first else "x",
        "unit_code": first.unit.code if first else "x",
        "job_id": str(
            apps.get_model("core.Job").objects.order_by("pk").values_list("pk", flat=True).first()
            or 1
        ),
    }
    schema = api.get_openapi_schema()
    return [
        re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
        for path, operations in schema["paths"].items()
        if "get" in operations
    ]


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content or b""
    parts = [body]
    if body[:2] == b"PK":  # xlsx, docx: the text is in the zipped XML
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts = [archive.read(name) for name in archive.namelist()]
    return "\n".join(part.decode("utf-8", "replace") for part in parts)


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]


def _synthesis_downloads(client) -> list[tuple[str, str]]:
    """The provincial report files over every saved report, as the province-wide personas may
    download them: each is made by a background job (run at once by the test settings), then
    downloaded."""
    round_pk = _first_pk("reports.Round")
    url = reverse("analytics:synthesis", args=[round_pk])
    draft = {
        "number": "01/BC-UBND",
        "place": "Quảng Ngãi",
        "date": timezone.localdate().isoformat(),
        "title": "Báo cáo",
        "recipients": "Như trên",
        "signer_title": "Chủ tịch",
        "signer": "Người ký",
        "basis": "all",
    }
    files = []
    for fmt in ("xlsx", "docx"):
        response = client.post(url, {**draft, "format": fmt})
        job = apps.get_model("core.Job").objects.filter(kind=f"analytics.synthesis_{fmt}").first()
        if response.status_code == 302 and job is not None:
            file_url = reverse("analytics:synthesis_download", args=[round_pk, job.pk])
            response = client.get(file_url)
            assert response.status_code == 200
        files.append((f"{url} ({fmt})", _text(response)))
    return files


@pytest.fixture
def gbv(gbv_once):
    """The world, built once for the module: each walk leaves it as it found it."""
    return gbv_once


@pytest.mark.untraced  # the pages' code is covered by their own tests; tracing the crawl is slow
@pytest.mark.once  # the pages and files are the same on both databases
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_file_or_api_answer_shows_a_location(client, gbv, persona):
    place = gbv["place"]
    secrets = [LOCATION, CONTACT, place.contact_phone]
    user = gbv["people"][persona]
    client.force_login(user)
    leaks, seen, shown = [], set(), 0
    queue = deque(_urls(gbv))
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        kind = _kind(url)
        if kind in seen or url.startswith("/static/") or kind[0] in SKIPPED:
            continue
        seen.add(kind)
        response = client.get(url)
        text = _text(response)
        shown += response.status_code == 200
        if (kind[0], persona) not in ALLOWED:
            leaks += [(url, secret) for secret in _leaks(text, secrets)]
        if response.get("Content-Type", "").startswith("text/html"):
            queue.extend(link.replace("&amp;", "&") for link in LINK.findall(text))
    _key, token = ApiToken.issue(user)
    for url in _api_urls():
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        leaks += [(url, secret) for secret in _leaks(_text(response), secrets)]
    for url, text in _synthesis_downloads(client):
        leaks += [(url, secret) for secret in _leaks(text, secrets)]
    assert not leaks
    assert shown > 1


def test_the_allowed_pages_do_show_it_and_the_list_does_not(client, gbv):
    """The walk above would pass vacuously if the place page never showed the location."""
    staff = gbv["people"]["place_staff"]
    client.force_login(staff)
    assert LOCATION in client.get(reverse("cases:place", args=[gbv["place"].pk])).content.decode()
    listing = client.get(reverse("cases:places")).content.decode()
    assert gbv["place"].name in listing
    assert LOCATION not in listing and CONTACT not in listing
