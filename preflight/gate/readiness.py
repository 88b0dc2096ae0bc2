"""Which readiness result a decision uses.

- A send to a US number uses `readiness.ensure_fresh` with
  `PREFLIGHT_READINESS_MAX_AGE`: the latest complete check when young enough, else a
  fresh check is run now (in its own transaction, before the decision's). If none
  ever completed: `readiness_unknown`; if the fresh one could not complete:
  `readiness_stale`.
- A dry run never calls Twilio: it reads the latest complete check and treats one
  older than the max age as `readiness_stale` (a dry run must be free of side effects
  and fast; it answers "a send now would need a fresh check").
- A check made for another sending number than the connection's current one does
  not describe this sender: a send runs a fresh check, a dry run answers
  `readiness_unknown`.
- Non-US destinations skip the registration chain, so no check is read or run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from ..models import Connection
from ..readiness import chain_facts, ensure_fresh, latest
from .context import READINESS_OK, READINESS_STALE, READINESS_UNKNOWN
from .places import classify
from .prepare import WorkspaceSnapshot, cached_chain_facts


@dataclass
class ReadinessView:
    """The readiness state a decision uses, the check behind it (a ReadinessCheck or a
    CheckRef: id and finished_at are what is read) and its chain facts."""

    state: str
    check: object | None = None
    chain: dict = field(default_factory=dict)


def _max_age(rt) -> timedelta:
    return timedelta(seconds=float(rt.settings["PREFLIGHT_READINESS_MAX_AGE"]))


def _matches(check, conn) -> bool:
    return conn is None or not check.phone_number or check.phone_number == conn.phone_number


def for_dry_run(session: Session, rt, workspace_id: str, now: datetime,
                snap: WorkspaceSnapshot) -> ReadinessView:
    """The latest complete check of the caller's snapshot, judged against the max age
    (never runs a check)."""
    check, conn = snap.latest_check, snap.connection
    if check is None or not _matches(check, conn):
        return ReadinessView(READINESS_UNKNOWN)
    if now - check.finished_at >= _max_age(rt):
        return ReadinessView(READINESS_STALE, check)
    return ReadinessView(READINESS_OK, check, cached_chain_facts(session, check.id))


def current_for_send(session: Session, rt, workspace_id: str, to: str, now: datetime,
                     snap: WorkspaceSnapshot) -> ReadinessView | None:
    """The readiness a send to `to` can use without running a check (read in the
    caller's transaction), or None when a fresh check must run first (`for_send`)."""
    if not classify(to).is_us:
        return ReadinessView(READINESS_UNKNOWN)
    conn, current = snap.connection, snap.latest_check
    if conn is None:
        return ReadinessView(READINESS_UNKNOWN)
    if current is not None and _matches(current, conn) and now - current.finished_at < _max_age(rt):
        return ReadinessView(READINESS_OK, current, cached_chain_facts(session, current.id))
    return None


def for_send(rt, workspace_id: str, to: str) -> ReadinessView:
    """Readiness for a send to `to`; may run (and commit) a fresh check for US numbers."""
    if not classify(to).is_us:
        return ReadinessView(READINESS_UNKNOWN)
    max_age = _max_age(rt)
    # Read without holding a write transaction: a fresh check walks Twilio for seconds.
    with rt.read_session() as rs:
        conn = rs.get(Connection, workspace_id)
        if conn is None:
            return ReadinessView(READINESS_UNKNOWN)
        current = latest(rs, workspace_id)
        if current is not None and _matches(current, conn) and rt.now() - current.finished_at < max_age:
            return ReadinessView(READINESS_OK, current, chain_facts(current))
        stale_other_number = current is not None and not _matches(current, conn)
    with rt.transaction() as s:
        check, error = ensure_fresh(s, rt, workspace_id, timedelta(0) if stale_other_number else max_age)
    if check is not None:
        return ReadinessView(READINESS_OK, check, chain_facts(check))
    if error == "readiness_stale":
        return ReadinessView(READINESS_STALE, current)
    return ReadinessView(READINESS_UNKNOWN)
