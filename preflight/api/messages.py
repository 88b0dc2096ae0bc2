"""POST /v1/messages (gated send), POST /v1/messages/preflight (dry run),
GET /v1/messages/{id} and GET /v1/messages (paged)."""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..gate.bulk import dry_run, parse_send_at
from ..gate.context import CATEGORIES
from ..sending import history, idempotency
from ..sending.submit import send
from .registry import caller, db, read_db, route, runtime
from .schemas import ErrorEnvelope, Strict

bp = Blueprint("messages", __name__)

MAX_RECIPIENTS = 10_000


class SendIn(Strict):
    to = fields.String(required=True, validate=validate.Length(min=1, max=32))
    body = fields.String(required=True, validate=validate.Length(min=1, max=1600))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))


class Finding(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    rule = fields.String(required=True)
    severity = fields.String(required=True)


class SentOut(Schema):
    id = fields.String(required=True)
    decision = fields.String(required=True)
    status = fields.String(required=True)
    twilio_sid = fields.String(required=True)
    segments = fields.Integer(required=True)
    warnings = fields.List(fields.Nested(Finding), required=True)


class BlockedOut(Schema):
    id = fields.String(required=True)
    decision = fields.String(required=True)
    status = fields.String()
    reasons = fields.List(fields.Nested(Finding), required=True)
    warnings = fields.List(fields.Nested(Finding), required=True)
    next_allowed_at = fields.String(allow_none=True, required=True)
    segments = fields.Integer()


class MessageOut(Schema):
    id = fields.String(required=True)
    to = fields.String(required=True)
    from_ = fields.String(data_key="from", allow_none=True)
    body = fields.String(required=True)
    category = fields.String(required=True)
    decision = fields.String(required=True)
    status = fields.String(required=True)
    reasons = fields.List(fields.Nested(Finding))
    warnings = fields.List(fields.Nested(Finding))
    next_allowed_at = fields.String(allow_none=True)
    segments = fields.Integer()
    is_us = fields.Boolean()
    twilio_sid = fields.String(allow_none=True)
    error_code = fields.String(allow_none=True)
    error_message = fields.String(allow_none=True)
    created_at = fields.String()
    submitted_at = fields.String(allow_none=True)
    updated_at = fields.String()


class MessagePage(Schema):
    data = fields.List(fields.Nested(MessageOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class ListArgs(Strict):
    from_ = fields.String(data_key="from", load_default=None)
    to = fields.String(load_default=None)
    decision = fields.String(load_default=None, validate=validate.OneOf(("allowed", "blocked")))
    status = fields.String(load_default=None, validate=validate.Length(max=16))
    reason = fields.String(load_default=None, validate=validate.Length(max=64))
    phone_number = fields.String(load_default=None, validate=validate.Length(max=32))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    cursor = fields.String(load_default=None)


class PreflightIn(Strict):
    recipients = fields.List(fields.Raw(), required=True,
                             validate=validate.Length(min=1, max=MAX_RECIPIENTS,
                                                      error=f"between 1 and {MAX_RECIPIENTS} recipients"))
    body = fields.String(required=True, validate=validate.Length(min=1, max=1600))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    send_at = fields.Raw(load_default=None)

    @validates_schema
    def _recipients_are_scalars(self, data, **_kwargs):
        for item in data.get("recipients") or []:
            if isinstance(item, (dict, list)):
                raise ValidationError("each recipient must be a phone number string", "recipients")


class Recipient(Schema):
    region = fields.String(allow_none=True)
    states = fields.List(fields.String())
    time_zones = fields.List(fields.String())
    local_time = fields.String(allow_none=True)
    local_times = fields.Dict()


class PreflightResult(Schema):
    to = fields.String(required=True)
    decision = fields.String(required=True)
    reasons = fields.List(fields.Nested(Finding), required=True)
    warnings = fields.List(fields.Nested(Finding), required=True)
    next_allowed_at = fields.String(allow_none=True, required=True)
    recipient = fields.Nested(Recipient, required=True)


class PreflightSummary(Schema):
    total = fields.Integer(required=True)
    allowed = fields.Integer(required=True)
    blocked = fields.Integer(required=True)
    by_reason = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class PreflightOut(Schema):
    summary = fields.Nested(PreflightSummary, required=True)
    results = fields.List(fields.Nested(PreflightResult), required=True)


@route(bp, "/messages", "POST", roles=("sender", "admin"), summary="Gated send (Idempotency-Key header optional)",
       body=SendIn(), responses={201: SentOut(), 422: (BlockedOut(), ErrorEnvelope()), 409: ErrorEnvelope(),
                  502: ErrorEnvelope()})
def post_message(data):
    key = idempotency.validate_key(request.headers.get(idempotency.HEADER))
    result = send(runtime(), caller(), {"to": data["to"], "body": data["body"], "category": data["category"]}, key)
    resp = jsonify(result.body)
    resp.status_code = result.status
    for name, value in result.headers.items():
        resp.headers[name] = value
    return resp


@route(bp, "/messages/preflight", "POST", roles=("sender", "admin"),
       summary="Dry run: decide up to 10,000 recipients without sending", body=PreflightIn(),
       responses={200: PreflightOut()})
def post_preflight(data):
    rt = runtime()
    send_at = parse_send_at(data["send_at"]) if data.get("send_at") is not None else rt.now()
    # Read-only and advisory: no write lock, no snapshot (each chunk reads what is committed).
    return dry_run(read_db(), rt, caller().workspace_id, data["recipients"], data["body"], data["category"],
                   send_at)


@route(bp, "/messages/{message_id}", "GET", roles=("admin", "compliance", "sender"),
       summary="One message: decision and delivery status", responses={200: MessageOut()})
def get_message(message_id):
    return history.get_message(db(), caller().workspace_id, message_id)


@route(bp, "/messages", "GET", roles=("admin", "compliance", "sender"),
       summary="Messages, newest first (from/to: ISO-8601 instants on created_at)", query=ListArgs(),
       responses={200: MessagePage()})
def list_messages(args):
    return history.list_messages(db(), caller().workspace_id, **args)
