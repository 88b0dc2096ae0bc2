"""The Twilio connection: shown masked to both roles; set or replaced by admins.

The Auth Token is write-only: the form never echoes it back, the page shows only its
last four characters.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ... import connection as conn_service
from ...api.registry import db, runtime
from ...errors import InvalidInput
from ...models import Connection
from .. import auth
from ..blueprint import bp

FIELD_HELP = {
    "account_sid": "Starts with AC and has 32 more characters: Twilio Console, Account Info.",
    "auth_token": "32 characters, next to the Account SID. Stored encrypted; never shown again.",
    "phone_number": "The sending number in E.164 form, e.g. +14155550100.",
}


def _page(conn: Connection | None, form: dict, errors: dict, status: int = 200):
    ws_id, rt = auth.current().workspace_id, runtime()
    webhooks = {kind: rt.webhook_url(ws_id, kind, base=request.host_url) for kind in ("inbound", "status")}
    return render_template("console/connection.html", conn=conn, form=form, errors=errors,
                           help=FIELD_HELP, webhooks=webhooks), status


@bp.get("/connection")
@auth.login_required()
def connection():
    me = auth.current()
    conn = db().get(Connection, me.workspace_id)
    form = {"account_sid": conn.account_sid, "phone_number": conn.phone_number} if conn else {}
    return _page(conn, form, {})


@bp.post("/connection")
@auth.admin_required
def connection_post():
    me, rt, s = auth.current(), runtime(), db()
    form = {k: (request.form.get(k) or "").strip() for k in ("account_sid", "auth_token", "phone_number")}
    try:
        conn_service.set_connection(s, rt.cipher, me.workspace_id, now=rt.now(), actor=me.actor, **form)
    except InvalidInput as exc:
        s.rollback()
        form.pop("auth_token")
        return _page(s.get(Connection, me.workspace_id), form, exc.details, 400)
    s.commit()
    flash("Connection saved. Run a readiness check to see whether the account can send.", "ok")
    return redirect(url_for("console.dashboard"))
