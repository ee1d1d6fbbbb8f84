"""Admin sign-in: failures are throttled and locked out (django-axes)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

PASSWORD = "a long and correct password"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "editor", password=PASSWORD, is_staff=True, is_superuser=True
    )


def sign_in(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_a_right_password_signs_in(client, editor):
    response = sign_in(client, "editor", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_repeated_failures_lock_the_username_out(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "editor", "wrong").status_code == 200  # the form again
    locked = sign_in(client, "editor", "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Too many failed sign-ins" in text
    assert "15 minutes" in text
    # Locked out means locked out: the right password does not get in either.
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302  # to the login page


def test_a_lockout_is_per_username_and_address(client, editor, django_user_model):
    django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    assert sign_in(client, "other", PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "editor", PASSWORD, address="10.0.0.2").status_code == 302


def test_staff_can_lift_a_lockout(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "editor", "wrong")
    call_command("axes_reset_username", "editor", verbosity=0)
    assert sign_in(client, "editor", PASSWORD).status_code == 302


def test_a_success_clears_earlier_failures(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "editor", "wrong").status_code == 200


def test_non_staff_cannot_use_the_admin(client, django_user_model):
    django_user_model.objects.create_user("reader", password=PASSWORD)
    response = sign_in(client, "reader", PASSWORD)
    assert response.status_code == 200  # the login form, with an error
    assert client.get(reverse("admin:index")).status_code == 302


def test_behind_a_proxy_the_lockout_is_the_visitors_not_everyones(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.254"

    def via_proxy(password: str, forwarded_for: str):
        return client.post(
            reverse("admin:login"),
            {"username": "editor", "password": password, "next": reverse("admin:index")},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    # An attacker locks "editor" out from their address, pretending to be someone else.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        via_proxy("wrong", "198.51.100.7, 203.0.113.9")
    assert via_proxy(PASSWORD, "203.0.113.9").status_code == 429  # their own address
    # The editor, through the same proxy from their own address, still signs in.
    assert via_proxy(PASSWORD, "198.51.100.7").status_code == 302


def test_without_a_configured_proxy_forwarded_addresses_are_ignored(client, editor):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": "editor", "password": "wrong"},
            REMOTE_ADDR="10.0.0.9",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert sign_in(client, "editor", PASSWORD, address="10.0.0.9").status_code == 429
