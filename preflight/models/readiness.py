"""Stored readiness runs and carrier errors reported since."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ReadinessCheck(Base):
    """One readiness run. `complete` is False when Twilio could not be reached:
    such a run is kept as evidence but never becomes the latest result."""

    __tablename__ = "readiness_checks"
    __table_args__ = (Index("ix_readiness_checks_ws_finished", "workspace_id", "complete", "finished_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"))
    status: Mapped[str] = mapped_column(String(24))  # ready | ready_with_warnings | not_ready | incomplete
    complete: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    twilio_requests: Mapped[int] = mapped_column(Integer, default=0)
    phone_number: Mapped[str | None] = mapped_column(String(16))
    account_sid: Mapped[str | None] = mapped_column(String(34))
    chain: Mapped[dict] = mapped_column(default=dict)
    checks: Mapped[list] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)


class CarrierError(Base):
    """A registration-class delivery error (30034) Twilio reported for a sender."""

    __tablename__ = "carrier_errors"
    __table_args__ = (Index("ix_carrier_errors_ws_sender", "workspace_id", "sender", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"))
    sender: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[str | None] = mapped_column(String(32))
    occurred_at: Mapped[datetime]
