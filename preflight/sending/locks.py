"""The per-workspace lock every send-path transaction takes first.

Decisions of one workspace are serialised on its `workspaces` row so that caps,
daily totals and credits are read and written consistently. On PostgreSQL the lock
is FOR NO KEY UPDATE: it does not conflict with the KEY SHARE locks that inserting
rows referencing the workspace (audit events, messages) take, so a transaction that
holds the audit chain head never waits for it. Every transaction that takes both
takes this one first, then the audit head: one order, no deadlock. SQLite serialises
writers with BEGIN IMMEDIATE and ignores the clause.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Workspace


def lock_workspace(session: Session, workspace_id: str) -> Workspace | None:
    """Lock (and return) the workspace row for the rest of the transaction."""
    return session.scalars(select(Workspace).where(Workspace.id == workspace_id)
                           .with_for_update(key_share=True)).one_or_none()
