"""The consent ledger: append-only events and the per-number current state."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ConsentEvent(Base):
    """One ledger event: an opt-in with its evidence, a revocation, an opt-back-in or a HELP.

    Rows are never updated or deleted; `ContactState` is the derived current state,
    written in the same transaction.
    """

    __tablename__ = "consent_events"
    __table_args__ = (
        UniqueConstraint("workspace_id", "dedupe_key"),
        Index("ix_consent_events_ws_phone", "workspace_id", "phone_number", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"))
    phone_number: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # opt_in | opt_out | opt_back_in | help
    scope: Mapped[str | None] = mapped_column(String(16))  # marketing | informational (opt_in)
    scopes: Mapped[list] = mapped_column(default=list)  # scopes removed (opt_out) or restored (opt_back_in)
    written: Mapped[bool | None] = mapped_column(Boolean)
    method: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    occurred_at: Mapped[datetime]  # captured_at / received_at as given
    recorded_at: Mapped[datetime]
    source: Mapped[str | None] = mapped_column(Text)
    disclosure_text: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(16))
    evidence_uri: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(64))
    # Idempotence: Twilio MessageSid for replies, a content hash for imports.
    dedupe_key: Mapped[str | None] = mapped_column(String(80))


class ContactState(Base):
    """Current consent state of one number in one workspace (one indexed read for the gate)."""

    __tablename__ = "contact_states"

    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"), primary_key=True)
    phone_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    marketing: Mapped[bool] = mapped_column(Boolean, default=False)
    informational: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None]
    last_revoked_scopes: Mapped[list] = mapped_column(default=list)
    postal_code: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime]


class InboundMessage(Base):
    """Every inbound reply Twilio forwarded, once per MessageSid (retries have one effect)."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("workspace_id", "message_sid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspaces.id"))
    message_sid: Mapped[str] = mapped_column(String(64))
    from_number: Mapped[str] = mapped_column(String(32))
    to_number: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str | None] = mapped_column(Text)
    classification: Mapped[str | None] = mapped_column(String(16))
    received_at: Mapped[datetime]
