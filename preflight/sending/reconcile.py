"""Settling messages whose submit outcome we do not know.

Candidates: `unknown` messages, and `submitting` ones older than `SUBMITTING_GRACE`
(their request died between the decision commit and the outcome commit). For each,
Twilio's messages from our sender to the recipient around the submit time are listed
and matched on the exact body, excluding sids other messages already hold:

- exactly one match: `submitted` with its sid (statuses never move backwards);
- none, and `SETTLE_WINDOW` has passed since the submit: `error` ("not sent"), the
  credits are refunded and the idempotency claim released, so the same key may send;
- none yet within the window: left as it is, for a later run;
- several: `needs_review` (a person must decide; nothing is ever resubmitted).

Each resolution is committed with its audit event, one message at a time, so an
interrupted run loses nothing. A Twilio failure for one workspace skips it.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import audit
from ..models import Connection, Message
from ..twilio import TwilioError
from . import daily, idempotency
from .outcome import refund
from .locks import lock_workspace
from .present import error_envelope, sent_body
from .status import RANK, rank

log = logging.getLogger("preflight.sending.reconcile")

SUBMITTING_GRACE = timedelta(seconds=60)
SETTLE_WINDOW = timedelta(minutes=15)
LOOKBACK = timedelta(minutes=5)


def candidates(session: Session, now: datetime, workspace_id: str | None = None) -> list[Message]:
    """Messages to settle: unknown ones, and submitting ones older than the grace period."""
    query = select(Message).where(or_(
        Message.status == "unknown",
        (Message.status == "submitting") & (Message.created_at < now - SUBMITTING_GRACE)))
    if workspace_id is not None:
        query = query.where(Message.workspace_id == workspace_id)
    return list(session.scalars(query.order_by(Message.workspace_id, Message.created_at)))


def reconcile(rt, workspace_id: str | None = None) -> Counter:
    """Settle every candidate (of one workspace, or all); returns counts by outcome."""
    counts: Counter = Counter()
    with rt.transaction() as s:
        pending = candidates(s, rt.now(), workspace_id)
        connections = {c.workspace_id: c for c in s.scalars(select(Connection).where(
            Connection.workspace_id.in_({m.workspace_id for m in pending})))} if pending else {}
    gateways: dict = {}
    for msg in pending:
        conn = connections.get(msg.workspace_id)
        if conn is None:
            counts["skipped"] += 1
            continue
        try:
            gateway = gateways.get(msg.workspace_id) or gateways.setdefault(msg.workspace_id, rt.gateway(conn))
            found = _twilio_matches(gateway, msg)
        except TwilioError as exc:
            log.warning("reconcile: Twilio failed for message %s: %s", msg.id, exc.message)
            counts["skipped"] += 1
            continue
        counts[_settle(rt, msg.id, found)] += 1
    return counts


def _twilio_matches(gateway, msg: Message) -> list[dict]:
    at = msg.submitted_at or msg.created_at
    listed = gateway.list_messages(to=msg.to_number, from_=msg.from_number, after=at - LOOKBACK,
                                   before=at + SETTLE_WINDOW)
    return [m for m in listed if (m.get("body") or "") == msg.body and m.get("sid")]


def _settle(rt, message_id: str, found: list[dict]) -> str:
    with rt.transaction() as s:
        now = rt.now()
        workspace_id = s.scalar(select(Message.workspace_id).where(Message.id == message_id))
        lock_workspace(s, workspace_id)
        msg = s.scalars(select(Message).where(Message.id == message_id).with_for_update()).one()
        if msg.status not in ("unknown", "submitting"):
            return "already_settled"
        sids = [m["sid"] for m in found]
        taken = set(s.scalars(select(Message.twilio_sid).where(Message.twilio_sid.in_(sids),
                                                               Message.id != msg.id))) if sids else set()
        free = [m for m in found if m["sid"] not in taken]
        at = msg.submitted_at or msg.created_at
        if len(free) == 1:
            sid = free[0]["sid"]
            msg.twilio_sid = msg.twilio_sid or sid
            if rank(msg.status) < RANK["submitted"]:
                msg.status = "submitted"
            msg.updated_at = now
            audit.append(s, workspace_id=msg.workspace_id, actor="system", action="message.reconciled",
                         subject=msg.id, data={"outcome": "submitted", "twilio_sid": sid}, now=now)
            idempotency.store_for_message(s, msg.workspace_id, msg.id, 201, sent_body(msg))
            return "submitted"
        if len(free) > 1:
            msg.status = "needs_review"
            msg.updated_at = now
            audit.append(s, workspace_id=msg.workspace_id, actor="system", action="message.reconciled",
                         subject=msg.id, data={"outcome": "needs_review", "candidates": [m["sid"] for m in free]},
                         now=now)
            idempotency.store_for_message(s, msg.workspace_id, msg.id, 502, error_envelope(
                "twilio_error", "Twilio holds several messages that could be this one; it needs review.",
                {"status": "needs_review", "message_id": msg.id}))
            return "needs_review"
        if now - at < SETTLE_WINDOW:
            return "pending"
        msg.status = "error"
        if msg.is_us and msg.submitted_at is not None:
            daily.count(s, msg.workspace_id, msg.submitted_at, -msg.segments)
        msg.submitted_at = None
        msg.error_message = "not sent: Twilio has no such message"
        msg.updated_at = now
        refunded = msg.segments if refund(s, msg.workspace_id, msg.segments) else 0
        audit.append(s, workspace_id=msg.workspace_id, actor="system", action="message.reconciled",
                     subject=msg.id, data={"outcome": "error", "credits_refunded": refunded}, now=now)
        idempotency.release_for_message(s, msg.workspace_id, msg.id)
        return "error"
