"""Twilio -> Preflight webhooks. The signature is checked before anything else;
forged or unsigned requests get 403 and change nothing."""
from __future__ import annotations

from flask import Blueprint, Response, request
from sqlalchemy import bindparam, select
from twilio.request_validator import RequestValidator

from .api.registry import db, runtime
from .consent.inbound import handle_inbound
from .db import core
from .errors import Forbidden
from .models import Connection
from .sending.callbacks import handle_status

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks/twilio")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


# The columns `Runtime.auth_token` reads, in one pre-built statement (every webhook).
_TOKEN = select(Connection.workspace_id, Connection.token_ciphertext).where(Connection.workspace_id == bindparam("ws"))


def signed_url() -> str:
    """The URL Twilio signed: the public base URL (behind a proxy) plus path and query."""
    public = runtime().public_url()
    if public:
        url = public.rstrip("/") + request.path
        if request.query_string:
            url += "?" + request.query_string.decode("latin-1")
        return url
    return request.url


def verify(workspace_id: str) -> dict:
    """Return the form params when the X-Twilio-Signature is valid for this workspace."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        raise Forbidden("missing X-Twilio-Signature", code="invalid_signature")
    # Read outside the write transaction: a forged request takes no lock (SQLite's write
    # lock in particular) before it is refused.
    with runtime().quick_read() as session:
        conn = core(session).execute(_TOKEN, {"ws": workspace_id}).one_or_none()
    if conn is None:
        raise Forbidden("invalid signature", code="invalid_signature")
    params = request.form.to_dict(flat=True) if request.mimetype == "application/x-www-form-urlencoded" else {}
    validator = RequestValidator(runtime().auth_token(conn))
    if not validator.validate(signed_url(), params, signature):
        raise Forbidden("invalid signature", code="invalid_signature")
    return params


@bp.post("/<workspace_id>/inbound")
def inbound(workspace_id: str):
    params = verify(workspace_id)
    rt, s = runtime(), db()
    handle_inbound(s, workspace_id, params, now=rt.now())
    s.commit()
    return Response(EMPTY_TWIML, mimetype="text/xml")


@bp.post("/<workspace_id>/status")
def status(workspace_id: str):
    params = verify(workspace_id)
    rt, s = runtime(), db()
    handle_status(s, workspace_id, params, now=rt.now(), message_id=request.args.get("message"))
    s.commit()
    return Response("", status=204)
