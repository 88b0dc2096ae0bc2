"""Twilio's error body and the exception handlers raise to produce it."""
from __future__ import annotations

from http import HTTPStatus


class TwilioError(Exception):
    """An error answered as Twilio does: HTTP status plus a Twilio error code."""

    def __init__(self, status: int, code: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> dict:
        """The JSON body Twilio sends with an error."""
        return error_body(self.status, self.code, self.message)


def error_body(status: int, code: int, message: str) -> dict:
    """{"code", "message", "more_info", "status"}, Twilio's error shape."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def default_code(status: int) -> int:
    """Twilio's generic code for an HTTP status: 20429, 20500, 20503, ...
    (Twilio numbers its generic HTTP errors 20000 + status)."""
    return 20000 + status


def reason(status: int) -> str:
    """The HTTP reason phrase, Twilio's message for generic errors."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def authenticate() -> TwilioError:
    """Wrong or missing credentials."""
    return TwilioError(401, 20003, "Authenticate", {"WWW-Authenticate": 'Basic realm="Twilio API"'})


def not_found(path: str) -> TwilioError:
    """No such resource (or not this account's)."""
    return TwilioError(404, 20404, f"The requested resource {path} was not found")
