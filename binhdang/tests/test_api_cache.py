"""No answer to a request with credentials is kept by a cache: API data, files, errors."""

import pytest

from accounts.models import ApiToken
from indicators.models import DataElement

pytestmark = pytest.mark.django_db
ANALYTICS = {"dimension": ["dx:NOPE", "pe:BDG-2025", "ou:51"]}


def bearer(user) -> dict:
    _, key = ApiToken.issue(user)
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/dataValueSets", {}, 200),
        ("/api/v1/dataValueSets.csv", {}, 200),
        ("/api/v1/adx", {}, 200),
        ("/api/v1/dataValueSets", {"dataSet": "KHONG"}, 404),
        ("/api/v1/dataValueSets", {"lastUpdated": "hôm qua"}, 400),
        # DHIS2's analytics errors are 409 Conflict with an E7xxx code.
        ("/api/v1/analytics", {"dimension": ["dx:BDG_NOPE"]}, 409),
        ("/api/v1/analytics", ANALYTICS, 409),
    ],
)
def test_token_answers_are_not_stored(client, coordinator, path, params, status):
    response = client.get(path, params, headers=bearer(coordinator))
    assert response.status_code == status
    assert response["Cache-Control"] == "no-store"


def test_token_analytics_data_and_csv_are_not_stored(client, coordinator):
    element = DataElement.objects.order_by("code").values_list("code", flat=True).first()
    query = {"dimension": [f"dx:{element}", "pe:BDG-2025", "ou:51"]}
    for path in ("/api/v1/analytics", "/api/v1/analytics.csv"):
        response = client.get(path, query, headers=bearer(coordinator))
        assert response.status_code == 200, response.content
        assert response["Cache-Control"] == "no-store"


def test_refused_tokens_and_roles_are_not_stored(client, leader):
    bad = client.get("/api/v1/dataValueSets", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad["Cache-Control"] == "no-store"
    forbidden = client.post(
        "/api/v1/dataValueSets", {}, content_type="application/json", headers=bearer(leader)
    )
    assert forbidden.status_code == 403 and forbidden["Cache-Control"] == "no-store"


def test_session_answers_are_not_stored(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/api/v1/units/")["Cache-Control"] == "no-store"
    missing = client.get("/api/v1/dataValueSets", {"dataSet": "KHONG"})
    assert missing.status_code in (401, 404) and missing["Cache-Control"] == "no-store"
