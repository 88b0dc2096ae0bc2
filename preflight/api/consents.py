"""POST /v1/consents, POST /v1/opt-outs, POST /v1/consents/import, GET /v1/contacts/{phone_number}."""
from __future__ import annotations

from flask import Blueprint, request
from marshmallow import Schema, fields, validate

from ..consent import importer, ledger
from ..consent.state import SCOPES
from ..consent.validation import CHANNELS, METHODS
from ..errors import PreflightError
from .registry import caller, db, read_db, route, runtime
from .schemas import Strict

bp = Blueprint("consents", __name__)

CSV_TYPES = ("text/csv", "application/csv")
MAX_IMPORT_ERRORS = 10_000


class ConsentIn(Strict):
    phone_number = fields.String(required=True, metadata={"example": "+14155550100"})
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    written = fields.Boolean(load_default=False, metadata={"description": "required true for marketing"})
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    captured_at = fields.AwareDateTime(required=True, metadata={"description": "ISO-8601 with offset"})
    source = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    disclosure_text = fields.String(load_default=None, allow_none=True,
                                    metadata={"description": "exactly what the person was shown; "
                                                             "required for marketing"})
    ip = fields.String(load_default=None, allow_none=True)
    user_agent = fields.String(load_default=None, allow_none=True)
    postal_code = fields.String(load_default=None, allow_none=True)
    evidence_uri = fields.String(load_default=None, allow_none=True)


class OptOutIn(Strict):
    phone_number = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    text = fields.String(load_default=None, allow_none=True, metadata={"description": "what the person said"})
    received_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                       metadata={"description": "ISO-8601 with offset; default now"})


class StateOut(Schema):
    marketing = fields.Boolean(required=True)
    informational = fields.Boolean(required=True)
    opted_out = fields.Boolean(required=True)
    opted_out_at = fields.DateTime(allow_none=True)
    postal_code = fields.String(allow_none=True)
    scopes = fields.List(fields.String(), required=True)
    last_revoked_scopes = fields.List(fields.String(), required=True)


class EventOut(Schema):
    id = fields.Integer(required=True)
    phone_number = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "opt_in | opt_out | opt_back_in | help"})
    scope = fields.String(allow_none=True)
    scopes = fields.List(fields.String(), metadata={"description": "scopes granted, removed or restored"})
    written = fields.Boolean(allow_none=True)
    method = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    captured_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    occurred_at = fields.DateTime(required=True)
    recorded_at = fields.DateTime(required=True)
    source = fields.String(allow_none=True)
    disclosure_text = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    evidence_uri = fields.String(allow_none=True)
    text = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)


class EventWithStateOut(EventOut):
    state = fields.Nested(StateOut, required=True)


class ContactOut(Schema):
    phone_number = fields.String(required=True)
    state = fields.Nested(StateOut, required=True)
    history = fields.List(fields.Nested(EventOut), required=True)


class ImportErrorOut(Schema):
    line = fields.Integer(required=True)
    field = fields.String(required=True)
    reason = fields.String(required=True)


class ImportOut(Schema):
    imported = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    rows = fields.Integer(required=True)
    errors = fields.List(fields.Nested(ImportErrorOut), required=True)
    errors_truncated = fields.Boolean(required=True)
    sha256 = fields.String(required=True)


_event_out, _contact_out, _import_out = EventWithStateOut(), ContactOut(), ImportOut()


def _with_state(event) -> dict:
    out = ledger.event_dict(event)
    out["state"] = ledger.state_dict(ledger.contact_state(db(), caller().workspace_id, event.phone_number))
    return _event_out.dump(out)


@route(bp, "/consents", "POST", roles=("admin", "sender"), summary="Record an opt-in with its evidence",
       body=ConsentIn(), responses={201: EventWithStateOut()})
def post_consent(data):
    rt, s = runtime(), db()
    event = ledger.record_opt_in(s, caller().workspace_id, data, rt.now(), caller().actor)
    out = _with_state(event)
    s.commit()
    return out, 201


@route(bp, "/opt-outs", "POST", roles=("admin", "sender"), summary="Record a revocation from any channel",
       body=OptOutIn(), responses={201: EventWithStateOut()})
def post_opt_out(data):
    rt, s = runtime(), db()
    event = ledger.record_opt_out(s, caller().workspace_id, data["phone_number"], data["channel"], data["text"],
                                  data["received_at"], rt.now(), caller().actor)
    out = _with_state(event)
    s.commit()
    return out, 201


@route(bp, "/consents/import", "POST", roles=("admin",), summary="Import opt-ins from CSV (per-row result)",
       content_type="text/csv", responses={200: ImportOut()})
def post_import():
    rt, s = runtime(), db()
    if request.mimetype not in CSV_TYPES:
        raise PreflightError("send the file as text/csv", code="unsupported_media_type", status=415)
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8", "us-ascii"):
        raise PreflightError("the CSV must be UTF-8", code="unsupported_media_type", status=415)
    request.max_content_length = rt.settings["PREFLIGHT_IMPORT_MAX_CONTENT_LENGTH"]
    result = importer.import_csv(s, caller().workspace_id, request.stream, rt.now(), caller().actor,
                                 max_errors=MAX_IMPORT_ERRORS)
    s.commit()
    return _import_out.dump(result.as_dict())


@route(bp, "/contacts/{phone_number}", "GET", roles=("admin", "compliance", "sender"),
       summary="A number's consent state and full history", responses={200: ContactOut()})
def get_contact(phone_number):
    return _contact_out.dump(ledger.describe_contact(read_db(), caller().workspace_id, phone_number))
