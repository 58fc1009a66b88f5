"""The audit log is append-only: the model, its querysets and the database refuse to change it."""

import pytest
from django.db import DatabaseError, connection, transaction

from coopdec.audit.log import record
from coopdec.audit.models import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return record(AuditEvent.Kind.LOGIN_FAILED, username="quelquun", target="accounts:login")


def test_an_event_is_written(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.kind, stored.username, stored.target) == ("login_failed", "quelquun", "accounts:login")
    assert stored.at is not None


def test_the_model_refuses_to_change_or_delete(event):
    event.username = "quelquun-d-autre"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).username == "quelquun"


def test_querysets_refuse_bulk_changes(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(username="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    # bulk_update runs in a transaction of its own (no savepoint): give it one.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["username"])
    assert AuditEvent.objects.filter(pk=event.pk, username="quelquun").exists()


def test_the_database_refuses_updates(event):
    """Even SQL written by hand (a shell session, a bug that bypasses the ORM) cannot rewrite an event."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET username = %s WHERE id = %s", ["x", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).username == "quelquun"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no DELETE trigger: the test runner empties tables with DELETE there (migration 0002)",
)
def test_the_database_refuses_deletions(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_deleted_user_leaves_their_events(django_user_model):
    user = django_user_model.objects.create_user(username="partie", password="x" * 16)
    event = record(AuditEvent.Kind.LOGIN, user=user)
    user_id = user.pk
    user.delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.user_id, stored.username) == (user_id, "partie")
