"""Shared pieces of report building: times, periods, read sessions, the workspace header."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from preflight.errors import InvalidInput, NotFound
from preflight.models import Workspace

PDF_LIST_CAP = 20


def iso(value: datetime | None) -> str | None:
    """UTC ISO-8601 with a Z, seconds precision (what reports print and hash)."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def zone(name: str | None) -> ZoneInfo:
    """The workspace's time zone, UTC when the name is unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def parse_instant(value: str | None, field: str, *, end: bool = False) -> datetime | None:
    """An ISO date or date-time from a query/CLI argument, as an aware UTC datetime.

    A bare date means midnight UTC at its start; with ``end=True`` it means the end of
    that day (the next midnight), so ``to=2026-06-30`` includes the whole 30th. A
    date-time without an offset is taken as UTC.
    """
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time(0), tzinfo=timezone.utc)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{field} must be an ISO-8601 date or date-time",
                           details={field: "not an ISO-8601 date or date-time"}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_period(start: str | None, end: str | None, *, required: bool = False) -> tuple[datetime | None, datetime | None]:
    """A half-open period ``[from, to)`` from two ISO arguments (see `parse_instant`)."""
    lo, hi = parse_instant(start, "from"), parse_instant(end, "to", end=True)
    if required:
        missing = {k: "required" for k, v in (("from", lo), ("to", hi)) if v is None}
        if missing:
            raise InvalidInput("give the period as from and to", details=missing)
    if lo is not None and hi is not None and hi <= lo:
        raise InvalidInput("to must be after from", details={"to": "must be after from"})
    return lo, hi


def workspace_info(session: Session, workspace_id: str) -> dict:
    """The workspace as the report header shows it."""
    ws = session.get(Workspace, workspace_id)
    if ws is None:
        raise NotFound(f"workspace {workspace_id} not found")
    return {"id": ws.id, "name": ws.name, "time_zone": ws.time_zone or "UTC"}
