"""Reading decisions back: one message, or a filtered page of them (newest first)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..gate.bulk import parse_send_at
from ..models import Message
from ..paging import decode_cursor, encode_cursor
from .present import message_dict


def get_message(session: Session, workspace_id: str, message_id: str) -> dict:
    """One message of this workspace; 404 for any other id, other workspaces' included."""
    msg = session.get(Message, message_id) if isinstance(message_id, str) and len(message_id) <= 32 else None
    if msg is None or msg.workspace_id != workspace_id:
        raise NotFound(f"message {message_id} not found")
    return message_dict(msg)


def _instant(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    text = value.strip()
    if len(text) == 10:  # a date alone: its start, UTC
        text += "T00:00:00+00:00"
    return parse_send_at(text, name)


def list_messages(session: Session, workspace_id: str, *, from_: str | None = None, to: str | None = None,
                  decision: str | None = None, status: str | None = None, reason: str | None = None,
                  phone_number: str | None = None, limit: int = 50, cursor: str | None = None) -> dict:
    """A page of messages: `from`/`to` bound created_at ([from, to), ISO-8601 with offset or
    a date), `reason` is a reason code, `phone_number` the recipient. Returns
    {data, next_cursor}."""
    start, end = _instant(from_, "from"), _instant(to, "to")
    query = select(Message).where(Message.workspace_id == workspace_id)
    if start is not None:
        query = query.where(Message.created_at >= start)
    if end is not None:
        query = query.where(Message.created_at < end)
    if decision:
        query = query.where(Message.decision == decision)
    if status:
        query = query.where(Message.status == status)
    if phone_number:
        query = query.where(Message.to_number == phone_number)
    if reason:
        code = reason.strip()
        query = query.where(or_(Message.reason_codes == code, Message.reason_codes.like(f"{code};%"),
                                Message.reason_codes.like(f"%;{code}"), Message.reason_codes.like(f"%;{code};%")))
    if cursor:
        at, last_id = decode_cursor(cursor)
        query = query.where(or_(Message.created_at < at, and_(Message.created_at == at, Message.id < last_id)))
    rows = list(session.scalars(query.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    return {"data": [message_dict(m) for m in page],
            "next_cursor": encode_cursor(page[-1].created_at, page[-1].id) if len(rows) > limit else None}
