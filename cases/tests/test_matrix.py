"""Every URL of the GBV module × every persona × the fixture case → the expected status.

Each area declares its routes in a `matrix_*.py` module beside this one (the format is in
binhdang/tests/matrix.py), with every persona of PERSONAS in "expect". A URL of the module that
no matrix declares fails the test."""

import pytest

import cases.tests
from binhdang.tests import matrix

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
ROUTES = matrix.collect(cases.tests)

# Coverage is not traced here: the pages' code is covered by the tests of each page, and tracing
# every route for every persona costs more than it adds (make test prints the total).
pytestmark = [pytest.mark.django_db, pytest.mark.untraced]


@pytest.fixture(scope="module")
def sessions(gbv_once, django_db_blocker):
    """Each persona signed in once, in the transaction of the module's world."""
    with django_db_blocker.unblock():
        return matrix.sign_in(gbv_once["people"])


def test_every_url_of_the_module_is_in_the_matrix():
    assert matrix.missing("cases", ROUTES, PERSONAS) == []


@pytest.mark.parametrize(
    ("name", "persona"), [(name, persona) for name in ROUTES for persona in PERSONAS]
)
def test_matrix(client, gbv_once, sessions, name, persona):
    matrix.check(client, gbv_once, {**ROUTES[name], "name": name}, persona, sessions)
