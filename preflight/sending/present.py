"""How messages and decisions read in API answers (plain dicts, no Flask)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..models import Message


@dataclass
class SendResult:
    """An HTTP-shaped answer: status, JSON body and extra headers."""

    status: int
    body: dict
    headers: dict = field(default_factory=dict)


def iso(moment: datetime | None) -> str | None:
    """An instant as ISO 8601 UTC, or None."""
    return moment.astimezone(timezone.utc).isoformat() if moment is not None else None


def sent_body(msg: Message) -> dict:
    """The 201 answer of an allowed, submitted send."""
    return {"id": msg.id, "decision": "allowed", "status": "submitted", "twilio_sid": msg.twilio_sid,
            "segments": msg.segments, "warnings": list(msg.warnings or [])}


def blocked_body(msg: Message) -> dict:
    """The 422 answer of a blocked send (blocked by the gate or refused by Twilio)."""
    return {"id": msg.id, "decision": "blocked", "status": msg.status, "reasons": list(msg.reasons or []),
            "warnings": list(msg.warnings or []), "next_allowed_at": iso(msg.next_allowed_at),
            "segments": msg.segments}


def error_envelope(code: str, message: str, details: dict) -> dict:
    """The shared error envelope, as stored for idempotent replay."""
    return {"error": {"code": code, "message": message, "details": details}}


def message_dict(msg: Message) -> dict:
    """A message as GET /v1/messages shows it."""
    return {"id": msg.id, "to": msg.to_number, "from": msg.from_number, "body": msg.body,
            "category": msg.category, "decision": msg.decision, "status": msg.status,
            "reasons": list(msg.reasons or []), "warnings": list(msg.warnings or []),
            "next_allowed_at": iso(msg.next_allowed_at), "segments": msg.segments, "is_us": msg.is_us,
            "twilio_sid": msg.twilio_sid, "error_code": msg.error_code, "error_message": msg.error_message,
            "created_at": iso(msg.created_at), "submitted_at": iso(msg.submitted_at),
            "updated_at": iso(msg.updated_at)}
