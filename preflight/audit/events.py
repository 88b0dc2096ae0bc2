"""Reading the chain: events in sequence order, a page at a time."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent
from .chain import format_time


def describe_event(event: AuditEvent) -> dict:
    """One event as plain data (``data`` parsed from its canonical JSON)."""
    return {"seq": event.seq, "occurred_at": format_time(event.occurred_at), "actor": event.actor,
            "action": event.action, "subject": event.subject, "data": json.loads(event.data),
            "prev_hash": event.prev_hash, "hash": event.hash}


def list_events(session: Session, workspace_id: str, after_seq: int = 0, limit: int = 100) -> dict:
    """Up to `limit` events with seq > `after_seq`, oldest first, and the cursor for the next page."""
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.workspace_id == workspace_id, AuditEvent.seq > after_seq)
        .order_by(AuditEvent.seq).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"data": [describe_event(e) for e in rows],
            "next_cursor": str(rows[-1].seq) if more else None}
