import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import Action, Event
from audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(coordinator):
    return record_event(
        actor=coordinator, action=Action.UPDATE, obj=coordinator, changes={"x": [1, 2]}
    )


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_event SET action = 'view' WHERE id = %s",
        "DELETE FROM audit_event WHERE id = %s",
    ],
)
def test_the_database_refuses_update_and_delete(event, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.action == Action.UPDATE


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_postgresql_refuses_truncate(event):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_event")


def test_orm_save_of_an_existing_event_is_refused(event):
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_event_keeps_who_and_what(event, coordinator):
    assert (event.actor_name, event.actor_role, event.actor_unit) == (
        coordinator.full_name,
        "coordinator",
        "Sở Nội vụ",
    )
    assert event.object_type == "accounts.user" and event.object_id == str(coordinator.pk)
    assert Event.objects.for_object(coordinator).get() == event
