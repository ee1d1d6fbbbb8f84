"""Every error the API gives has one shape: {"detail": "…", "errors": {parameter: [why]}}."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler


def handle(exc, context):
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"request": response.data}
        response.data = {
            "detail": "The request has a parameter the API cannot read.",
            "errors": {name: [str(m) for m in messages] for name, messages in errors.items()},
        }
    return response
