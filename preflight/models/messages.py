"""Gate decisions (one row per send request), idempotency claims and status history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Message(Base):
    """A gate decision and, when allowed, the message's life at Twilio.

    status: blocked | submitting | submitted | queued | sent | delivered | undelivered
            | failed | unknown | needs_review | error
    """

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_ws_created", "workspace_id", "created_at"),
        Index("ix_messages_ws_to_submitted", "workspace_id", "to_number", "submitted_at"),
        Index("ix_messages_ws_status", "workspace_id", "status"),
        # The T-Mobile daily cap sums today's US segments on every US decision: a range
        # scan of today's US sends, not of the workspace's whole history.
        Index("ix_messages_ws_us_submitted", "workspace_id", "is_us", "submitted_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"))
    to_number: Mapped[str] = mapped_column(String(32))
    from_number: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(8))  # allowed | blocked
    status: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list] = mapped_column(default=list)
    warnings: Mapped[list] = mapped_column(default=list)
    reason_codes: Mapped[str | None] = mapped_column(String(400))  # ';'-joined, for filtering and reports
    next_allowed_at: Mapped[datetime | None]
    segments: Mapped[int] = mapped_column(Integer, default=1)
    is_us: Mapped[bool] = mapped_column(Boolean, default=False)
    twilio_sid: Mapped[str | None] = mapped_column(String(34), unique=True)
    error_code: Mapped[str | None] = mapped_column(String(8))
    error_message: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class UsDailySegments(Base):
    """US segments submitted per workspace and Pacific day: the running total the
    T-Mobile daily cap is checked against. It moves with `messages.submitted_at`
    (`sending.daily.count`, in the transaction that sets or clears it), so a
    decision reads one row instead of summing the day's sends."""

    __tablename__ = "us_daily_segments"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD in America/Los_Angeles
    segments: Mapped[int] = mapped_column(Integer, default=0)


class IdempotencyKey(Base):
    """An `Idempotency-Key` claim: inserted first (insert-or-nothing), completed with the response."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    message_id: Mapped[str | None] = mapped_column(String(32))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict | None]


class StatusEvent(Base):
    """One status callback accepted for a message (unique per status: duplicates have one effect)."""

    __tablename__ = "status_events"
    __table_args__ = (UniqueConstraint("message_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"))
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"))
    status: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(8))
    received_at: Mapped[datetime]
