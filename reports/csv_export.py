"""Streamed CSV exports: every row, read in batches (yield_per) so memory stays flat.

Each generator opens its own read session, yields the header and then chunks of rows,
and closes the session when exhausted or closed. Times are UTC ISO-8601. Free-text
columns (bodies, sources, user agents) that start with a spreadsheet formula character
get a leading apostrophe so opening the file cannot run a formula; identifiers and
phone numbers are written exactly.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import String, case, func, literal, select, type_coerce

from preflight.models import ConsentEvent, Message


BATCH = 2000
MESSAGE_COLUMNS = ("id", "created_at", "to_number", "from_number", "category", "decision", "reason_codes",
                   "status", "error_code", "twilio_sid", "segments", "is_us", "submitted_at", "updated_at",
                   "next_allowed_at", "actor", "body")
CONSENT_COLUMNS = ("id", "phone_number", "kind", "scope", "scopes", "written", "method", "channel",
                   "occurred_at", "recorded_at", "source", "disclosure_text", "ip", "user_agent", "postal_code",
                   "evidence_uri", "text", "actor")
FREE_TEXT = {"body", "source", "disclosure_text", "user_agent", "evidence_uri", "text"}
TIMES = {"created_at", "submitted_at", "updated_at", "next_allowed_at", "occurred_at", "recorded_at"}
_FORMULA_START = ["=", "+", "-", "@", "\t", "\r"]


def _iso(col, dialect: str):
    """SQL for a stored UTC time as ISO-8601 text with microseconds and a Z."""
    if dialect == "sqlite":  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff'
        return func.replace(type_coerce(col, String()), " ", "T") + literal("Z")
    return func.to_char(col, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')


def _column(model, name: str, dialect: str):
    """The column as exported, converted in SQL so rows stream to the CSV writer untouched."""
    col = getattr(model, name)
    if name in TIMES:
        out = _iso(col, dialect)
    elif name in FREE_TEXT:
        out = case((func.substr(col, 1, 1).in_(_FORMULA_START), literal("'") + col), else_=col)
    elif name in ("written", "is_us"):
        out = case((col.is_(None), None), (col, literal("true")), else_=literal("false"))
    else:
        out = col
    return out.label(name) if out is not col else col


def _stream(rt, model, columns: tuple[str, ...], where: list, order_by: list) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    yield buf.getvalue()
    with rt.read_session() as session:
        dialect = session.get_bind().dialect.name
        stmt = (select(*[_column(model, name, dialect) for name in columns]).where(*where).order_by(*order_by)
                .execution_options(yield_per=BATCH))
        scopes = columns.index("scopes") if "scopes" in columns else None
        for partition in session.connection().execute(stmt).partitions():
            if scopes is not None:
                partition = [(*row[:scopes], ";".join(row[scopes] or []), *row[scopes + 1:]) for row in partition]
            buf.seek(0)
            buf.truncate()
            writer.writerows(partition)
            yield buf.getvalue()


def messages_csv(rt, workspace_id: str, start: datetime | None = None, end: datetime | None = None,
                 phone_number: str | None = None) -> Iterator[str]:
    """Every decision of the workspace created in ``[start, end)`` (either bound optional),
    oldest first, optionally for one recipient number, as CSV text chunks."""
    where = [Message.workspace_id == workspace_id]
    if start is not None:
        where.append(Message.created_at >= start)
    if end is not None:
        where.append(Message.created_at < end)
    if phone_number is not None:
        where.append(Message.to_number == phone_number)
    return _stream(rt, Message, MESSAGE_COLUMNS, where, [Message.created_at, Message.id])


def consent_events_csv(rt, workspace_id: str, start: datetime | None = None,
                       end: datetime | None = None) -> Iterator[str]:
    """Every consent ledger event of the workspace (optionally those that occurred in
    ``[start, end)``), in ledger order, as CSV text chunks."""
    where = [ConsentEvent.workspace_id == workspace_id]
    if start is not None:
        where.append(ConsentEvent.occurred_at >= start)
    if end is not None:
        where.append(ConsentEvent.occurred_at < end)
    return _stream(rt, ConsentEvent, CONSENT_COLUMNS, where, [ConsentEvent.id])
