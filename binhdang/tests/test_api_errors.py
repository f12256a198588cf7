"""Every refusal of the API is DHIS2's WebMessage (core.webmessage), its reason in Vietnamese and
again in `detail`: no credential, a bad parameter, a bad format, a refused role."""

import pytest

from accounts.models import ApiToken, TokenScope
from reports.tests.test_api import auth

pytestmark = pytest.mark.django_db
WEB_MESSAGE = {"httpStatus", "httpStatusCode", "status", "message", "detail"}


def check(response, code: int) -> dict:
    assert response.status_code == code
    body = response.json()
    assert WEB_MESSAGE <= set(body)
    assert body["httpStatusCode"] == code and body["status"] == "ERROR"
    return body


@pytest.mark.parametrize("prefix", ["/api/v1", "/api"])
def test_no_credential_is_a_web_message(client, prefix):
    body = check(client.get(f"{prefix}/dataValueSets"), 401)
    assert body["httpStatus"] == "Unauthorized" and "ApiToken" in body["message"]


def test_an_unreadable_parameter_is_a_web_message(client, reporter):
    body = check(client.get("/api/v1/dataValueSets?children=maybe", headers=auth(reporter)), 400)
    assert body["httpStatus"] == "Bad Request" and isinstance(body["detail"], list)


def test_a_bad_format_and_a_refused_role_are_web_messages(client, reporter, case_worker):
    bad = check(client.get("/api/v1/dataValueSets?format=pdf", headers=auth(reporter)), 400)
    assert "json" in bad["message"] and bad["detail"] == bad["message"]
    payload = {"dataValues": []}
    body = check(
        client.post(
            "/api/v1/dataValueSets",
            payload,
            content_type="application/json",
            headers=auth(case_worker),
        ),
        403,
    )
    assert body["httpStatus"] == "Forbidden"


def test_unknown_records_and_paths_are_web_messages(client, reporter):
    for url in ("/api/v1/plans/1999/tasks", "/api/v1/units/NOPE/successions", "/api/nowhere"):
        body = check(client.get(url, headers=auth(reporter)), 404)
        assert body["httpStatus"] == "Not Found"


def test_a_read_only_token_on_the_docs_with_an_unsafe_method_is_refused(client, reporter):
    _token, key = ApiToken.issue(reporter, scope=TokenScope.READ)
    for url in ("/api/v1/openapi.json", "/api/docs"):
        response = client.generic("TRACE", url, headers={"Authorization": f"ApiToken {key}"})
        assert check(response, 403)["httpStatus"] == "Forbidden"
