"""The workspace's Twilio connection: validation, encrypted storage, masking, rotation."""
from __future__ import annotations

import re
from datetime import datetime

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .errors import InvalidInput, NotFound
from .models import Connection
from .security.tokens import TokenCipher

ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-f]{32}$")
AUTH_TOKEN_RE = re.compile(r"^[0-9A-Za-z]{32}$")
E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")


def validate_e164(value, field: str = "phone_number") -> str:
    """A valid E.164 number (syntax and numbering plan), else InvalidInput naming `field`."""
    if not isinstance(value, str) or not E164_RE.match(value):
        raise InvalidInput(f"{field} must be an E.164 number like +14155550100",
                           details={field: "not an E.164 number"})
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"{field} is not a valid phone number", details={field: "not a valid number"}) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(f"{field} is not a valid phone number", details={field: "not a valid number"})
    return value


def set_connection(session: Session, cipher: TokenCipher, workspace_id: str, *, account_sid, auth_token,
                   phone_number, now: datetime, actor: str) -> Connection:
    errors = {}
    if not isinstance(account_sid, str) or not ACCOUNT_SID_RE.match(account_sid):
        errors["account_sid"] = "must be AC followed by 32 hex characters"
    if not isinstance(auth_token, str) or not AUTH_TOKEN_RE.match(auth_token):
        errors["auth_token"] = "must be 32 characters"
    try:
        validate_e164(phone_number)
    except InvalidInput as exc:
        errors.update(exc.details)
    if errors:
        raise InvalidInput("invalid connection", details=errors)
    conn = session.get(Connection, workspace_id)
    ciphertext = cipher.encrypt(workspace_id, auth_token)
    if conn is None:
        conn = Connection(workspace_id=workspace_id, account_sid=account_sid, token_ciphertext=ciphertext,
                          token_last4=auth_token[-4:], phone_number=phone_number, created_at=now, updated_at=now)
        session.add(conn)
    else:
        conn.account_sid, conn.token_ciphertext = account_sid, ciphertext
        conn.token_last4, conn.phone_number, conn.updated_at = auth_token[-4:], phone_number, now
    session.flush()
    audit.append(session, workspace_id=workspace_id, actor=actor, action="connection.set", subject=account_sid,
                 data={"account_sid": account_sid, "phone_number": phone_number,
                       "auth_token_last4": auth_token[-4:]}, now=now)
    return conn


def get_connection(session: Session, workspace_id: str) -> Connection:
    conn = session.get(Connection, workspace_id)
    if conn is None:
        raise NotFound("no Twilio connection is set for this workspace", code="not_connected")
    return conn


def delete_connection(session: Session, workspace_id: str, now: datetime, actor: str) -> None:
    conn = get_connection(session, workspace_id)
    session.delete(conn)
    audit.append(session, workspace_id=workspace_id, actor=actor, action="connection.deleted",
                 subject=conn.account_sid, data={"account_sid": conn.account_sid}, now=now)


def describe(conn: Connection) -> dict:
    """The connection as shown to callers: never the token, only its last 4 characters."""
    return {"account_sid": conn.account_sid, "phone_number": conn.phone_number,
            "auth_token_last4": conn.token_last4,
            "created_at": conn.created_at, "updated_at": conn.updated_at}


def rotate_tokens(session: Session, cipher: TokenCipher) -> int:
    """Re-encrypt every stored token with the newest key; returns how many rows changed."""
    count = 0
    for conn in session.scalars(select(Connection)):
        conn.token_ciphertext = cipher.rotate(conn.workspace_id, conn.token_ciphertext)
        count += 1
    return count
