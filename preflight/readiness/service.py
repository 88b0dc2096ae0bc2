"""Running, storing and reading readiness checks.

`run` walks the chain, evaluates the checks and stores the run with its audit event in
the caller's transaction (the caller commits). When Twilio cannot answer, the attempt
is stored as `incomplete` and `RunResult.error` holds the error to raise *after* the
commit; an incomplete run never becomes the latest result.
"""
from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from .. import audit
from ..errors import Conflict, NotFound, PreflightError, TwilioFailed, Unavailable
from ..models import AuditEvent, CarrierError, Connection, ReadinessCheck, Workspace
from ..paging import decode_cursor, encode_cursor
from ..twilio import TwilioError, TwilioUnavailable
from .checks import evaluate, overall_status
from .context import Context
from .facts import snapshot
from .walk import walk

_DEFAULT_NAMES = re.compile(r"^(my first twilio account|default messaging service|messaging service \d+)$", re.I)


@dataclass(frozen=True)
class RunResult:
    """A stored run and, when it could not complete, the error the caller raises after committing."""

    check: ReadinessCheck
    error: PreflightError | None = None

    @property
    def complete(self) -> bool:
        return self.error is None


def run(session: Session, rt, workspace_id: str, actor: str) -> RunResult:
    """Run a readiness check for the workspace's connection and store it (uncommitted).

    Raises NotFound for an unknown workspace and Conflict `not_connected` when it has no
    Twilio connection (nothing is stored then)."""
    # Read what the walk needs in a short read-only session, so no transaction (and on
    # SQLite no write lock) is held while Twilio is asked; the caller's session is used
    # only to record the result.
    with rt.read_session() as rs:
        workspace = rs.get(Workspace, workspace_id)
        if workspace is None:
            raise NotFound(f"workspace {workspace_id} not found")
        conn = rs.get(Connection, workspace_id)
        if conn is None:
            raise Conflict("connect a Twilio account first (PUT /v1/connection)", code="not_connected")
        account_sid, phone, workspace_name = conn.account_sid, conn.phone_number, workspace.name
        started = rt.now()
        gateway, error, chain = None, None, None
        try:
            gateway = rt.gateway(conn)
        except TwilioError as exc:
            error = _twilio_failure(exc)
    if gateway is not None:
        try:
            chain = walk(gateway, phone, rt.settings["PREFLIGHT_READINESS_CONCURRENCY"])
        except TwilioError as exc:
            error = _twilio_failure(exc)
    finished = rt.now()
    requests = gateway.request_count if gateway is not None else 0
    check = ReadinessCheck(id=_new_check_id(), workspace_id=workspace_id, started_at=started,
                           finished_at=finished, twilio_requests=requests, phone_number=phone,
                           account_sid=account_sid)
    if error is not None:
        check.status, check.complete, check.chain, check.checks = "incomplete", False, {}, []
        check.error = error.message
        data = {"status": "incomplete", "complete": False, "error": error.message, "phone_number": phone,
                "twilio_requests": requests}
    else:
        previous = latest(session, workspace_id)
        since = previous.finished_at if previous is not None else None
        carrier = carrier_errors_since(session, workspace_id, phone, previous)
        ctx = Context(chain=chain, workspace_id=workspace_id,
                      inbound_url=rt.webhook_url(workspace_id, "inbound"),
                      status_url=rt.webhook_url(workspace_id, "status"),
                      brand_names=_brand_names(workspace_name, chain),
                      carrier_errors=[_carrier_dict(e) for e in carrier],
                      carrier_since=since)
        checks = evaluate(ctx)
        check.status, check.complete = overall_status(checks), True
        check.chain, check.checks = snapshot(chain), checks
        data = {"status": check.status, "complete": True, "phone_number": phone, "twilio_requests": requests,
                "failed": [c["id"] for c in checks if c["status"] == "fail"],
                "warned": [c["id"] for c in checks if c["status"] == "warn"]}
    session.add(check)
    session.flush()
    audit.append(session, workspace_id=workspace_id, actor=actor, action="readiness.checked", subject=check.id,
                 data=data, now=finished)
    if error is not None:
        error.details["check_id"] = check.id
    return RunResult(check, error)


def run_check(session: Session, rt, workspace_id: str, actor: str) -> ReadinessCheck:
    """`run`, returning only the stored check (`check.complete` says whether it completed)."""
    return run(session, rt, workspace_id, actor).check


def _twilio_failure(exc: TwilioError) -> PreflightError:
    details = exc.as_details()
    if isinstance(exc, TwilioUnavailable):
        headers = {"Retry-After": str(int(exc.retry_after))} if exc.retry_after else None
        return Unavailable(f"Twilio could not be reached to finish the check ({exc.message}); retry later",
                           code="twilio_unavailable", details=details, headers=headers)
    return TwilioFailed(f"Twilio answered with an error during the check ({exc.message})",
                        code="twilio_error", details=details)


def _brand_names(workspace_name: str, chain) -> list[str]:
    names = []
    candidates = (workspace_name, (chain.service or {}).get("friendly_name"),
                  (chain.account or {}).get("friendly_name"))
    for name in candidates:
        name = (name or "").strip()
        if name and not _DEFAULT_NAMES.match(name) and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return names


def _new_check_id() -> str:
    """"rc_" + creation time (µs, hex) + randomness: ids sort in creation order, which breaks
    ties between runs that the configurable clock stamped with the same instant."""
    global _last_micros
    with _id_lock:
        micros = max(time.time_ns() // 1000, _last_micros + 1)
        _last_micros = micros
    return f"rc_{micros:014x}{secrets.token_hex(4)}"


_id_lock = threading.Lock()
_last_micros = 0


def carrier_errors_since(session: Session, workspace_id: str, sender: str,
                         previous: ReadinessCheck | None) -> list[CarrierError]:
    """CarrierError rows for `sender` reported after the `previous` check (all when None), oldest first.

    "After" is a later time or, at the very instant the check finished (a configurable
    clock can stamp both alike), an error whose audit event follows the check's."""
    query = select(CarrierError).where(CarrierError.workspace_id == workspace_id, CarrierError.sender == sender)
    if previous is None:
        return list(session.scalars(query.order_by(CarrierError.occurred_at, CarrierError.id)))
    later = list(session.scalars(query.where(CarrierError.occurred_at > previous.finished_at)
                                 .order_by(CarrierError.occurred_at, CarrierError.id)))
    same = list(session.scalars(query.where(CarrierError.occurred_at == previous.finished_at)
                                .order_by(CarrierError.id)))
    if not same:
        return later
    at = (AuditEvent.workspace_id == workspace_id, AuditEvent.occurred_at == previous.finished_at)
    check_seq = session.scalar(select(func.max(AuditEvent.seq)).where(
        *at, AuditEvent.action == "readiness.checked", AuditEvent.subject == previous.id)) or 0
    events = session.scalars(select(AuditEvent.data).where(
        *at, AuditEvent.action == "carrier.error", AuditEvent.subject == sender, AuditEvent.seq > check_seq))
    after_ids = {json.loads(data).get("carrier_error_id") for data in events}
    return [row for row in same if row.id in after_ids] + later


def _carrier_dict(row: CarrierError) -> dict:
    return {"error_code": row.error_code, "occurred_at": _iso(row.occurred_at), "message_id": row.message_id}


def latest(session: Session, workspace_id: str) -> ReadinessCheck | None:
    """The workspace's most recent COMPLETE check, or None when none ever completed."""
    return session.scalars(
        select(ReadinessCheck).where(ReadinessCheck.workspace_id == workspace_id, ReadinessCheck.complete.is_(True))
        .order_by(ReadinessCheck.finished_at.desc(), ReadinessCheck.id.desc()).limit(1)).first()


def get(session: Session, workspace_id: str, check_id: str) -> ReadinessCheck:
    """One check of this workspace (complete or not); NotFound otherwise, also for other workspaces' ids."""
    check = session.get(ReadinessCheck, check_id) if isinstance(check_id, str) and len(check_id) <= 32 else None
    if check is None or check.workspace_id != workspace_id:
        raise NotFound(f"readiness check {check_id} not found")
    return check


def history(session: Session, workspace_id: str, limit: int = 50,
            cursor: str | None = None) -> tuple[list[ReadinessCheck], str | None]:
    """The workspace's runs, newest first (incomplete attempts included), and the cursor
    of the next page (None on the last page)."""
    query = select(ReadinessCheck).where(ReadinessCheck.workspace_id == workspace_id)
    if cursor:
        at, last_id = decode_cursor(cursor)
        query = query.where(or_(ReadinessCheck.finished_at < at,
                                and_(ReadinessCheck.finished_at == at, ReadinessCheck.id < last_id)))
    rows = list(session.scalars(query.order_by(ReadinessCheck.finished_at.desc(), ReadinessCheck.id.desc())
                                .limit(limit + 1)))
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].finished_at, page[-1].id) if len(rows) > limit else None
    return page, next_cursor


def _iso(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat()


def to_dict(check: ReadinessCheck) -> dict:
    """The contract's readiness result: id, status, started_at, finished_at,
    twilio_requests, chain {account, number, messaging_service, campaign, brand} and
    checks. An incomplete attempt (status "incomplete") also carries `error`."""
    out = {"id": check.id, "status": check.status, "started_at": _iso(check.started_at),
           "finished_at": _iso(check.finished_at), "twilio_requests": check.twilio_requests,
           "chain": {key: (check.chain or {}).get(key)
                     for key in ("account", "number", "messaging_service", "campaign", "brand")},
           "checks": list(check.checks or [])}
    if not check.complete:
        out["error"] = check.error
    return out


def ensure_fresh(session: Session, rt, workspace_id: str, max_age) -> tuple[ReadinessCheck | None, str | None]:
    """The latest complete check when younger than `max_age` (seconds or a timedelta),
    else a fresh run (stored in the caller's transaction, actor "system").

    Returns (check, None) on success; (None, "readiness_stale") when a fresh run could
    not complete but an older result exists; (None, "readiness_unknown") when none
    ever completed; (None, "not_connected") without a connection."""
    age_limit = max_age if isinstance(max_age, timedelta) else timedelta(seconds=float(max_age))
    with rt.read_session() as rs:  # no write transaction before `run` walks Twilio
        current = latest(rs, workspace_id)
    if current is not None and rt.now() - current.finished_at < age_limit:
        return current, None
    try:
        result = run(session, rt, workspace_id, "system")
    except Conflict as exc:
        if exc.code == "not_connected":
            return None, "not_connected"
        raise
    if result.complete:
        return result.check, None
    return None, ("readiness_stale" if current is not None else "readiness_unknown")
