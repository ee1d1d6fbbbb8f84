"""The JSON API fuzzed from its own OpenAPI schema (Schemathesis): for every operation,
generated parameters, valid and invalid, never give a 5xx, and every answer matches the
schema: its status documented, its content type and its body as described.

Each case is a request through the WSGI application against the real database holding a
small archive. API_FUZZ_EXAMPLES cases per operation and generation mode (default 40);
`make fuzz` sends more.
"""

from __future__ import annotations

import functools
import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from factories import make_meeting, make_official
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from engagements.interchange.importing import import_readouts
from engagements.interchange.synthetic import sample_records

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "40"))


@pytest.fixture
def small_archive(db, settings):
    settings.API_RATE_LIMIT = ""  # the fuzzer is one client sending thousands of requests
    lines = [(json.dumps(r) + "\n").encode() for r in sample_records(12)]
    assert import_readouts(lines).created == 12
    liu = make_official("Liu Haixing", country="CN", aliases="刘海星")
    make_meeting("Liu Haixing meets a delegation", participants=[(liu, "counterpart", "Head")])
    # As Django's test client does: a request's start and end must not close the test's
    # connection (and its transaction) to the database.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def served_schema() -> dict:
    """The schema /api/schema/ serves (drf-spectacular's generator, no database needed)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


@functools.cache
def django_application():
    # Made at the first request, not on import: the static files are collected by then
    # (conftest.py), and whitenoise finds them.
    return get_wsgi_application()


def application(environ, start_response):
    return django_application()(environ, start_response)


schema = schemathesis.openapi.from_dict(served_schema())
schema.app = application


def test_the_fuzzed_schema_is_the_served_one(client, db):
    assert client.get("/api/schema/").json() == served_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_the_api_keeps_its_schema(case, small_archive):
    response = case.call_and_validate(
        # The in-process client asks for gzip but does not unpack it: ask for the plain body.
        headers={"Accept-Encoding": "identity"},
        # Every other check runs, the refusal of schema-invalid input included. This one
        # cannot hold: a cursor is opaque and signed (any string fits its schema, only the
        # archive's own are read), and a date can fit its pattern and not be in the
        # calendar (2025-02-30). Both are refused with a 400 that names the parameter.
        excluded_checks=[positive_data_acceptance],
    )
    assert response.status_code < 500
