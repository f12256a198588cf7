"""A real DHIS2 client, unchanged, against a live binhdang server.

The client is dhis2-client (PyPI), the DHIS2 project's own Python client (HISP Centre, University
of Oslo; BSD-3): plain dicts in and out, Basic or `ApiToken` auth, no requests before the first
call. The older dhis2.py is archived and refuses any server address holding `/api`. Like every
DHIS2 client it adds `/api/<resource>` to the server's address, so binhdang answers at `/api/` as
DHIS2 does, beside `/api/v1/` (binhdang/urls.py). The client is given the live server's address
and a credential, nothing else: it reads dataValueSets and analytics as JSON and posts a data value
set, and a set with a bad value fails the way it fails against DHIS2 (409, status WARNING)."""

import pytest
from dhis2_client import DHIS2Client, DHIS2HTTPError

from accounts.models import ApiToken
from reports.models import Round
from reports.tests.test_api import ANNUAL, move_round, stored

# What a commune or department sends for its annual report (codes as identifiers, DHIS2's
# idScheme=CODE): the number of female deputies of Sở Y tế's report, say.
DATA_SET = {"period": "2025", "orgUnit": "SYT"}
GOOD = {"dataElement": "BDG_M1_CQ", "categoryOptionCombo": "default", "value": "12"}
BAD = {"dataElement": "KHONG_CO", "categoryOptionCombo": "default", "value": "3"}


@pytest.fixture
def server(live_server, audit_flushable, province, reporter):
    """The live server's address, the reporter's token; the annual round open for entries."""
    move_round()
    _, key = ApiToken.issue(reporter)
    return live_server.url, key


def client_of(url: str, **credentials) -> DHIS2Client:
    return DHIS2Client(url, retries=0, timeout=30, **credentials)


def test_a_dhis2_client_posts_and_reads_a_data_value_set(server):
    url, key = server
    dhis2 = client_of(url, token=key)
    form = Round.objects.get(code=ANNUAL).form.code
    summary = dhis2.post_data_value_set({"dataSet": form, **DATA_SET, "dataValues": [GOOD]})
    assert summary["status"] == "OK" and summary["httpStatusCode"] == 200
    assert summary["response"]["importCount"]["imported"] == 1
    assert (ANNUAL, "SYT", "BDG_M1_CQ", "default", "12", False, "") in stored()

    answer = dhis2.get_data_value_set({"dataSet": form, **DATA_SET})
    assert answer["dataSet"] == form and answer["orgUnit"] == "SYT"
    (value,) = [v for v in answer["dataValues"] if v["dataElement"] == "BDG_M1_CQ"]
    assert value["value"] == "12" and value["period"] == "2025"
    assert value["categoryOptionCombo"] == "default" and value["storedBy"] == "syt.baocao"
    dhis2.close()


def test_a_set_with_a_bad_value_fails_as_against_dhis2_and_keeps_the_good_one(server):
    url, key = server
    dhis2 = client_of(url, token=key)
    with pytest.raises(DHIS2HTTPError) as failure:
        dhis2.post_data_value_set({**DATA_SET, "dataValues": [GOOD, BAD]})
    assert failure.value.status_code == 409
    answer = failure.value.payload
    assert answer["status"] == "WARNING" and answer["response"]["status"] == "WARNING"
    (conflict,) = answer["response"]["conflicts"]
    assert conflict["object"] == "KHONG_CO" and conflict["errorCode"] == "E7610"
    assert conflict["indexes"] == [1]
    assert (ANNUAL, "SYT", "BDG_M1_CQ", "default", "12", False, "") in stored()
    dhis2.close()


def test_a_dhis2_client_reads_analytics(server):
    url, key = server
    dhis2 = client_of(url, token=key)
    dhis2.post_data_value_set({**DATA_SET, "dataValues": [GOOD]})
    grid = dhis2.get_analytics_data(dx="BDG_M1_CQ", pe="2025", ou="SYT")
    assert [h["name"] for h in grid["headers"]] == ["dx", "pe", "ou", "value"]
    assert grid["rows"] == [["BDG_M1_CQ", "2025", "SYT", "12"]]
    assert grid["height"] == 1 and grid["width"] == 4
    assert grid["metaData"]["dimensions"]["ou"] == ["SYT"]
    # A relative period and a filter, as a DHIS2 user writes them.
    grid = dhis2.get_analytics_data(dx="BDG_M1_CQ", pe="LAST_YEAR", filter="ou:SYT")
    assert grid["headers"][0]["name"] == "dx"
    dhis2.close()


def test_basic_auth_reads_for_an_account_without_a_second_factor_only(
    server, reporter, coordinator
):
    url, _key = server
    reporter.set_password("mat-khau-dai-du-16")
    reporter.save()
    answer = client_of(url, username="syt.baocao", password="mat-khau-dai-du-16")
    assert answer.get_data_value_set(DATA_SET)["dataValues"] == []
    coordinator.set_password("mat-khau-dai-du-16")
    coordinator.save()
    refused = client_of(url, username="coordinator", password="mat-khau-dai-du-16")
    with pytest.raises(DHIS2HTTPError) as failure:
        refused.get_data_value_set(DATA_SET)
    assert failure.value.status_code == 401
