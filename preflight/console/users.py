"""Console users: creation, password hashing (argon2id) and login with lockout.

Flask-free so the CLI and the web views share it. A wrong password counts against the
user's row (`failed_logins`, `locked_until`); the per-IP side of rate limiting lives in
`preflight.console.limiter`. Every change is written to the audit trail.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..errors import Conflict, InvalidInput
from ..models import User, new_id
from ..workspaces import get_workspace

CONSOLE_ROLES = ("admin", "compliance")
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 12
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("preflight-dummy-password")


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(session: Session, workspace_id: str, email: str, password: str, role: str, now: datetime,
                actor: str = "system") -> User:
    """Create a console user; InvalidInput names each bad field, Conflict a taken email."""
    get_workspace(session, workspace_id)
    email = normalise_email(email)
    errors = {}
    if not EMAIL_RE.match(email) or len(email) > 320:
        errors["email"] = "not an email address"
    if role not in CONSOLE_ROLES:
        errors["role"] = f"must be one of {', '.join(CONSOLE_ROLES)}"
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        errors["password"] = f"at least {MIN_PASSWORD} characters"
    if errors:
        raise InvalidInput("invalid user", details=errors)
    if session.scalars(select(User).where(User.email == email)).first() is not None:
        raise Conflict("a user with this email already exists", code="email_taken", details={"email": "taken"})
    user = User(id=new_id("usr"), workspace_id=workspace_id, email=email, password_hash=hash_password(password),
                role=role, created_at=now, failed_logins=0, locked_until=None)
    session.add(user)
    session.flush()
    audit.append(session, workspace_id=workspace_id, actor=actor, action="user.created", subject=user.id,
                 data={"email": email, "role": role}, now=now)
    return user


@dataclass(frozen=True)
class LoginResult:
    """The outcome of one attempt: `user` on success, else why and until when."""

    user: User | None
    failure: str | None = None  # "invalid" | "locked" | "no_console"
    retry_at: datetime | None = None


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def attempt_login(session: Session, email: str, password: str, now: datetime) -> LoginResult:
    """Check one login. The caller commits (failure counters are kept either way)."""
    email = normalise_email(email)
    user = session.scalars(select(User).where(User.email == email)).first() if email else None
    if user is None:
        _verify(_DUMMY_HASH, password or "")
        return LoginResult(None, "invalid")
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, "locked", user.locked_until)
    if not _verify(user.password_hash, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until, user.failed_logins = now + LOCK_FOR, 0
            audit.append(session, workspace_id=user.workspace_id, actor="system", action="user.locked",
                         subject=user.id, data={"email": user.email, "until": user.locked_until}, now=now)
            return LoginResult(None, "locked", user.locked_until)
        return LoginResult(None, "invalid")
    if user.role not in CONSOLE_ROLES:
        return LoginResult(None, "no_console")
    user.failed_logins, user.locked_until = 0, None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.append(session, workspace_id=user.workspace_id, actor=user.id, action="user.login", subject=user.id,
                 data={"email": user.email}, now=now)
    return LoginResult(user)
