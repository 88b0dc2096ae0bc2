"""Recomputing a workspace's chain and naming the first broken event.

`verify_chain` streams the events in sequence order (yield_per, a server-side cursor
on PostgreSQL), so memory stays flat over millions of rows. It detects an edited event
(its hash no longer matches its contents), a deleted one (a gap in the sequence), a
broken link (prev_hash differs from the previous event's hash) and a head that does not
match the last event. A log that was edited and then re-chained, or whose tail was cut
and the head moved back, is consistent in itself: only a signed checkpoint (see
`checkpoint`) detects it, and `verify_chain` checks one when given.
"""
from __future__ import annotations

import hashlib
from json.encoder import encode_basestring as _json_str

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from ..models import AuditEvent, AuditHead
from .chain import GENESIS_HASH
from .checkpoint import check_checkpoint

BATCH = 5000


def fast_canonical_event(workspace_id: str, seq: int, occurred_iso: str, actor: str, action: str,
                         subject: str | None, data_json: str, prev_hash: str) -> bytes:
    """The same bytes as `chain.canonical_event`, built without a generic JSON encoder.

    `occurred_iso` is the already formatted time (`chain.format_time`). Keys appear in
    sorted order and strings are escaped exactly as ``json.dumps(ensure_ascii=False)``
    does; a test holds the two encoders equal.
    """
    return ('{"action":%s,"actor":%s,"data":%s,"occurred_at":%s,"prev_hash":%s,"seq":%d,'
            '"subject":%s,"workspace_id":%s}' % (
                _json_str(action), _json_str(actor), _json_str(data_json), _json_str(occurred_iso),
                _json_str(prev_hash), seq, "null" if subject is None else _json_str(subject),
                _json_str(workspace_id))).encode()


def _bad(seq: int, reason: str) -> dict:
    return {"seq": seq, "reason": reason}


def raw_time_iso(value) -> str:
    """`chain.format_time` of a stored UTC time as the driver returns it, without the ORM
    type: SQLite's text ('2026-06-02 16:00:00.000000') or a naive datetime (PostgreSQL)."""
    if isinstance(value, str):
        return value.replace(" ", "T", 1) + ("Z" if len(value) > 19 else ".000000Z")
    return value.isoformat(timespec="microseconds") + "Z"


def _event_rows(session: Session, workspace_id: str, min_seq: int = 1):
    # Core rows with the time as the driver gives it: no ORM or per-row type processing
    # on a walk over millions of events.
    occurred = type_coerce(AuditEvent.occurred_at, String())
    stmt = (select(AuditEvent.seq, occurred, AuditEvent.actor, AuditEvent.action, AuditEvent.subject,
                   AuditEvent.data, AuditEvent.prev_hash, AuditEvent.hash)
            .where(AuditEvent.workspace_id == workspace_id, AuditEvent.seq >= min_seq).order_by(AuditEvent.seq)
            .execution_options(yield_per=BATCH))
    return session.connection().execute(stmt)


def verify_chain(session: Session, workspace_id: str, checkpoint: dict | None = None,
                 public_key_hex: str | None = None, resume: tuple[int, str] | None = None) -> dict:
    """Recompute the workspace's chain; optionally hold it against a signed checkpoint.

    Returns ``{"intact", "events", "head": {"seq", "hash"}, "first_bad": {"seq", "reason"} | None}``
    plus ``"checkpoint"`` (the checkpoint check's outcome) when one is given. `public_key_hex`
    is the key the checkpoint must be signed with (the service's own key).

    `resume` = (seq, hash) of an event an earlier walk found intact: the walk checks that
    this event still carries that hash, then verifies only the events after it
    (``"events"`` counts those). Edits to earlier events go unseen by such a walk; a
    full one (or a signed checkpoint) finds them.
    """
    if resume is not None and checkpoint is not None:
        raise ValueError("a resumed walk cannot check a checkpoint")
    sha256 = hashlib.sha256
    first_bad = None
    expected_seq, prev, count = 1, GENESIS_HASH, 0
    checkpoint_hash = GENESIS_HASH if isinstance(checkpoint, dict) and checkpoint.get("seq") == 0 else None
    cp_seq = checkpoint.get("seq") if isinstance(checkpoint, dict) else None
    rows = _event_rows(session, workspace_id, resume[0] if resume else 1)
    if resume is not None and resume[0] >= 1:
        anchor = next(iter(rows), None)
        if anchor is None or anchor[0] != resume[0]:
            first_bad = _bad(resume[0], f"event {resume[0]} is missing (it was verified before)")
        elif anchor[7] != resume[1]:
            first_bad = _bad(resume[0], "hash differs from the one verified before (the event was rewritten)")
        else:
            expected_seq, prev = resume[0] + 1, resume[1]
    for seq, occurred, actor, action, subject, data, prev_hash, stored in rows:
        count += 1
        if seq == cp_seq:
            checkpoint_hash = stored
        if first_bad is not None:
            continue
        if seq != expected_seq:
            first_bad = _bad(expected_seq, f"event {expected_seq} is missing (the next stored event is {seq})")
            continue
        if prev_hash != prev:
            first_bad = _bad(seq, "prev_hash does not match the previous event's hash")
            continue
        iso = raw_time_iso(occurred)
        digest = sha256(fast_canonical_event(workspace_id, seq, iso, actor, action, subject, data,
                                             prev_hash)).hexdigest()
        if digest != stored:
            first_bad = _bad(seq, "hash does not match the event's contents (the event was edited)")
            continue
        prev, expected_seq = stored, seq + 1
    last_seq = expected_seq - 1
    head = session.get(AuditHead, workspace_id)
    head_out = {"seq": head.seq, "hash": head.hash} if head else {"seq": last_seq, "hash": prev}
    if first_bad is None and head is not None and (head.seq, head.hash) != (last_seq, prev):
        if head.seq > last_seq:
            first_bad = _bad(last_seq + 1, f"event {last_seq + 1} is missing (the chain head is at {head.seq})")
        else:
            first_bad = _bad(head.seq or last_seq, "the chain head does not match the last event")
    result = {"intact": first_bad is None, "events": count, "head": head_out, "first_bad": first_bad}
    if checkpoint is not None:
        outcome = check_checkpoint(checkpoint, workspace_id, checkpoint_hash, public_key_hex)
        result["checkpoint"] = outcome
        if not outcome["valid"]:
            bad = _bad(outcome["seq"], outcome["reason"])
            if first_bad is None or (isinstance(bad["seq"], int) and bad["seq"] < first_bad["seq"]):
                result["first_bad"] = bad
            result["intact"] = False
    return result
