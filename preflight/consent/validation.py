"""Validation of opt-in evidence and revocations, shared by the API, the CSV import
and other packages calling the ledger. Every problem is reported against its field
(`InvalidInput.details`), all fields at once."""
from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import PhoneNumber

from ..connection import validate_e164
from ..errors import InvalidInput
from ..instants import parse_aware
from .state import SCOPES

METHODS = ("web_form", "paper", "keyword", "verbal", "api", "import")
CHANNELS = ("sms", "web", "email", "phone", "support", "api", "twilio")
OPT_IN_FIELDS = ("phone_number", "scope", "written", "method", "captured_at", "source", "disclosure_text",
                 "ip", "user_agent", "postal_code", "evidence_uri")
REQUIRED_OPT_IN_FIELDS = ("phone_number", "scope", "method", "captured_at", "source")
_KNOWN_OPT_IN_FIELDS = frozenset(OPT_IN_FIELDS)
POSTAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,14}[A-Za-z0-9]$")
_US_FIRST = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(1, ("",))[0] == "US"
MAX_LENGTHS = {"source": 2000, "disclosure_text": 20000, "user_agent": 1000, "evidence_uri": 2000,
               "text": 5000}


def parse_instant(value, field: str, now: datetime) -> datetime:
    """An aware datetime (given, or ISO-8601 text with offset) not after `now`."""
    value = parse_aware(value, field)
    if value > now:
        raise InvalidInput(f"{field} is in the future", details={field: "in the future"})
    return value


def _text(value, field: str, errors: dict) -> str | None:
    """An optional text field: None when absent or blank; a str within its length limit."""
    if value is None:
        return None
    if not isinstance(value, str):
        errors[field] = "must be a string"
        return None
    if not value.strip():
        return None
    limit = MAX_LENGTHS.get(field)
    if limit and len(value) > limit:
        errors[field] = f"longer than {limit} characters"
        return None
    return value


def _ip(value, errors: dict) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return str(ipaddress.ip_address(value.strip() if isinstance(value, str) else value))
    except ValueError:
        errors["ip"] = "not an IP address"
        return None


def _postal_code(value, errors: dict) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not POSTAL_RE.match(value.strip()):
        errors["postal_code"] = "not a postal code"
        return None
    return value.strip()


def validate_phone(value, field: str = "phone_number") -> str:
    """A valid E.164 number, else InvalidInput naming `field`.

    Same answer as `preflight.connection.validate_e164`, faster for US numbers (bulk
    imports): a +1 number with a 2-9 area code is what `phonenumbers.parse` would
    build anyway, and since US is the first region of calling code 1, a number valid
    for the US is valid (`is_valid_number` tries US first). Anything else takes the
    full path.
    """
    if (_US_FIRST and isinstance(value, str) and len(value) == 12 and value.startswith("+1")
            and value[2] in "23456789" and value.isascii() and value[2:].isdigit()):
        number = PhoneNumber(country_code=1, national_number=int(value[2:]))
        if phonenumbers.is_valid_number_for_region(number, "US"):
            return value
    return validate_e164(value, field)


def validate_opt_in(fields: dict, now: datetime) -> dict:
    """Check an opt-in's fields; returns the normalised values or raises InvalidInput.

    Marketing needs `written=true` and a `disclosure_text` (prior express written
    consent, 47 CFR 64.1200(a)(2)); `captured_at` needs an offset and must not be in
    the future; the number must be a valid E.164 number.
    """
    errors: dict = {}
    if not _KNOWN_OPT_IN_FIELDS.issuperset(fields):
        errors.update((name, "unknown field") for name in sorted(fields) if name not in _KNOWN_OPT_IN_FIELDS)
    get = fields.get
    for name in REQUIRED_OPT_IN_FIELDS:
        value = get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[name] = "required"
    out = {name: _text(get(name), name, errors) for name in ("source", "disclosure_text", "user_agent",
                                                              "evidence_uri")}
    if "phone_number" not in errors:
        try:
            out["phone_number"] = validate_phone(fields["phone_number"])
        except InvalidInput as exc:
            errors.update(exc.details)
    scope, method, written = get("scope"), get("method"), get("written", False)
    if "scope" not in errors and scope not in SCOPES:
        errors["scope"] = f"must be one of {', '.join(SCOPES)}"
    if "method" not in errors and method not in METHODS:
        errors["method"] = f"must be one of {', '.join(METHODS)}"
    if written is None:
        written = False
    if not isinstance(written, bool):
        errors["written"] = "must be true or false"
    if "captured_at" not in errors:
        try:
            out["captured_at"] = parse_instant(fields["captured_at"], "captured_at", now)
        except InvalidInput as exc:
            errors.update(exc.details)
    ip, postal = _ip(get("ip"), errors), _postal_code(get("postal_code"), errors)
    uri = out["evidence_uri"]
    if uri is not None and not urlsplit(uri.strip()).scheme:
        errors["evidence_uri"] = "must be an absolute URI (https://..., s3://...)"
    if scope == "marketing":
        if written is not True and "written" not in errors:
            errors["written"] = "marketing consent must be written (written=true)"
        if out["disclosure_text"] is None and "disclosure_text" not in errors:
            errors["disclosure_text"] = "marketing consent needs the disclosure text the person was shown"
    if errors:
        raise InvalidInput("invalid opt-in: " + ", ".join(sorted(errors)), details=errors)
    out.update(scope=scope, method=method, written=written, ip=ip, postal_code=postal)
    return out


def validate_revocation(phone_number, channel, text, received_at, now: datetime) -> dict:
    """Check a revocation (opt-out, opt-back-in or help); `received_at` defaults to `now`."""
    errors: dict = {}
    out: dict = {}
    try:
        out["phone_number"] = validate_phone(phone_number)
    except InvalidInput as exc:
        errors.update(exc.details)
    if channel not in CHANNELS:
        errors["channel"] = f"must be one of {', '.join(CHANNELS)}"
    out["text"] = _text(text, "text", errors)
    out["received_at"] = now
    if received_at is not None:
        try:
            out["received_at"] = parse_instant(received_at, "received_at", now)
        except InvalidInput as exc:
            errors.update(exc.details)
    if errors:
        raise InvalidInput("invalid revocation: " + ", ".join(sorted(errors)), details=errors)
    out["channel"] = channel
    return out
