"""Appending to the per-workspace hash chain.

Each event's hash is SHA-256 over a canonical JSON encoding of its fields and the
previous event's hash. Appends lock the workspace's `audit_heads` row (SELECT ... FOR
UPDATE on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE), so two
concurrent writers cannot fork the chain; (workspace_id, seq) is unique as a backstop.
The caller's transaction commits the event together with the change it records.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from ..db import core
from ..models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64


def _default(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON-serialisable in audit data: {type(value).__name__}")


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def format_time(value: datetime) -> str:
    """Microsecond-precision UTC, the same on every backend."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_event(workspace_id: str, seq: int, occurred_at: datetime, actor: str, action: str,
                    subject: str | None, data_json: str, prev_hash: str) -> bytes:
    """The exact bytes an event's hash covers."""
    return canonical_json({
        "workspace_id": workspace_id, "seq": seq, "occurred_at": format_time(occurred_at),
        "actor": actor, "action": action, "subject": subject, "data": data_json, "prev_hash": prev_hash,
    }).encode()


def event_hash(*args) -> str:
    return hashlib.sha256(canonical_event(*args)).hexdigest()


def ensure_head(session: Session, workspace_id: str) -> None:
    """Create the empty chain head for a new workspace (same transaction as the workspace)."""
    session.add(AuditHead(workspace_id=workspace_id, seq=0, hash=GENESIS_HASH))
    session.flush()


def lock_head(session: Session, workspace_id: str) -> AuditHead:
    """Lock the workspace's chain head for the rest of the transaction. Writers that
    also lock other rows of the workspace take this first (one lock order)."""
    return session.scalars(
        select(AuditHead).where(AuditHead.workspace_id == workspace_id).with_for_update()
    ).one()


# Pre-built Core statements (compiled once and cached): an append must stay cheap, as
# every send makes two. It reads the head under its lock, then inserts the event and
# advances the head: one statement on PostgreSQL (the INSERT in a WITH clause), two on
# SQLite (no data-modifying WITH there).
_HEAD = (select(AuditHead.seq, AuditHead.hash).where(AuditHead.workspace_id == bindparam("ws"))
         .with_for_update())
_events = AuditEvent.__table__
_INSERT = insert(_events).values(
    workspace_id=bindparam("ws"), seq=bindparam("new_seq"),
    occurred_at=bindparam("occurred_at", type_=_events.c.occurred_at.type), actor=bindparam("actor"),
    action=bindparam("action"), subject=bindparam("subject"), data=bindparam("data"),
    prev_hash=bindparam("prev_hash"), hash=bindparam("new_hash"))
_ADVANCE = (update(AuditHead.__table__).where(AuditHead.__table__.c.workspace_id == bindparam("ws"))
            .values(seq=bindparam("new_seq"), hash=bindparam("new_hash")))
_INSERT_AND_ADVANCE = _ADVANCE.add_cte(_INSERT.cte("appended"))


@dataclass(frozen=True, slots=True)
class Appended:
    """Where an appended event sits in its chain."""

    seq: int
    hash: str


def append(session: Session, *, workspace_id: str, actor: str, action: str, subject: str | None,
           data: dict | None, now: datetime) -> Appended:
    """Append one event to the workspace's chain inside the caller's transaction.

    The head is read under its lock, the event inserted and the head advanced with
    Core statements: no ORM objects, so nothing in the session can hold a stale head."""
    conn = core(session)
    head_seq, head_hash = conn.execute(_HEAD, {"ws": workspace_id}).one()
    # Store times at microsecond precision so the hash recomputes identically after a round trip.
    occurred_at = now.astimezone(timezone.utc)
    seq = head_seq + 1
    data_json = canonical_json(data or {})
    digest = event_hash(workspace_id, seq, occurred_at, actor, action, subject, data_json, head_hash)
    params = {"ws": workspace_id, "new_seq": seq, "occurred_at": occurred_at, "actor": actor, "action": action,
              "subject": subject, "data": data_json, "prev_hash": head_hash, "new_hash": digest}
    if conn.dialect.name == "postgresql":
        conn.execute(_INSERT_AND_ADVANCE, params)
    else:
        conn.execute(_INSERT, params)
        conn.execute(_ADVANCE, params)
    return Appended(seq, digest)
