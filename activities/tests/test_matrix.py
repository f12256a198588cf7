"""Every URL of the activities app × every persona × Sở Y tế's records → the expected status.

Each area declares its routes in a `matrix_*.py` module beside this one (the format is in
binhdang/tests/matrix.py), with every persona of PERSONAS in "expect" (the `acts` fixture in
conftest.py: the records belong to Sở Y tế, whose reporter and approver are "reporter" and
"approver"). A URL of the app that no matrix declares fails the test."""

import pytest

import activities.tests
from binhdang.tests import matrix

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
ROUTES = matrix.collect(activities.tests)

# Coverage is not traced here: the pages' code is covered by the tests of each page, and tracing
# every route for every persona costs more than it adds (make test prints the total).
pytestmark = [pytest.mark.django_db, pytest.mark.untraced]


@pytest.fixture(scope="module")
def sessions(acts_once, django_db_blocker):
    """Each persona signed in once, in the transaction of the module's world."""
    with django_db_blocker.unblock():
        return matrix.sign_in(acts_once["people"])


def test_every_url_of_the_app_is_in_the_matrix():
    assert matrix.missing("activities", ROUTES, PERSONAS) == []


@pytest.mark.parametrize(
    ("name", "persona"), [(name, persona) for name in ROUTES for persona in PERSONAS]
)
def test_matrix(client, acts_once, sessions, name, persona):
    matrix.check(client, acts_once, {**ROUTES[name], "name": name}, persona, sessions)
