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

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..db import core
from ..consent.ledger import record_opt_out
from ..consent.sql import insert_ignore
from ..models import CarrierError, Message, StatusEvent
from . import daily
from .status import can_move

log = logging.getLogger("preflight.sending.callbacks")

OPT_OUT_CODE = "21610"
UNREGISTERED_CODE = "30034"


_m = Message.__table__
_COLUMNS = (_m.c.id, _m.c.status, _m.c.twilio_sid, _m.c.submitted_at, _m.c.created_at, _m.c.to_number,
            _m.c.from_number, _m.c.is_us, _m.c.segments)
# Pre-built Core statements: every send gets two or three callbacks.
_BY_ID = select(*_COLUMNS).where(_m.c.id == bindparam("mid"), _m.c.workspace_id == bindparam("ws")).with_for_update()
_BY_SID = (select(*_COLUMNS).where(_m.c.twilio_sid == bindparam("sid"), _m.c.workspace_id == bindparam("ws"))
           .with_for_update())


def _find(session: Session, workspace_id: str, message_id: str | None, sid: str | None):
    """The message's row (locked), by our id or else by Twilio's sid, within the workspace."""
    if message_id:
        row = core(session).execute(_BY_ID, {"mid": message_id, "ws": workspace_id}).one_or_none()
        if row is not None:
            return row
    if sid:
        return core(session).execute(_BY_SID, {"sid": sid, "ws": workspace_id}).one_or_none()
    return None


def handle_status(session: Session, workspace_id: str, params: dict, now: datetime,
                  message_id: str | None = None) -> str | None:
    """Apply one status callback in the caller's transaction; returns the message's id,
    or None when the callback names no message of this workspace."""
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
    if core(session).execute(stmt.returning(StatusEvent.id)).scalar_one_or_none() is None:
        return msg.id  # a duplicate delivery: already applied once
    previous = msg.status
    applied = can_move(previous, status)
    changes: dict = {"updated_at": now}
    if applied:
        changes["status"] = status
        if error_code:
            changes["error_code"] = error_code
        if msg.submitted_at is None:
            # Reconcile had judged it not sent; Twilio says otherwise, so it counts again.
            changes["submitted_at"] = msg.created_at
            if msg.is_us:
                daily.count(session, workspace_id, msg.created_at, msg.segments)
    if sid and not msg.twilio_sid:
        changes["twilio_sid"] = sid
    core(session).execute(update(_m).where(_m.c.id == msg.id).values(**changes))
    audit.append(session, workspace_id=workspace_id, actor="twilio", action="message.status", subject=msg.id,
                 data={"status": status, "previous": previous, "applied": applied, "error_code": error_code,
                       "twilio_sid": sid}, now=now)
    if error_code == OPT_OUT_CODE:
        record_opt_out(session, workspace_id, msg.to_number, "twilio", f"Twilio error {OPT_OUT_CODE} on delivery",
                       now, now, "twilio", dedupe_key=f"twilio-{OPT_OUT_CODE}:{sid or msg.id}")
    if error_code == UNREGISTERED_CODE:
        record_carrier_error(session, workspace_id, msg.from_number or params.get("From") or "", error_code,
                             msg.id, now)
    return msg.id


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
