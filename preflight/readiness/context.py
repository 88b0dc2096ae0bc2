"""What every check function receives, and the small helpers they share."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import phonenumbers

from .walk import Chain

CONSOLE_SERVICES = "Twilio Console > Messaging > Services"
CONSOLE_CAMPAIGNS = "Twilio Console > Messaging > Regulatory compliance > Campaigns"
CONSOLE_BRANDS = "Twilio Console > Messaging > Regulatory compliance > Brands"


@dataclass
class Context:
    """The walk's findings plus what Preflight knows locally about the workspace."""

    chain: Chain
    workspace_id: str
    inbound_url: str | None         # the full webhook URL when PREFLIGHT_PUBLIC_URL is set
    status_url: str | None
    brand_names: list[str] = field(default_factory=list)
    carrier_errors: list[dict] = field(default_factory=list)
    carrier_since: datetime | None = None

    @property
    def phone(self) -> str:
        return self.chain.phone_number

    @property
    def service_label(self) -> str:
        service = self.chain.service or {}
        name = service.get("friendly_name")
        return f"'{name}' ({service.get('sid')})" if name else str(service.get("sid"))


def outcome(status: str, detail: str, remediation: str = "", evidence: dict | None = None,
            prevents: list[str] | None = None) -> dict:
    """A check function's answer; `evaluate` adds id, title and default `prevents`."""
    out = {"status": status, "detail": detail, "remediation": remediation, "evidence": evidence or {}}
    if prevents is not None:
        out["prevents"] = prevents
    return out


def number_kind(phone_number: str | None, twilio_type: str | None = None) -> str:
    """"local" (a US geographic number, usable for 10DLC), "toll_free", "short_code" or "unknown"."""
    value = (phone_number or "").strip()
    if re.fullmatch(r"\d{5,6}", value):
        return "short_code"
    if (twilio_type or "").lower().replace("-", "").replace("_", "") == "tollfree":
        return "toll_free"
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return "unknown"
    kind = phonenumbers.number_type(parsed)
    if kind == phonenumbers.PhoneNumberType.TOLL_FREE:
        return "toll_free"
    geographic = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
                  phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if phonenumbers.region_code_for_number(parsed) == "US" and kind in geographic:
        return "local"
    return "unknown"


def sms_capable(number: dict | None) -> bool | None:
    """The IncomingPhoneNumber's SMS capability (None when unknown)."""
    if number is None:
        return None
    caps = number.get("capabilities")
    if isinstance(caps, dict):
        value = caps.get("sms", caps.get("SMS"))
        return None if value is None else bool(value)
    if isinstance(caps, list):
        return any(str(c).lower() == "sms" for c in caps)
    return None


def twilio_errors_text(errors) -> str:
    """Twilio's `errors[]` quoted for a remediation: "30909: ... (fields: message_flow)"."""
    parts = []
    for err in errors or []:
        if not isinstance(err, dict):
            parts.append(str(err))
            continue
        code = err.get("error_code") or err.get("code")
        text = err.get("description") or err.get("message") or ""
        fields = err.get("fields")
        piece = f"{code}: {text}" if code else text
        if fields:
            piece += f" (fields: {', '.join(map(str, fields))})"
        parts.append(piece.strip())
    return "; ".join(p for p in parts if p)
