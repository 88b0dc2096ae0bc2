"""Helpers for the audit tests: appending events and tampering with the table behind
the append-only triggers' back (as someone with database access could)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

import preflight.audit.triggers  # noqa: F401  (create_all must create the triggers)
from preflight.audit import append
from preflight.audit.chain import GENESIS_HASH, event_hash
from preflight.models import AuditEvent, AuditHead


def append_events(rt, workspace_id: str, count: int, action: str = "test.event") -> None:
    """Append `count` events, one transaction each, advancing nothing but the seq."""
    for i in range(count):
        with rt.transaction() as s:
            append(s, workspace_id=workspace_id, actor="system", action=action, subject=f"s{i}",
                   data={"i": i, "note": "café \"quoted\" \\ back"}, now=rt.now())


def _bypass_on(conn):
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
    else:
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER ALL"))


def _bypass_off(conn):
    from preflight.audit.triggers import STATEMENTS

    if conn.dialect.name == "sqlite":
        for sql in STATEMENTS["sqlite"]:
            conn.execute(text(sql))
    else:
        conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER ALL"))


def tamper(rt, *statements: tuple[str, dict]) -> None:
    """Run SQL against audit_events/audit_heads with the triggers out of the way, then restore them."""
    with rt.engine.begin() as conn:
        _bypass_on(conn)
        try:
            for sql, params in statements:
                conn.execute(text(sql), params)
        finally:
            _bypass_off(conn)


def rechain_from(rt, workspace_id: str, seq: int) -> None:
    """Recompute the hash of event `seq` and every later one, and move the head: what an
    insider would do after editing event `seq` to hide the edit from a plain verify."""
    with rt.sessions() as s:
        rows = s.execute(select(AuditEvent.seq, AuditEvent.occurred_at, AuditEvent.actor, AuditEvent.action,
                                AuditEvent.subject, AuditEvent.data)
                         .where(AuditEvent.workspace_id == workspace_id, AuditEvent.seq >= seq)
                         .order_by(AuditEvent.seq)).all()
        prev = s.scalar(select(AuditEvent.hash).where(AuditEvent.workspace_id == workspace_id,
                                                      AuditEvent.seq == seq - 1)) or GENESIS_HASH
        s.rollback()
    updates = []
    for row_seq, occurred_at, actor, action, subject, data in rows:
        digest = event_hash(workspace_id, row_seq, occurred_at, actor, action, subject, data, prev)
        updates.append(("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE workspace_id = :w AND seq = :s",
                        {"p": prev, "h": digest, "w": workspace_id, "s": row_seq}))
        prev = digest
    updates.append(("UPDATE audit_heads SET seq = :s, hash = :h WHERE workspace_id = :w",
                    {"s": rows[-1][0], "h": prev, "w": workspace_id}))
    tamper(rt, *updates)


def head_of(rt, workspace_id: str) -> tuple[int, str]:
    with rt.sessions() as s:
        head = s.get(AuditHead, workspace_id)
        return head.seq, head.hash


@pytest.fixture
def chain(rt, ws):
    """`ws` with 10 more events on its chain (seq 1-4 are the workspace and its keys)."""
    append_events(rt, ws.id, 10)
    return ws
