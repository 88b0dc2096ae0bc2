"""Twilio status callbacks (`POST /webhooks/twilio/{ws}/status`, signature already checked).

The message is found by our id (the `?message=` query we put on the callback URL,
scoped to the workspace) or else by `MessageSid`. Each (message, status) is recorded
once (`status_events`, insert-or-nothing), so a duplicate delivery has no effect.
The message's status only moves forward (`status.can_move`): "sent" arriving after
"delivered" is kept as history but changes nothing. Error 21610 records an opt-out
(channel "twilio"); 30034 records a CarrierError for the sender, which makes the gate
answer `carrier_registration_error` until the next readiness check. A callback for
a message we do not know is logged and ignored.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..consent.ledger import record_opt_out
from ..consent.sql import insert_ignore
from ..models import CarrierError, Message, StatusEvent
from .status import can_move

log = logging.getLogger("preflight.sending.callbacks")

OPT_OUT_CODE = "21610"
UNREGISTERED_CODE = "30034"


def _find(session: Session, workspace_id: str, message_id: str | None, sid: str | None) -> Message | None:
    if message_id:
        msg = session.scalars(select(Message).where(Message.id == message_id, Message.workspace_id == workspace_id)
                              .with_for_update()).one_or_none()
        if msg is not None:
            return msg
    if sid:
        return session.scalars(select(Message).where(Message.twilio_sid == sid, Message.workspace_id == workspace_id)
                               .with_for_update()).one_or_none()
    return None


def handle_status(session: Session, workspace_id: str, params: dict, now: datetime,
                  message_id: str | None = None) -> Message | None:
    """Apply one status callback in the caller's transaction; returns the message or None."""
    sid = params.get("MessageSid") or params.get("SmsSid")
    status = (params.get("MessageStatus") or params.get("SmsStatus") or "").strip().lower()
    error_code = (params.get("ErrorCode") or "").strip() or None
    msg = _find(session, workspace_id, message_id, sid)
    if msg is None or not status:
        log.warning("status callback for an unknown message (workspace %s, message %s, sid %s, status %s)",
                    workspace_id, message_id, sid, status or "-")
        return None
    if sid and msg.twilio_sid and msg.twilio_sid != sid:
        log.warning("status callback for message %s names sid %s, but the message has %s; ignored",
                    msg.id, sid, msg.twilio_sid)
        return None
    stmt = insert_ignore(session, StatusEvent, ["message_id", "status"]).values(
        workspace_id=workspace_id, message_id=msg.id, status=status, error_code=error_code, received_at=now)
    if session.execute(stmt.returning(StatusEvent.id)).scalar_one_or_none() is None:
        return msg  # a duplicate delivery: already applied once
    previous = msg.status
    applied = can_move(previous, status)
    if applied:
        msg.status = status
        if error_code:
            msg.error_code = error_code
        if msg.submitted_at is None:
            # Reconcile had judged it not sent; Twilio says otherwise, so it counts again.
            msg.submitted_at = msg.created_at
    if sid and not msg.twilio_sid:
        msg.twilio_sid = sid
    msg.updated_at = now
    audit.append(session, workspace_id=workspace_id, actor="twilio", action="message.status", subject=msg.id,
                 data={"status": status, "previous": previous, "applied": applied, "error_code": error_code,
                       "twilio_sid": sid}, now=now)
    if error_code == OPT_OUT_CODE:
        record_opt_out(session, workspace_id, msg.to_number, "twilio", f"Twilio error {OPT_OUT_CODE} on delivery",
                       now, now, "twilio", dedupe_key=f"twilio-{OPT_OUT_CODE}:{sid or msg.id}")
    if error_code == UNREGISTERED_CODE:
        record_carrier_error(session, workspace_id, msg.from_number or params.get("From") or "", error_code,
                             msg.id, now)
    session.flush()
    return msg


def record_carrier_error(session: Session, workspace_id: str, sender: str, error_code: str,
                         message_id: str | None, now: datetime) -> CarrierError:
    """Store a registration-class carrier error for `sender` with its audit event."""
    row = CarrierError(workspace_id=workspace_id, sender=sender, error_code=error_code, message_id=message_id,
                       occurred_at=now)
    session.add(row)
    session.flush()
    audit.append(session, workspace_id=workspace_id, actor="twilio", action="carrier.error", subject=sender,
                 data={"error_code": error_code, "message_id": message_id, "carrier_error_id": row.id}, now=now)
    return row
