"""Messaging credits: unlimited until the first top-up, then a balance in segments."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from . import audit
from .models import Workspace


def top_up(session: Session, workspace_id: str, amount: int, now: datetime, actor: str) -> int:
    """The first top-up sets the balance to `amount`; later ones add to it."""
    # FOR NO KEY UPDATE: concurrent audit appends (which reference the workspace) are not blocked.
    ws = session.get(Workspace, workspace_id, with_for_update={"key_share": True})
    ws.credit_balance = amount if ws.credit_balance is None else ws.credit_balance + amount
    audit.append(session, workspace_id=workspace_id, actor=actor, action="credits.topped_up",
                 subject=workspace_id, data={"amount": amount, "balance": ws.credit_balance}, now=now)
    return ws.credit_balance


def debit(session: Session, workspace_id: str, segments: int) -> bool:
    """Atomically take `segments` off a limited balance; False when it would go negative.
    Unlimited workspaces (no balance) always succeed."""
    result = session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id, Workspace.credit_balance.is_not(None),
               Workspace.credit_balance >= segments)
        .values(credit_balance=Workspace.credit_balance - segments)
    )
    if result.rowcount == 1:
        return True
    ws = session.get(Workspace, workspace_id)
    session.refresh(ws, ["credit_balance"])
    return ws.credit_balance is None
