import pytest
from django.db import connection

from cases.crypto import PREFIX
from cases.models import Case, Flag, IncidentType

pytestmark = pytest.mark.django_db


def test_access_per_persona(gbv):
    case, people = gbv["case"], gbv["people"]
    full = {"owner", "supervisor"}
    for name, user in people.items():
        access = case.access_for(user)
        visible = Case.objects.for_user(user).filter(pk=case.pk).exists()
        if name in full:
            assert access.full and visible, name
        elif name == "recipient":
            assert not access.full and access.shares == {"profile", "incidents"} and visible
        else:
            assert access is None and not visible, name


def test_secrets_are_ciphertext_in_the_database(gbv):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, phone, address FROM cases_survivor WHERE id = %s", [gbv["survivor"].pk]
        )
        row = cursor.fetchone()
    assert all(value.startswith(PREFIX) for value in row)


def test_incident_type_and_flags_are_derived(gbv):
    incident = gbv["incident"]
    assert incident.incident_type == IncidentType.PHYSICAL
    assert incident.flags == [Flag.IPV]


def test_a_consent_given_after_local_midnight_counts_while_utc_is_still_on_yesterday(gbv):
    import datetime
    from unittest import mock

    from cases.models import Consent

    consent = gbv["consent"]["statistics"]
    evening_utc = datetime.datetime(2026, 11, 28, 17, 30, tzinfo=datetime.UTC)  # 00:30 on 29/11
    Consent.objects.filter(pk=consent.pk).update(given_on=datetime.date(2026, 11, 29))
    with mock.patch("django.utils.timezone.now", return_value=evening_utc):
        assert Consent.objects.valid().filter(pk=consent.pk).exists()
