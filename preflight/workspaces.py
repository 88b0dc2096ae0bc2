"""Workspaces and API keys: creation, revocation, authentication."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from . import audit
from .db import core
from .errors import InvalidInput, NotFound, Unauthorized
from .models import ROLES, ApiKey, Workspace, new_id
from .security import apikeys


@dataclass(frozen=True)
class Caller:
    """Who is asking: a key (or console user) of one workspace with one role."""

    workspace_id: str
    role: str
    actor: str  # audit actor: key id, user id, "system", "twilio"


def create_workspace(session: Session, name: str, now: datetime, actor: str = "system") -> Workspace:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("workspace name must be 1-200 characters", details={"name": "1-200 characters"})
    ws = Workspace(id=new_id("ws"), name=name, created_at=now, credit_balance=None)
    session.add(ws)
    session.flush()
    audit.chain.ensure_head(session, ws.id)
    audit.append(session, workspace_id=ws.id, actor=actor, action="workspace.created", subject=ws.id,
                 data={"name": name}, now=now)
    return ws


def get_workspace(session: Session, workspace_id: str) -> Workspace:
    ws = session.get(Workspace, workspace_id)
    if ws is None:
        raise NotFound(f"workspace {workspace_id} not found")
    return ws


def create_key(session: Session, workspace_id: str, role: str, name: str | None, now: datetime,
               actor: str = "system") -> tuple[ApiKey, str]:
    """Create a key; returns the row and the secret, which is shown only this once."""
    get_workspace(session, workspace_id)
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", details={"role": "unknown role"})
    secret, prefix, digest = apikeys.generate()
    key = ApiKey(id=new_id("key"), workspace_id=workspace_id, role=role, name=name, prefix=prefix,
                 secret_hash=digest, created_at=now)
    session.add(key)
    session.flush()
    audit.append(session, workspace_id=workspace_id, actor=actor, action="key.created", subject=key.id,
                 data={"role": role, "name": name, "prefix": prefix}, now=now)
    return key, secret


def revoke_key(session: Session, key_id: str, now: datetime, actor: str = "system",
               workspace_id: str | None = None) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or (workspace_id is not None and key.workspace_id != workspace_id):
        raise NotFound(f"key {key_id} not found")
    if key.revoked_at is None:
        key.revoked_at = now
        audit.append(session, workspace_id=key.workspace_id, actor=actor, action="key.revoked",
                     subject=key.id, data={"role": key.role}, now=now)
    return key


_KEY_BY_PREFIX = select(ApiKey.id, ApiKey.workspace_id, ApiKey.role, ApiKey.secret_hash, ApiKey.revoked_at).where(
    ApiKey.prefix == bindparam("prefix"))


def authenticate(session: Session, presented: str) -> Caller:
    """Resolve a bearer key to its caller, comparing hashes in constant time (one
    pre-built Core query: every authenticated request makes it)."""
    prefix = apikeys.parse_prefix(presented or "")
    if prefix is None:
        raise Unauthorized("invalid API key")
    key = core(session).execute(_KEY_BY_PREFIX, {"prefix": prefix}).one_or_none()
    if key is None or not apikeys.matches(presented, key.secret_hash) or key.revoked_at is not None:
        raise Unauthorized("invalid API key")
    return Caller(workspace_id=key.workspace_id, role=key.role, actor=key.id)
