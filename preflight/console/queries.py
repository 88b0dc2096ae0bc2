"""Read-only queries behind the console's message pages, always scoped to one workspace."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from ..models import Message
from .formatting import local_day_bounds

PAGE_SIZE = 50
MAX_CHART_DAYS = 92


@dataclass(frozen=True)
class MessageFilter:
    """The messages page's filters; dates are local days in the workspace's zone."""

    start: date | None = None
    end: date | None = None
    outcome: str | None = None  # allowed | blocked
    reason: str | None = None  # one reason code


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(workspace_id: str, flt: MessageFilter, tz: str) -> list:
    conds = [Message.workspace_id == workspace_id]
    if flt.start:
        conds.append(Message.created_at >= local_day_bounds(flt.start, tz)[0])
    if flt.end:
        conds.append(Message.created_at < local_day_bounds(flt.end, tz)[1])
    if flt.outcome in ("allowed", "blocked"):
        conds.append(Message.decision == flt.outcome)
    if flt.reason:
        # reason_codes is ';'-joined: match one whole code.
        padded = literal(";") + func.coalesce(Message.reason_codes, "") + literal(";")
        conds.append(padded.like(f"%;{_like_escape(flt.reason)};%", escape="\\"))
    return conds


def list_messages(session: Session, workspace_id: str, flt: MessageFilter, tz: str, page: int = 1,
                  size: int = PAGE_SIZE) -> tuple[list[Message], bool]:
    """One page of decisions, newest first, and whether an older page exists."""
    offset = (max(page, 1) - 1) * size
    rows = list(session.scalars(select(Message).where(*_conditions(workspace_id, flt, tz))
                                .order_by(Message.created_at.desc(), Message.id.desc())
                                .offset(offset).limit(size + 1)))
    return rows[:size], len(rows) > size


def chart_range(flt: MessageFilter, today: date) -> tuple[date, date]:
    """The days the chart covers: the filter's range, else the last 14 days, at most 92 days."""
    end = flt.end or today
    start = flt.start or end - timedelta(days=13)
    if start > end:
        start, end = end, start
    if (end - start).days >= MAX_CHART_DAYS:
        start = end - timedelta(days=MAX_CHART_DAYS - 1)
    return start, end


def daily_counts(session: Session, workspace_id: str, start: date, end: date, tz: str,
                 flt: MessageFilter | None = None) -> list[tuple[date, int, int]]:
    """(day, allowed, blocked) for each local day from `start` to `end`, in one query."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    bounds = [local_day_bounds(day, tz) for day in days]
    columns = []
    for lo, hi in bounds:
        in_day = and_(Message.created_at >= lo, Message.created_at < hi)
        for decision in ("allowed", "blocked"):
            columns.append(func.coalesce(func.sum(case((and_(in_day, Message.decision == decision), 1),
                                                       else_=0)), 0))
    base = MessageFilter(outcome=flt.outcome, reason=flt.reason) if flt else MessageFilter()
    conds = _conditions(workspace_id, base, tz) + [Message.created_at >= bounds[0][0],
                                                   Message.created_at < bounds[-1][1]]
    row = session.execute(select(*columns).where(*conds)).one()
    return [(day, int(row[2 * i]), int(row[2 * i + 1])) for i, day in enumerate(days)]

