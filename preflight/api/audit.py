"""GET /v1/audit/events and GET /v1/audit/verify."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from ..audit import verify_chain
from ..audit.events import list_events
from .registry import caller, db, route, runtime
from .schemas import Strict

bp = Blueprint("audit", __name__)


class EventsArgs(Strict):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    # Bounded by the column's range: a larger number is a 400 naming the field, not a driver error.
    after_seq = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**31 - 1))
    cursor = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2**31 - 1),
                            metadata={"description": "next_cursor of the previous page (same as after_seq)"})


class AuditEventOut(Schema):
    seq = fields.Integer(required=True)
    occurred_at = fields.String(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    subject = fields.String(allow_none=True)
    data = fields.Dict(required=True)
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)


class EventsPage(Schema):
    data = fields.List(fields.Nested(AuditEventOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class HeadOut(Schema):
    seq = fields.Integer(required=True)
    hash = fields.String(required=True)


class BadEventOut(Schema):
    seq = fields.Integer(required=True)
    reason = fields.String(required=True)


class VerifyOut(Schema):
    intact = fields.Boolean(required=True)
    events = fields.Integer(required=True)
    head = fields.Nested(HeadOut, required=True)
    first_bad = fields.Nested(BadEventOut, allow_none=True, required=True)


@route(bp, "/audit/events", "GET", roles=("admin", "compliance"),
       summary="The workspace's audit events, oldest first (page with after_seq)",
       query=EventsArgs(), responses={200: EventsPage()})
def get_audit_events(args):
    after = args["cursor"] if args["cursor"] is not None else args["after_seq"]
    return list_events(db(), caller().workspace_id, after_seq=after, limit=args["limit"])


@route(bp, "/audit/verify", "GET", roles=("admin", "compliance"),
       summary="Recompute the audit chain and name the first broken event", responses={200: VerifyOut()})
def get_audit_verify():
    db().close()  # end the request's transaction: the walk below may take a while
    with runtime().read_session() as s:
        return VerifyOut().dump(verify_chain(s, caller().workspace_id))
