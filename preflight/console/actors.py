"""Readable names for audit actors: console users by email, API keys by name and role."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ApiKey, User


def actor_labels(session: Session, workspace_id: str) -> dict[str, str]:
    """{actor id: label} for the workspace's users and keys (other actors keep their id)."""
    labels = {"system": "system", "twilio": "Twilio"}
    for uid, email in session.execute(select(User.id, User.email).where(User.workspace_id == workspace_id)):
        labels[uid] = email
    for kid, name, role in session.execute(select(ApiKey.id, ApiKey.name, ApiKey.role)
                                           .where(ApiKey.workspace_id == workspace_id)):
        labels[kid] = f"{name} ({role} key)" if name else f"{role} key"
    return labels
