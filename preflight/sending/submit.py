"""The gated send: claim, decide and record, submit to Twilio, record the outcome.

Order of work:

1. readiness for US sends: the latest check when fresh, else a fresh check is run
   first in its own transaction (`gate.readiness`);
2. in one transaction: the workspace row is locked, in the same query that reads its
   balance, connection and latest check (every decision of a workspace is
   serialised, so caps, daily totals and credits are read and written consistently),
   the `Idempotency-Key` claimed for the message id about to be recorded
   (`idempotency.claim`, an insert-or-nothing);
3. in that same transaction: the context prepared, `decide` run, credits debited,
   the Message row written (`submitting` or `blocked`) with its `message.decided`
   audit event, and for a blocked send the response stored for replay. Committed
   BEFORE Twilio is called;
4. Twilio's create, outside any transaction (429 is retried at most twice, honouring
   Retry-After within 2 seconds in total; nothing that may have reached Twilio is
   ever sent again);
5. the outcome (`outcome.record`).

A crash between 3 and 5 leaves a `submitting` or `unknown` row with its claim in
flight (409 to retries); `preflight sends reconcile` settles it against Twilio.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import insert

from .. import audit
from ..credits import debit
from ..db import core
from ..gate import readiness as gate_readiness
from ..gate.context import GateContext, MessageFacts, analysed
from ..gate.decide import Decision, decide
from ..gate.prepare import WorkspaceSnapshot, account_facts, recipient_facts, workspace_snapshot
from ..law.reasons import finding
from ..models import Message, new_id
from ..twilio import TwilioError
from ..workspaces import Caller
from . import daily, idempotency, outcome
from .present import SendResult, blocked_body

_INSERT_MESSAGE = insert(Message.__table__)
MAX_429_RETRIES = 2
MAX_429_WAIT_S = 2.0
DEFAULT_RETRY_AFTER_S = 0.5


def send(rt, caller: Caller, payload: dict, key: str | None = None) -> SendResult:
    """Gate and (when allowed) submit one message; `payload` is {to, body, category}."""
    replay, msg, gateway = record_decision(rt, caller, payload, key)
    if replay is not None:
        return SendResult(replay.status, replay.body, {"Idempotent-Replayed": "true"})
    if msg.decision == "blocked":
        return SendResult(422, blocked_body(msg))
    result = call_twilio(rt, gateway, msg)
    return outcome.record(rt, msg, key, result)


def record_decision(rt, caller: Caller, payload: dict, key: str | None):
    """Steps 1-3 in one transaction: claim the key, decide, record. Returns
    (replay or None, message or None, gateway or None).

    The readiness check in use is read inside that transaction; only when a fresh
    one must run does that happen first, in its own transaction."""
    message = analysed(payload["body"], payload["category"])
    digest = idempotency.request_hash(payload) if key is not None else None
    readiness = None
    msg_id = new_id("msg")
    while True:
        with rt.transaction() as s:
            now = rt.now()
            # The workspace lock, with what the decision reads of the workspace.
            snap = workspace_snapshot(s, caller.workspace_id, now, lock=True)
            view = readiness or gate_readiness.current_for_send(s, rt, caller.workspace_id, payload["to"], now,
                                                                snap)
            if view is not None:
                if key is not None:
                    replay = idempotency.claim(s, caller.workspace_id, key, digest, now, msg_id)
                    if replay is not None:
                        return replay, None, None
                msg, gateway = _decide_and_record(rt, s, caller, payload, message, view, key, now, msg_id, snap)
                return None, msg, gateway
        readiness = gate_readiness.for_send(rt, caller.workspace_id, payload["to"])


def _decide_and_record(rt, s, caller: Caller, payload: dict, message: MessageFacts, readiness, key, now,
                       msg_id: str, snap: WorkspaceSnapshot):
    ws_id = caller.workspace_id
    to, body, category = payload["to"], payload["body"], payload["category"]
    recipient = recipient_facts(s, ws_id, [to], now, category)[0]
    account = account_facts(s, ws_id, now, readiness=readiness.state, check=readiness.check,
                            chain=readiness.chain, mode="send", us_total=recipient.info.is_us, snapshot=snap)
    decision = decide(GateContext(account, message, recipient, now))
    # Unlimited workspaces (no balance) need no debit; the workspace lock keeps a
    # top-up from racing this read.
    if decision.allowed and account.credit_balance is not None and not debit(s, ws_id, decision.segments):
        decision = _add_reason(decision, finding("insufficient_credits"))
    allowed = decision.allowed
    row = dict(id=msg_id, workspace_id=ws_id, to_number=to, from_number=account.sender, body=body,
               category=category, decision=decision.decision, status="submitting" if allowed else "blocked",
               reasons=decision.reasons, warnings=decision.warnings,
               reason_codes=";".join(decision.codes)[:400] or None, next_allowed_at=decision.next_allowed_at,
               segments=decision.segments, is_us=recipient.info.is_us, twilio_sid=None, error_code=None,
               error_message=None, actor=caller.actor, created_at=now, submitted_at=now if allowed else None,
               updated_at=now)
    # One Core INSERT (the ORM's unit of work costs several times more); `msg` is the
    # same row as a plain, session-less object for the rest of the request.
    core(s).execute(_INSERT_MESSAGE, row)
    msg = Message(**row)
    if allowed and msg.is_us:
        daily.count(s, ws_id, now, msg.segments)
    audit.append(s, workspace_id=ws_id, actor=caller.actor, action="message.decided", subject=msg.id,
                 data={"to": to, "category": category, "decision": decision.decision,
                       "reasons": decision.codes, "warnings": [w["code"] for w in decision.warnings],
                       "segments": decision.segments, "next_allowed_at": decision.next_allowed_at,
                       "readiness_check": account.check_id,
                       "credits_debited": decision.segments if allowed and account.credit_balance
                       is not None else 0}, now=now)
    if not allowed:
        idempotency.store(s, ws_id, key, 422, blocked_body(msg))
        return msg, None
    return msg, rt.send_gateway(snap.connection)


def _add_reason(decision: Decision, reason: dict) -> Decision:
    return Decision("blocked", decision.reasons + [reason], decision.warnings, decision.next_allowed_at,
                    decision.segments)


@dataclass
class TwilioResult:
    """What Twilio's create answered: the resource, or the error."""

    resource: dict | None = None
    error: TwilioError | None = None
    attempts: int = 1


def call_twilio(rt, gateway, msg: Message) -> TwilioResult:
    """Step 4: create the message at Twilio, outside any transaction."""
    callback = rt.webhook_url(msg.workspace_id, "status")
    if callback:
        callback = f"{callback}?message={msg.id}"
    waited, attempts = 0.0, 0
    while True:
        attempts += 1
        try:
            resource = gateway.create_message(to=msg.to_number, from_=msg.from_number, body=msg.body,
                                              status_callback=callback)
            return TwilioResult(resource=resource, attempts=attempts)
        except TwilioError as exc:
            throttled = exc.status == 429 and not exc.maybe_sent
            if not throttled or attempts > MAX_429_RETRIES:
                return TwilioResult(error=exc, attempts=attempts)
            delay = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER_S
            delay = max(0.0, min(delay, MAX_429_WAIT_S - waited))
            if delay <= 0 and waited >= MAX_429_WAIT_S:
                return TwilioResult(error=exc, attempts=attempts)
            time.sleep(delay)
            waited += delay
