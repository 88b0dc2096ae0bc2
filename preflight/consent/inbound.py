"""Inbound replies forwarded by Twilio (the signature is checked by the webhook first).

Each message is stored once per MessageSid: the row is inserted with INSERT ... ON
CONFLICT DO NOTHING, so a Twilio retry (or two concurrent deliveries) has exactly one
effect and no check-then-insert race. The reply is classified with
`classify_reply(Body, OptOutType)` and becomes an opt-out (channel ``sms``, actor
``twilio``, dedupe_key = MessageSid), an opt-back-in or a HELP in the ledger; other
messages are only stored. A sender that is not a valid E.164 number cannot be texted
through the gate, so its reply is stored but enters no ledger.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from .. import audit
from ..db import core
from ..errors import InvalidInput
from ..models import InboundMessage
from .ledger import record_help, record_opt_back_in, record_opt_out
from .replies import classify_reply
from .sql import insert_ignore
from .validation import MAX_LENGTHS, validate_phone

log = logging.getLogger("preflight.consent")

RECORDERS = {"opt_out": record_opt_out, "opt_in": record_opt_back_in, "help": record_help}


def handle_inbound(session: Session, workspace_id: str, params: dict, now: datetime) -> int | None:
    """Store and act on one inbound message: the stored row's id, or None when this
    MessageSid was already handled.

    Raises InvalidInput when MessageSid or From is missing (the webhook answers 400).
    """
    sid = (params.get("MessageSid") or params.get("SmsSid") or "").strip()
    sender = (params.get("From") or "").strip()
    missing = {name: "required" for name, value in (("MessageSid", sid), ("From", sender)) if not value}
    if missing:
        raise InvalidInput("not a Twilio inbound message", details=missing)
    body = params.get("Body")
    classification = classify_reply(body, params.get("OptOutType"))
    stmt = insert_ignore(session, InboundMessage, ["workspace_id", "message_sid"]).values(
        workspace_id=workspace_id, message_sid=sid[:64], from_number=sender[:32],
        to_number=(params.get("To") or None) and params["To"][:32], body=body,
        classification=classification, received_at=now,
    ).returning(InboundMessage.id)
    inbound_id = core(session).execute(stmt).scalar_one_or_none()
    if inbound_id is None:
        return None
    to_number = (params.get("To") or None) and params["To"][:32]
    if classification in RECORDERS:
        try:
            phone = validate_phone(sender, "From")
        except InvalidInput:
            log.warning("inbound %s from %r is not a valid E.164 number; stored only", sid, sender)
        else:
            text = body[:MAX_LENGTHS["text"]] if body else None
            RECORDERS[classification](session, workspace_id, phone, "sms", text, now, now, "twilio",
                                      dedupe_key=sid)
    audit.append(session, workspace_id=workspace_id, actor="twilio", action="inbound.received", subject=sender,
                 data={"message_sid": sid, "from": sender, "to": to_number,
                       "classification": classification}, now=now)
    return inbound_id
