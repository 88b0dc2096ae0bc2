"""The running total of US segments per workspace and Pacific day (`us_daily_segments`).

A US message counts toward the T-Mobile daily cap while its `submitted_at` is set
(see `gate.prepare`). Every change of `submitted_at` on a US message goes with a
`count` in the same transaction:

- the decision to send sets it (`submit`): + segments;
- Twilio refused, or did not take it (`outcome`): cleared, - segments;
- reconcile found it was never sent (`reconcile`): cleared, - segments;
- a status callback proves a cleared one was sent after all (`callbacks`): set to
  its creation time, + segments on that day.

The row is updated in place (`segments = segments + delta`, insert-or-update), so
concurrent writers never lose a change. Lock order everywhere: the workspace lock
(when taken), the message row, this row, then the audit chain head.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..db import core
from ..gate.prepare import pacific_day
from ..models import UsDailySegments

_table = UsDailySegments.__table__


def _upsert(insert):
    stmt = insert(_table).values(workspace_id=bindparam("ws"), day=bindparam("day"), segments=bindparam("delta"))
    return stmt.on_conflict_do_update(index_elements=["workspace_id", "day"],
                                      set_={"segments": _table.c.segments + stmt.excluded.segments})


_COUNT = {"postgresql": _upsert(pg_insert), "sqlite": _upsert(sqlite_insert)}


def count(session: Session, workspace_id: str, submitted_at: datetime, delta: int) -> None:
    """Add `delta` segments to the workspace's total for the Pacific day of `submitted_at`."""
    if delta:
        conn = core(session)
        conn.execute(_COUNT[conn.dialect.name],
                     {"ws": workspace_id, "day": pacific_day(submitted_at), "delta": delta})
