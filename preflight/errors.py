"""Errors that carry their own HTTP status and stable code.

Domain code raises these; one place (preflight.api.errors) turns them into the JSON
envelope `{"error": {"code", "message", "details"}}`. No Flask here.
"""
from __future__ import annotations


class PreflightError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None,
                 status: int | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or {}
        self.headers = headers or {}

    def envelope(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class InvalidInput(PreflightError):
    """Malformed or invalid input; `details` names each bad field."""
    status, code = 400, "invalid_request"


class Unauthorized(PreflightError):
    status, code = 401, "unauthorized"


class Forbidden(PreflightError):
    status, code = 403, "forbidden"


class NotFound(PreflightError):
    status, code = 404, "not_found"


class Conflict(PreflightError):
    status, code = 409, "conflict"


class Unprocessable(PreflightError):
    status, code = 422, "unprocessable"


class TwilioFailed(PreflightError):
    status, code = 502, "twilio_error"


class Unavailable(PreflightError):
    status, code = 503, "unavailable"
