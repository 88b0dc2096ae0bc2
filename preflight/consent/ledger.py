"""The consent ledger: append-only events per workspace and number, the derived
current state, and the audit event for each, all in the caller's transaction.

Decisions (see also `preflight.consent.state` for the folding rules):

- A revocation applies to every scope and, since the state is per workspace, to every
  sender of the workspace. It is applied whatever its `received_at`.
- An opt-in (API, import, form) recorded while the number is opted out is always
  kept as evidence, but lifts the opt-out only when it is a fresh consent: written,
  with its disclosure text, and captured strictly after the latest revocation. It then
  grants only its own scope; the other revoked scopes stay revoked. A backdated or
  unwritten opt-in never undoes a STOP. The event's `scopes` lists what it granted
  (empty when it changed nothing), so the history shows why.
- An opt-back-in (START/YES/UNSTOP) restores exactly the scopes the revocation
  removed, and only while opted out.
- `dedupe_key` (Twilio MessageSid for replies, ``twilio-21610:<MessageSid>`` for an
  opt-out Twilio reported on a send, a row hash for imports) makes a retry a no-op:
  the event is inserted with ON CONFLICT DO NOTHING and, when it already existed,
  nothing else changes and the function returns None.
- Locks, always in this order: the workspace's audit chain head (which every change
  appends to anyway), then the number's state row, created empty with INSERT ... ON
  CONFLICT DO NOTHING so that it can be locked (SELECT ... FOR UPDATE on PostgreSQL;
  SQLite serialises writers). Concurrent events for one number never lose an update,
  and a caller that appended its own audit event first (a status callback) cannot
  deadlock against an API request.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..errors import NotFound
from ..audit.chain import lock_head
from ..models import ConsentEvent, ContactState
from .sql import insert_ignore
from .state import Snapshot, apply_opt_back_in, apply_opt_in, apply_opt_out
from .validation import validate_opt_in, validate_phone, validate_revocation

STATE_CHUNK = 500
EVIDENCE_FIELDS = ("scope", "written", "method", "channel", "source", "disclosure_text", "ip", "user_agent",
                   "postal_code", "evidence_uri", "text")


def _locked_state(session: Session, workspace_id: str, phone_number: str, now: datetime) -> ContactState:
    """The number's state row, created empty if missing, locked for this transaction."""
    lock_head(session, workspace_id)  # the chain head before the state row, as every ledger writer
    empty = {"workspace_id": workspace_id, "phone_number": phone_number, "updated_at": now,
             **Snapshot().values()}
    session.execute(insert_ignore(session, ContactState, ["workspace_id", "phone_number"]).values(**empty))
    return session.get(ContactState, (workspace_id, phone_number), with_for_update=True, populate_existing=True)


def _insert_event(session: Session, values: dict) -> ConsentEvent | None:
    """Insert one event; None when its dedupe_key is already in the ledger."""
    stmt = insert_ignore(session, ConsentEvent, ["workspace_id", "dedupe_key"]).values(**values)
    event_id = session.execute(stmt.returning(ConsentEvent.id)).scalar_one_or_none()
    if event_id is None:
        return None
    return session.get(ConsentEvent, event_id)


def _store(session: Session, state: ContactState, snap: Snapshot, now: datetime) -> None:
    for key, value in snap.values().items():
        setattr(state, key, value)
    state.updated_at = now
    session.flush()


def _audit(session: Session, event: ConsentEvent, actor: str, now: datetime) -> None:
    data = {"event_id": event.id, "kind": event.kind, "phone_number": event.phone_number,
            "occurred_at": event.occurred_at, "scopes": list(event.scopes or []),
            "dedupe_key": event.dedupe_key}
    data.update({name: getattr(event, name) for name in EVIDENCE_FIELDS if getattr(event, name) is not None})
    audit.append(session, workspace_id=event.workspace_id, actor=actor, action=f"consent.{event.kind}",
                 subject=event.phone_number, data=data, now=now)


def _event_values(workspace_id: str, phone_number: str, kind: str, occurred_at: datetime, now: datetime,
                  actor: str, **extra) -> dict:
    values = {"workspace_id": workspace_id, "phone_number": phone_number, "kind": kind, "scope": None,
              "scopes": [], "written": None, "method": None, "channel": None, "occurred_at": occurred_at,
              "recorded_at": now, "source": None, "disclosure_text": None, "ip": None, "user_agent": None,
              "postal_code": None, "evidence_uri": None, "text": None, "actor": actor, "dedupe_key": None}
    values.update(extra)
    return values


def record_opt_in(session: Session, workspace_id: str, fields: dict, now: datetime, actor: str,
                  dedupe_key: str | None = None) -> ConsentEvent:
    """Record an opt-in with its evidence (validated; InvalidInput names bad fields).

    `fields`: phone_number, scope, written, method, captured_at, source, disclosure_text,
    optional ip, user_agent, postal_code, evidence_uri. Returns the new event (its
    `scopes` lists the scope it granted, empty if the number stays opted out); with a
    `dedupe_key` already in the ledger, returns the existing event and changes nothing.
    """
    data = validate_opt_in(fields, now)
    phone = data["phone_number"]
    state = _locked_state(session, workspace_id, phone, now)
    snap = Snapshot.of(state)
    granted = apply_opt_in(snap, scope=data["scope"], written=data["written"],
                           disclosure_text=data["disclosure_text"], captured_at=data["captured_at"],
                           postal_code=data["postal_code"])
    values = _event_values(workspace_id, phone, "opt_in", data["captured_at"], now, actor,
                           scopes=[data["scope"]] if granted else [], dedupe_key=dedupe_key,
                           **{k: data[k] for k in ("scope", "written", "method", "source", "disclosure_text",
                                                   "ip", "user_agent", "postal_code", "evidence_uri")})
    event = _insert_event(session, values)
    if event is None:
        return session.scalars(select(ConsentEvent).where(ConsentEvent.workspace_id == workspace_id,
                                                          ConsentEvent.dedupe_key == dedupe_key)).one()
    _store(session, state, snap, now)
    _audit(session, event, actor, now)
    return event


def _record_reply(session: Session, kind: str, workspace_id: str, phone_number, channel, text, received_at,
                  now: datetime, actor: str, dedupe_key: str | None) -> ConsentEvent | None:
    data = validate_revocation(phone_number, channel, text, received_at, now)
    phone = data["phone_number"]
    state = _locked_state(session, workspace_id, phone, now)
    snap = Snapshot.of(state)
    if kind == "opt_out":
        scopes = apply_opt_out(snap, received_at=data["received_at"])
    elif kind == "opt_back_in":
        scopes = apply_opt_back_in(snap)
    else:
        scopes = []
    values = _event_values(workspace_id, phone, kind, data["received_at"], now, actor, scopes=scopes,
                           channel=data["channel"], text=data["text"], dedupe_key=dedupe_key)
    event = _insert_event(session, values)
    if event is None:
        return None
    _store(session, state, snap, now)
    _audit(session, event, actor, now)
    return event


def record_opt_out(session: Session, workspace_id: str, phone_number: str, channel: str, text: str | None,
                   received_at: datetime | str | None, now: datetime, actor: str,
                   dedupe_key: str | None = None) -> ConsentEvent | None:
    """Record a revocation from any channel: every scope ends at once for every sender.

    `channel`: sms, web, email, phone, support, api or twilio; `received_at` defaults to
    `now`. Returns the event, or None when `dedupe_key` was already recorded (a retry).
    """
    return _record_reply(session, "opt_out", workspace_id, phone_number, channel, text, received_at, now,
                         actor, dedupe_key)


def record_opt_back_in(session: Session, workspace_id: str, phone_number: str, channel: str,
                       text: str | None, received_at: datetime | str | None, now: datetime, actor: str,
                       dedupe_key: str | None = None) -> ConsentEvent | None:
    """Record START/YES/UNSTOP: restores the scopes the last revocation removed (if opted out).

    Returns the event (its `scopes` are the restored ones), or None when deduped.
    """
    return _record_reply(session, "opt_back_in", workspace_id, phone_number, channel, text, received_at, now,
                         actor, dedupe_key)


def record_help(session: Session, workspace_id: str, phone_number: str, channel: str, text: str | None,
                received_at: datetime | str | None, now: datetime, actor: str,
                dedupe_key: str | None = None) -> ConsentEvent | None:
    """Record a HELP/INFO request (no change of consent). None when deduped."""
    return _record_reply(session, "help", workspace_id, phone_number, channel, text, received_at, now,
                         actor, dedupe_key)


def contact_state(session: Session, workspace_id: str, phone_number: str) -> ContactState | None:
    """The number's current state (one primary-key read), or None if it has no events."""
    return session.get(ContactState, (workspace_id, phone_number), populate_existing=True)


def contact_states(session: Session, workspace_id: str, numbers: list[str]) -> dict[str, ContactState]:
    """States of many numbers, by number (numbers without events are absent).

    Reads in IN-queries of at most 500 numbers, so a million-recipient dry run works.
    """
    out: dict[str, ContactState] = {}
    unique = list(dict.fromkeys(numbers))
    for start in range(0, len(unique), STATE_CHUNK):
        chunk = unique[start:start + STATE_CHUNK]
        rows = session.scalars(select(ContactState).where(ContactState.workspace_id == workspace_id,
                                                          ContactState.phone_number.in_(chunk)))
        out.update((row.phone_number, row) for row in rows)
    return out


def history(session: Session, workspace_id: str, phone_number: str) -> list[ConsentEvent]:
    """Every event of the number in this workspace, oldest (first recorded) first."""
    return list(session.scalars(select(ConsentEvent).where(
        ConsentEvent.workspace_id == workspace_id, ConsentEvent.phone_number == phone_number,
    ).order_by(ConsentEvent.id)))


def event_dict(event: ConsentEvent) -> dict:
    """An event as shown to callers, with every evidence field (null where not given)."""
    opt_in = event.kind == "opt_in"
    return {"id": event.id, "phone_number": event.phone_number, "kind": event.kind,
            "scope": event.scope, "scopes": list(event.scopes or []), "written": event.written,
            "method": event.method, "channel": event.channel,
            "captured_at": event.occurred_at if opt_in else None,
            "received_at": None if opt_in else event.occurred_at,
            "occurred_at": event.occurred_at, "recorded_at": event.recorded_at,
            "source": event.source, "disclosure_text": event.disclosure_text, "ip": event.ip,
            "user_agent": event.user_agent, "postal_code": event.postal_code,
            "evidence_uri": event.evidence_uri, "text": event.text, "actor": event.actor}


def state_dict(state: ContactState | None) -> dict:
    """A state as shown to callers (the empty state when None)."""
    snap = Snapshot.of(state)
    return {"marketing": snap.marketing, "informational": snap.informational, "opted_out": snap.opted_out,
            "opted_out_at": snap.opted_out_at, "postal_code": snap.postal_code, "scopes": snap.scopes(),
            "last_revoked_scopes": list(snap.last_revoked_scopes)}


def describe_contact(session: Session, workspace_id: str, phone: str) -> dict:
    """The GET /v1/contacts response: state and full history, oldest first.

    Raises InvalidInput for a number that is not valid E.164, and NotFound
    (`contact_not_found`) when the workspace holds neither events nor state for it.
    """
    phone = validate_phone(phone)
    state = contact_state(session, workspace_id, phone)
    events = history(session, workspace_id, phone)
    if state is None and not events:
        raise NotFound("no consent record for this number in this workspace", code="contact_not_found",
                       details={"phone_number": phone})
    return {"phone_number": phone, "state": state_dict(state), "history": [event_dict(e) for e in events]}
