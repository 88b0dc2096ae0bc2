"""The one place that turns errors into the JSON envelope on /v1 and /webhooks.

No request, however malformed, gets a 500 or an HTML page on /v1.
"""
from __future__ import annotations

import logging

from flask import jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from ..errors import PreflightError

log = logging.getLogger("preflight.api")

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
              415: "unsupported_media_type", 422: "unprocessable", 429: "too_many_requests",
              502: "twilio_error", 503: "unavailable"}


def envelope(status: int, code: str, message: str, details: dict | None = None, headers=None):
    resp = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _is_api_path() -> bool:
    return request.path.startswith(("/v1", "/webhooks", "/healthz"))


def flatten_messages(messages, prefix="") -> dict:
    """marshmallow's nested error dict -> {"field.sub": "message"}."""
    out = {}
    if isinstance(messages, dict):
        for k, v in messages.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict):
                out.update(flatten_messages(v, key))
            elif isinstance(v, list):
                out[key] = "; ".join(str(x) for x in v) if all(isinstance(x, str) for x in v) else str(v)
            else:
                out[key] = str(v)
    else:
        out[prefix or "_schema"] = str(messages)
    return out


def register(app):
    @app.errorhandler(PreflightError)
    def _preflight_error(exc: PreflightError):
        return envelope(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.errorhandler(ValidationError)
    def _validation_error(exc: ValidationError):
        details = flatten_messages(exc.messages)
        return envelope(400, "invalid_request", "invalid fields: " + ", ".join(sorted(details)), details)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not _is_api_path():
            return exc
        status = exc.code or 500
        code = HTTP_CODES.get(status, "error")
        message = exc.description or exc.name
        headers = {}
        if status == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        return envelope(status, code, message, {}, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Never leak internals (or a credential inside an exception) to the caller.
        log.error("unhandled error on %s %s: %s", request.method, request.path, type(exc).__name__, exc_info=exc)
        if _is_api_path():
            return envelope(503, "internal_error", "the service could not complete this request; retry later")
        return "Internal error", 500
