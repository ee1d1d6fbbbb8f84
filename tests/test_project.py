"""The project as a whole: settings from the environment, deploy checks, migrations, fixtures."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from engagements.models import Meeting, Official, Topic

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh interpreter with exactly the given settings variables."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_HTTPS"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", ALLOWED_HOSTS="archive.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = manage("check", SECRET_KEY="django-insecure-abc", ALLOWED_HOSTS="archive.example.org")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_debug_accepts_local_development_without_secrets():
    assert manage("check", DEBUG="true").returncode == 0


def test_a_malformed_boolean_is_a_clear_error():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG must be true or false" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="archive.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_shipped_fixture_is_the_seed_readout(client):
    call_command("load_fixtures", verbosity=0)
    meeting = Meeting.objects.published().get(external_id="seed-2025-11-11-pakistan-idcpc")
    assert str(meeting.date) == "2025-11-11"
    assert meeting.city == "Beijing" and meeting.location_country.code == "CN"
    assert meeting.kind == Meeting.Kind.COURTESY_CALL
    roles = {p.role: (p.official.name, p.title) for p in meeting.participations.all()}
    assert roles["envoy"] == ("Khalil Hashmi", "Ambassador of Pakistan to China")
    assert roles["counterpart"][0] == "Liu Haixing"
    assert "International Department" in roles["counterpart"][1]
    assert {"CPEC 2.0", "5E framework", "Uraan Pakistan", "15th Five-Year Plan"} <= {
        t.name for t in meeting.topics.all()
    }
    source = meeting.sources.get()
    assert source.publisher == "DNA news agency"
    assert source.url.startswith("https://dnanews.com.pk/")
    assert "刘海星" in Official.objects.get(name="Liu Haixing").alias_list
    assert {c.code for c in meeting.countries.all()} == {"PK", "CN"}
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert Topic.objects.count() >= 10


@pytest.mark.django_db
def test_load_fixtures_never_overwrites_an_archive_in_use():
    call_command("load_fixtures", verbosity=0)
    shipped = Meeting.objects.count()
    Meeting.objects.update(title="Edited by staff")
    call_command("load_fixtures", verbosity=0)
    assert Meeting.objects.count() == shipped
    assert set(Meeting.objects.values_list("title", flat=True)) == {"Edited by staff"}


def test_static_files_are_served_with_long_cache_lifetimes(client, collected_static):
    from django.templatetags.static import static

    url = static("css/site.css")
    assert url != "/static/css/site.css"  # a hashed, immutable name
    response = client.get(url)
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]


def test_every_environment_variable_the_settings_read_is_documented():
    settings_text = (ROOT / "archive" / "settings.py").read_text()
    read = set(re.findall(r'(?:os\.environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', settings_text))
    # Set by manage.py itself (which command runs), not by whoever deploys.
    read -= {"ARCHIVE_COMMAND"}
    documented = (ROOT / "docs" / "configuration.md").read_text()
    assert len(read) > 30
    assert sorted(name for name in read if f"`{name}`" not in documented) == []
