"""`Idempotency-Key` claims, taken atomically.

A claim is a row in `idempotency_keys`, unique on (workspace_id, key). It is taken
by INSERT ... ON CONFLICT DO NOTHING in the decision's transaction (so the claim, the
decision and the Message row commit together, before Twilio is called), naming the
message the request will record; no row inserted means someone holds it already:
there is no check-then-insert window. The row then answers later requests with the
same key:

- same body (SHA-256 of the canonical JSON body) and a stored response: replay it;
- a different body: 422 `idempotency_key_reused`;
- same body, no response stored yet (the first request is in flight): 409
  `idempotency_in_progress`;
- a claim older than 24 hours is taken over by a conditional UPDATE (`... WHERE
  created_at < cutoff`), so two requests cannot both take over one expired claim; so
  is a claim without a message (`message_id` null) older than `ORPHAN_AFTER`: its
  request died before deciding, so nothing can have been sent. (Claims name their
  message from the start and commit with it, so only rows written before that was so
  can be such orphans.)

`release` deletes a claim whose request ended without an outcome worth keeping
(Twilio definitely did not take the message), so a retry with the same key may try
again; the Message row of the failed attempt stays as its trace.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..db import core
from ..errors import Conflict, InvalidInput, Unprocessable
from ..models import IdempotencyKey

HEADER = "Idempotency-Key"
TTL = timedelta(hours=24)
MAX_LENGTH = 255
ORPHAN_AFTER = timedelta(minutes=5)


def validate_key(value: str | None) -> str | None:
    """The header's value, None when absent; 400 naming the header when not 1-255 chars."""
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_LENGTH or not value.strip():
        raise InvalidInput(f"{HEADER} must be 1-{MAX_LENGTH} characters",
                           details={HEADER: f"must be 1-{MAX_LENGTH} characters"})
    return value


def request_hash(body: dict) -> str:
    """SHA-256 of the canonical JSON encoding of a request body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Replay:
    """A stored first response to answer again."""

    status: int
    body: dict


_CLAIM = {
    dialect: insert(IdempotencyKey.__table__).on_conflict_do_nothing(index_elements=["workspace_id", "key"])
    .returning(IdempotencyKey.__table__.c.id)
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


def claim(session: Session, workspace_id: str, key: str, digest: str, now: datetime,
          message_id: str | None = None) -> Replay | None:
    """Take the claim for `key` in the caller's transaction (None: this request owns it
    now, for `message_id`) or return the stored response to replay. Raises 422
    `idempotency_key_reused` or 409 `idempotency_in_progress`.

    The INSERT does nothing when the key is taken (PostgreSQL first waits for a
    concurrent holder of the same key to commit or roll back), so two requests never
    both own it."""
    conn = core(session)
    inserted = conn.execute(_CLAIM[conn.dialect.name], {"workspace_id": workspace_id, "key": key,
                                                         "request_hash": digest, "created_at": now,
                                                         "message_id": message_id})
    if inserted.first() is not None:  # a row came back: ours (rowcount is unreliable with RETURNING)
        return None
    taken = session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.key == key,
               or_(IdempotencyKey.created_at < now - TTL,
                   and_(IdempotencyKey.message_id.is_(None), IdempotencyKey.response_status.is_(None),
                        IdempotencyKey.created_at < now - ORPHAN_AFTER)))
        .values(request_hash=digest, created_at=now, message_id=message_id, response_status=None,
                response_body=None))
    if taken.rowcount == 1:
        return None
    row = session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.key == key)).one_or_none()
    if row is None:
        # Released between our insert and our read: claim it afresh.
        return claim(session, workspace_id, key, digest, now, message_id)
    if row.request_hash != digest:
        raise Unprocessable(f"this {HEADER} was used with a different request body",
                            code="idempotency_key_reused", details={HEADER: key})
    if row.response_status is None:
        raise Conflict(f"a request with this {HEADER} is still in progress; retry shortly",
                       code="idempotency_in_progress", details={HEADER: key})
    return Replay(row.response_status, dict(row.response_body or {}))


_keys = IdempotencyKey.__table__
_STORE = (update(_keys).where(_keys.c.workspace_id == bindparam("ws"), _keys.c.key == bindparam("k"))
          .values(response_status=bindparam("status"), response_body=bindparam("body", type_=_keys.c.response_body.type)))


def store(session: Session, workspace_id: str, key: str | None, status: int, body: dict) -> None:
    """Store the response to replay for `key` (no-op without a key): one pre-built
    Core statement, as every send stores its answer."""
    if key is None:
        return
    core(session).execute(_STORE, {"ws": workspace_id, "k": key, "status": status, "body": body})


def store_for_message(session: Session, workspace_id: str, message_id: str, status: int, body: dict) -> None:
    """Store (or replace) the response of whichever claim produced `message_id` (reconcile)."""
    session.execute(update(IdempotencyKey).where(
        IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.message_id == message_id
    ).values(response_status=status, response_body=body))


def release(session: Session, workspace_id: str, key: str | None) -> None:
    """Drop the claim so that a retry with the same key runs afresh."""
    if key is None:
        return
    session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.key == key))


def release_for_message(session: Session, workspace_id: str, message_id: str) -> None:
    """Drop the claim that produced `message_id` (reconcile found it was never sent)."""
    session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.workspace_id == workspace_id, IdempotencyKey.message_id == message_id))
