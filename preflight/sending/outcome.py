"""Recording what Twilio answered to a submit (step 5 of `submit.send`).

- created: `submitted` with the sid (`message.submitted`), 201;
- refused with a code that maps to a reason (`law.twilio_errors`: 21610 opted_out,
  21211 invalid_number, ...): the message becomes a blocked decision with that reason
  (`message.refused`), credits are refunded, 422; a 21610 also enters the consent
  ledger as an opt-out on channel "twilio";
- refused otherwise (a 4xx): `error`, refunded, 502 `twilio_error` with the code;
- may have been sent (timeout or 5xx after the request left): `unknown`, never
  resubmitted, credits kept, 502 `twilio_error` with details {status: unknown,
  message_id}; the answer is stored so a retry with the same key replays it;
- not sent and worth retrying (429 after retries, connection refused, credentials
  refused): `error`, refunded, 503 `twilio_unavailable` (Retry-After when Twilio gave
  one); the idempotency claim is released so the same key may try again.

Statuses never move backwards: a status callback may have arrived first.
"""
from __future__ import annotations

from sqlalchemy import bindparam, case, func, select, update

from .. import audit
from ..db import COMMIT_WITHOUT_FLUSH_WAIT, core
from ..consent.ledger import record_opt_out
from ..law.reasons import REASONS, finding
from ..law.twilio_errors import lookup
from ..models import Message, Workspace
from ..twilio import TwilioAuthError
from . import daily, idempotency
from .locks import lock_workspace
from .present import SendResult, blocked_body, error_envelope, sent_body
from .status import RANK, rank

OPT_OUT_CODE = 21610


def refund(session, workspace_id: str, segments: int) -> bool:
    """Give back a refused message's credits (limited balances only)."""
    result = session.execute(update(Workspace).where(
        Workspace.id == workspace_id, Workspace.credit_balance.is_not(None)
    ).values(credit_balance=Workspace.credit_balance + segments))
    return result.rowcount == 1


_table = Message.__table__
_SET_SUBMITTED = (
    update(_table).where(_table.c.id == bindparam("message_id"))
    .values(twilio_sid=func.coalesce(_table.c.twilio_sid, bindparam("sid")),
            status=case((_table.c.status.in_([s for s, r in RANK.items() if r >= RANK["submitted"]]),
                         _table.c.status), else_="submitted"),
            updated_at=bindparam("now", type_=_table.c.updated_at.type)))
# The decision and the claim are already durable (status `submitting`); if this commit
# were lost in a crash, `preflight sends reconcile` finds the message at Twilio. So on
# PostgreSQL it need not wait for the disk: one WAL flush wait per send, not two.
_SUBMITTED = {"sqlite": _SET_SUBMITTED.returning(_table.c.twilio_sid),
              "postgresql": _SET_SUBMITTED.returning(_table.c.twilio_sid, COMMIT_WITHOUT_FLUSH_WAIT)}


def record(rt, msg: Message, key: str | None, result):
    """Commit the submit's outcome and return the SendResult to answer with."""
    ws_id = msg.workspace_id
    with rt.transaction() as s:
        now = rt.now()
        if result.resource is not None:
            sid = result.resource.get("sid")
            # One statement: keep a sid or later status a callback may already have set.
            conn = core(s)
            sid = conn.execute(_SUBMITTED[conn.dialect.name],
                               {"message_id": msg.id, "sid": sid, "now": now}).one()[0]
            audit.append(s, workspace_id=ws_id, actor="twilio", action="message.submitted", subject=msg.id,
                         data={"twilio_sid": result.resource.get("sid"),
                               "twilio_status": result.resource.get("status"), "attempts": result.attempts},
                         now=now)
            msg.twilio_sid = sid
            body = sent_body(msg)
            idempotency.store(s, ws_id, key, 201, body)
            return SendResult(201, body)
        lock_workspace(s, ws_id)  # a refund may follow: the workspace before the audit head
        row = s.scalars(select(Message).where(Message.id == msg.id).with_for_update()).one()
        row.updated_at = now
        exc = result.error
        entry = lookup(exc.code)
        data = {"twilio_code": exc.code, "twilio_status": exc.status, "twilio_message": exc.message,
                "attempts": result.attempts}
        if exc.maybe_sent:
            row.status = "unknown" if rank(row.status) <= RANK["unknown"] else row.status
            row.error_message = exc.message
            audit.append(s, workspace_id=ws_id, actor="system", action="message.submit_unknown",
                         subject=row.id, data=data, now=now)
            body = error_envelope("twilio_error", "Twilio did not confirm the submit; the message may have "
                                  "been sent and will not be sent again. Its status stays 'unknown' until "
                                  "reconciled.", {**data, "status": "unknown", "message_id": row.id})
            idempotency.store(s, ws_id, key, 502, body)
            return SendResult(502, body)
        if rank(row.status) > RANK["unknown"]:
            # A status callback proved it was sent after all; keep that.
            body = sent_body(row)
            idempotency.store(s, ws_id, key, 201, body)
            return SendResult(201, body)
        if row.is_us and row.submitted_at is not None:
            daily.count(s, ws_id, row.submitted_at, -row.segments)
        row.submitted_at = None
        row.error_code = str(exc.code) if exc.code is not None else None
        row.error_message = exc.message
        data["credits_refunded"] = row.segments if refund(s, ws_id, row.segments) else 0
        retryable = exc.status == 429 or exc.status is None or isinstance(exc, TwilioAuthError)
        if not retryable and entry is not None and entry.maps_to in REASONS:
            return _refused(s, row, key, exc, entry.maps_to, data, now)
        row.status = "error"
        audit.append(s, workspace_id=ws_id, actor="twilio", action="message.failed", subject=row.id,
                     data=data, now=now)
        if retryable:
            idempotency.release(s, ws_id, key)
            headers = {}
            if exc.retry_after is not None:
                headers["Retry-After"] = str(int(max(1, round(exc.retry_after))))
            body = error_envelope("twilio_unavailable", "Twilio could not take the message now; nothing was "
                                  "sent. Retry later.", {**data, "message_id": row.id})
            return SendResult(503, body, headers)
        body = error_envelope("twilio_error", f"Twilio refused the message: {exc.message}",
                              {**data, "message_id": row.id})
        idempotency.store(s, ws_id, key, 502, body)
        return SendResult(502, body)


def _refused(s, row: Message, key, exc, code: str, data: dict, now):
    """Twilio refused with a code that is one of our reasons: record a blocked decision."""
    reason = finding(code, f"Twilio refused the message: {exc.message}", f"Twilio error {exc.code}")
    row.decision, row.status = "blocked", "blocked"
    row.reasons = [reason]
    row.reason_codes = code
    row.next_allowed_at = None
    if exc.code == OPT_OUT_CODE:
        record_opt_out(s, row.workspace_id, row.to_number, "twilio", f"Twilio error {OPT_OUT_CODE} on send",
                       now, now, "twilio", dedupe_key=f"twilio-{OPT_OUT_CODE}:{row.id}")
    audit.append(s, workspace_id=row.workspace_id, actor="twilio", action="message.refused", subject=row.id,
                 data={**data, "reason": code}, now=now)
    body = blocked_body(row)
    idempotency.store(s, row.workspace_id, key, 422, body)
    return SendResult(422, body)
