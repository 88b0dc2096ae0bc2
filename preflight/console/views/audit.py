"""The audit trail: chain verification status and the latest events.

Verifying walks every event, which takes seconds at a million. The page does a full
walk at most every `FULL_EVERY` per workspace (per server process) and, in between,
resumes from the head the last intact walk reached: it checks that event still has
the hash it had, then only the events after it. An edit to an older event (possible
only behind the append-only triggers' back) shows at the next full walk, in
`preflight audit verify`, and against a signed checkpoint.
"""
from __future__ import annotations

import json
from datetime import timedelta

from flask import current_app, render_template, request
from sqlalchemy import select

from ...api.registry import db, runtime
from ...audit import verify_chain
from ...models import AuditEvent
from .. import auth
from ..actors import actor_labels
from ..blueprint import bp

LATEST = 50
FULL_EVERY = timedelta(minutes=10)


def _verify(rt, workspace_id: str) -> dict:
    """The chain's state: a full walk when none is recent, else a resumed one."""
    verified = current_app.extensions.setdefault("preflight_audit_verified", {})
    now = rt.now()
    last = verified.get(workspace_id)
    resume = None
    if last is not None and now - last["full_at"] < FULL_EVERY:
        resume = (last["seq"], last["hash"])
    # The walk reads every event: through a read session, so on SQLite it never holds
    # the write lock (and so never delays a STOP reply or a send) while it runs.
    with rt.read_session() as rs:
        result = verify_chain(rs, workspace_id, resume=resume)
    result["mode"] = "resumed" if resume else "full"
    result["full_at"] = last["full_at"] if resume else now
    result["full_every_minutes"] = int(FULL_EVERY.total_seconds() // 60)
    if result["intact"]:
        verified[workspace_id] = {"seq": result["head"]["seq"], "hash": result["head"]["hash"],
                                  "full_at": result["full_at"]}
    else:
        verified.pop(workspace_id, None)  # a broken chain is walked in full every time
    return result


@bp.get("/audit")
@auth.login_required()
def audit():
    me, s = auth.current(), db()
    result = _verify(runtime(), me.workspace_id)
    before = request.args.get("before", "")
    stmt = select(AuditEvent).where(AuditEvent.workspace_id == me.workspace_id)
    if before.isdigit():
        stmt = stmt.where(AuditEvent.seq < int(before))
    events = list(s.scalars(stmt.order_by(AuditEvent.seq.desc()).limit(LATEST + 1)))
    more = len(events) > LATEST
    events = events[:LATEST]
    rows = [{"event": e, "data": json.loads(e.data)} for e in events]
    return render_template("console/audit.html", result=result, rows=rows, more=more,
                           older=events[-1].seq if more and events else None, paged=before.isdigit(),
                           actors=actor_labels(s, me.workspace_id))
