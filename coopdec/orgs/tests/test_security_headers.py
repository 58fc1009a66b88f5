"""Security headers on every kind of response: pages, API, files, errors, the admin, redirects."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from coopdec.orgs.tests.personas import login
from coopdec.security import PERMISSIONS_POLICY, tile_source

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def assert_security_headers(response):
    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "camera=()" in response["Permissions-Policy"]


def sample_urls(world):
    return [
        ("/", 200),
        ("/atlas/", 200),
        (reverse("atlas:project", args=[world.project_x.slug]), 200),
        (reverse("atlas:project", args=[world.draft_x.slug]), 404),
        ("/en/atlas/", 200),
        (reverse("search:index") + "?q=eau", 200),
        (reverse("maps:index"), 200),
        (reverse("maps:countries"), 200),
        ("/api/v1/projects", 200),
        ("/api/v1/projects?format=csv", 200),
        (f"/api/v1/projects/{world.draft_x.slug}", 404),
        ("/api/v1/projects?format=nonsense", 400),
        (reverse("api_doc:openapi"), 200),
        ("/page-qui-n-existe-pas/", 404),
        ("/admin/", 302),
        (reverse("orgs:personal_data"), 302),
    ]


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_headers(client, world):
    for url, status in sample_urls(world):
        response = client.get(url)
        assert response.status_code == status, url
        assert_security_headers(response)


@pytest.mark.django_db
def test_pages_of_a_signed_in_user_and_the_admin_carry_the_headers(client, world):
    login(client, world.user("daect"))
    for url in [reverse("admin:index"), reverse("admin:orgs_membership_changelist"), "/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert_security_headers(response)


def test_no_template_holds_an_inline_script_or_event_handler():
    """The CSP refuses inline scripts: a template that relies on one would break silently in the browser."""
    from pathlib import Path

    root = Path(settings.BASE_DIR) / "coopdec"
    offenders = []
    for template in root.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for line_number, line in enumerate(text.splitlines(), 1):
            lowered = line.lower()
            # A <script> without src and not a JSON data block is executable inline code.
            if "<script" in lowered and "src=" not in lowered and "application/json" not in lowered:
                offenders.append(f"{template}:{line_number}")
            if any(f" on{event}=" in lowered for event in ("click", "load", "change", "submit", "input")):
                offenders.append(f"{template}:{line_number}")
            if "javascript:" in lowered:
                offenders.append(f"{template}:{line_number}")
    assert offenders == []


@pytest.mark.parametrize(
    "template, source",
    [
        ("", None),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("http://localhost:8080/tiles/{z}/{x}/{y}.png", "http://localhost:8080"),
    ],
)
def test_tile_source(template, source):
    assert tile_source(template) == source


@pytest.mark.parametrize("template", ["tiles.example.org/{z}", "ftp://x.org/{z}", "https://a.{s}.org/{z}"])
def test_tile_source_refuses_what_csp_cannot_express(template):
    with pytest.raises(ImproperlyConfigured):
        tile_source(template)


def test_the_tile_server_is_allowed_for_images_when_configured():
    """The policy is built when settings load: a fresh process with MAP_TILES_URL set allows its host."""
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "coopdec.settings",
        "MAP_TILES_URL": "https://{s}.tile.example.org/{z}/{x}/{y}.png",
        "PATH": "/usr/bin:/bin",
    }
    output = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    ).stdout
    assert output.split() == ["'self'", "data:", "https://*.tile.example.org"]
