"""send_search_alerts: mails the projects that appeared since the last alert, once."""

import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from coopdec.atlas.models import Project
from coopdec.atlas.tests import factories as f
from coopdec.workspace import alerts
from coopdec.workspace.models import SavedSearch

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(world):
    """agent_x's alert on projects in Senegal, last run two days ago."""
    return SavedSearch.objects.create(
        owner=world.user("agent_x"),
        name="Sénégal",
        query="country=SN",
        alert=True,
        alert_since=timezone.now() - datetime.timedelta(days=2),
    )


def new_project(partnership, title, *, hours_ago=24, published=True):
    project = f.ProjectFactory(partnership=partnership, title=title, published=published)
    Project.all_objects.filter(pk=project.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=hours_ago)
    )
    project.refresh_from_db()
    return project


def run(capture, **options):
    with capture(execute=True):
        call_command("send_search_alerts", "--base-url=https://portail.example.org", **options)


def test_owner_gets_new_matching_projects_once(world, alert, django_capture_on_commit_callbacks):
    project = new_project(world.partnership_x, "Maraîchage à Podor")
    new_project(world.partnership_y, "Puits à Ségou")  # Mali: not in the search
    new_project(world.partnership_x, "Brouillon récent", published=False)  # a draft is not public
    run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["agent_x@example.org"]
    assert message.subject == "Nouveaux projets pour « Sénégal »"
    assert "Un nouveau projet répond à votre recherche « Sénégal »" in message.body
    assert "Maraîchage à Podor" in message.body
    assert f"https://portail.example.org/atlas/projets/{project.slug}/" in message.body
    assert "https://portail.example.org/atlas/recherche/?country=SN" in message.body
    assert f"https://portail.example.org{alert.get_absolute_url()}" in message.body
    assert "Ségou" not in message.body and "Brouillon" not in message.body
    # Older projects (X's published sheet, created with the world) are not news.
    assert "Patrimoine de Saint-Louis" not in message.body
    alert.refresh_from_db()
    assert alert.last_alert_at is not None
    # Idempotent: the same day, nothing more.
    run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_a_draft_published_later_is_news_then(world, alert, django_capture_on_commit_callbacks):
    draft = new_project(world.partnership_x, "Bibliothèque de Saint-Louis", hours_ago=40, published=False)
    run(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    # Published now, as the space does it (a save: the search index follows); the next day's run sees it.
    draft.published, draft.published_at = True, timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        draft.save()
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send_alerts(now=timezone.now() + datetime.timedelta(days=1))
    assert len(mail.outbox) == 1
    assert "Bibliothèque de Saint-Louis" in mail.outbox[0].body


def test_projects_of_the_last_minutes_wait_for_the_next_run(world, alert, django_capture_on_commit_callbacks):
    """A project written a moment ago may belong to a transaction still open: it goes in the next run."""
    new_project(world.partnership_x, "Tout juste créé", hours_ago=0)
    run(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        alerts.send_alerts(now=timezone.now() + alerts.SETTLE + datetime.timedelta(minutes=1))
    assert len(mail.outbox) == 1 and "Tout juste créé" in mail.outbox[0].body


def test_no_mail_without_alert_or_for_an_inactive_account(world, alert, django_capture_on_commit_callbacks):
    new_project(world.partnership_x, "Maraîchage à Podor")
    SavedSearch.objects.create(
        owner=world.user("agent_y"),
        name="Sans alerte",
        query="country=SN",
        alert=False,
        alert_since=timezone.now() - datetime.timedelta(days=2),
    )
    user = world.user("agent_x")
    user.is_active = False
    user.save()
    run(django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_long_lists_are_cut_with_a_count(world, alert, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(alerts, "LISTED", 2)
    for n in range(5):
        new_project(world.partnership_x, f"Projet nouveau {n}")
    run(django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    assert "5 nouveaux projets répondent à votre recherche « Sénégal »" in body
    assert body.count("Projet nouveau") == 2
    assert "… et 3 autres projets." in body


def test_saved_map_alert_links_to_the_map(world, django_capture_on_commit_callbacks):
    SavedSearch.objects.create(
        owner=world.user("agent_y"),
        kind=SavedSearch.Kind.MAP,
        name="Mali",
        query="country=ML",
        view="regions",
        alert=True,
        alert_since=timezone.now() - datetime.timedelta(days=2),
    )
    new_project(world.partnership_y, "Puits à Ségou")
    run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert "votre carte « Mali »" in mail.outbox[0].body
    assert "https://portail.example.org/atlas/carte/?vue=regions&country=ML" in mail.outbox[0].body


def test_mail_in_the_language_of_the_saved_search(world, alert, django_capture_on_commit_callbacks):
    SavedSearch.objects.filter(pk=alert.pk).update(language="en")
    project = new_project(world.partnership_x, "Maraîchage à Podor")
    run(django_capture_on_commit_callbacks)
    assert f"https://portail.example.org/en/atlas/projets/{project.slug}/" in mail.outbox[0].body


def test_invalid_criteria_suspend_the_alert(world, alert, capsys, django_capture_on_commit_callbacks):
    since = timezone.now() - datetime.timedelta(days=2)
    broken = SavedSearch.objects.create(
        owner=world.user("agent_x"), name="Vieux thème", query="theme=disparu", alert=True, alert_since=since
    )
    new_project(world.partnership_x, "Maraîchage à Podor")
    run(django_capture_on_commit_callbacks)
    output = capsys.readouterr()
    assert "Alerte suspendue (critères invalides) : agent_x: Vieux thème" in output.err
    assert "1 alerte(s) envoyée(s), 0 recherche(s) sans nouveauté, 1 suspendue(s)." in output.out
    broken.refresh_from_db()
    assert broken.alert_since == since  # the gap is covered once the search is fixed
    assert len(mail.outbox) == 1


def test_incomplete_index_stops_the_run(world, alert, monkeypatch):
    monkeypatch.setattr(alerts.search_query, "ensure_fresh", lambda: ("g", True))
    with pytest.raises(CommandError, match="L'index de recherche est incomplet"):
        call_command("send_search_alerts")
    alert.refresh_from_db()
    assert alert.last_alert_at is None
