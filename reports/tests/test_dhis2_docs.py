"""The API docs page explains every DHIS2 parameter the code honours or refuses (docs/dhis2.md,
the page's introduction), so neither can change without the other."""

from django.conf import settings

from analytics import api as analytics_api
from reports.exchange import importer

DOC = (settings.BASE_DIR / "docs" / "dhis2.md").read_text(encoding="utf-8")


def test_every_import_option_is_explained():
    names = [
        *importer.FLAGS,
        *importer.ID_SCHEMES,
        *importer.STRATEGIES,
        *importer.ATOMIC_MODES,
        "importStrategy",
        "atomicMode",
        "completeDate",
    ]
    assert [name for name in names if name not in DOC] == []


def test_every_analytics_parameter_is_explained():
    names = [
        *analytics_api.REFUSED,
        *analytics_api.DEFAULT_ONLY,
        *analytics_api.RELATIVE,
        "skipMeta",
        "displayProperty",
        "outputIdScheme",
        "relativePeriodDate",
        "USER_ORGUNIT_CHILDREN",
        "LEVEL-n",
    ]
    assert [name for name in names if name not in DOC] == []


def test_the_docs_page_shows_it(client, coordinator):
    client.force_login(coordinator)
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["description"] == DOC
    assert client.get("/api/v1/docs").status_code == 200
