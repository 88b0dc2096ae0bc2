"""The service's own Twilio errors. Messages never carry credentials."""
from __future__ import annotations


class TwilioError(Exception):
    """Twilio answered with an error (or could not be asked).

    `code` is Twilio's numeric error code when it gave one (e.g. 21610), `status` the
    HTTP status, `maybe_sent` True when a create request may have reached Twilio and
    been acted on (a timeout or 5xx after the request left).
    """

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None,
                 more_info: str | None = None, maybe_sent: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.more_info = more_info
        self.maybe_sent = maybe_sent
        self.retry_after = retry_after

    def as_details(self) -> dict:
        return {"twilio_code": self.code, "twilio_status": self.status, "twilio_message": self.message}


class TwilioUnavailable(TwilioError):
    """Twilio could not be reached, timed out, throttled us or failed (5xx)."""


class TwilioAuthError(TwilioError):
    """Twilio refused the credentials (error 20003)."""
