"""Helpers for the consent tests: fresh valid numbers, opt-in payloads, Twilio signatures."""
from __future__ import annotations

import itertools
from datetime import datetime

from twilio.request_validator import RequestValidator

DISCLOSURE = ("By checking this box you agree to receive recurring marketing texts from Acme Dental at this "
              "number. Consent is not a condition of purchase. Msg & data rates may apply. Reply STOP to "
              "cancel, HELP for help.")

_serial = itertools.count(1)


def fresh_number() -> str:
    """A valid US number not used before in this test run."""
    n = next(_serial)
    return f"+1415{200 + n // 10000 % 800}{n % 10000:04d}"


def opt_in_fields(number: str, at: datetime, scope: str = "marketing", **overrides) -> dict:
    fields = {"phone_number": number, "scope": scope, "written": scope == "marketing", "method": "web_form",
              "captured_at": at.isoformat(), "source": "https://acme.example/join",
              "disclosure_text": DISCLOSURE if scope == "marketing" else None}
    fields.update(overrides)
    return fields


def sign(token: str, url: str, params: dict) -> str:
    return RequestValidator(token).compute_signature(url, params)


def inbound_params(account_sid: str, sid: str, sender: str, body: str, **extra) -> dict:
    params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": account_sid, "From": sender,
              "To": "+14155550100", "Body": body, "NumMedia": "0", "NumSegments": "1"}
    params.update(extra)
    return params
