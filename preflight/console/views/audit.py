"""The audit trail: chain verification status and the latest events."""
from __future__ import annotations

import json

from flask import render_template, request
from sqlalchemy import select

from ...api.registry import db, runtime
from ...audit import verify_chain
from ...models import AuditEvent
from .. import auth
from ..actors import actor_labels
from ..blueprint import bp

LATEST = 50


@bp.get("/audit")
@auth.login_required()
def audit():
    me, s = auth.current(), db()
    # The walk reads every event: through a read session, so on SQLite it never holds
    # the write lock (and so never delays a STOP reply or a send) while it runs.
    with runtime().read_session() as rs:
        result = verify_chain(rs, me.workspace_id)
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
