"""POST/GET /v1/readiness-checks: run a check, read the latest, one, or the history."""
from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields

from .. import readiness
from ..errors import NotFound
from .registry import caller, db, route, runtime
from .schemas import PageArgs

bp = Blueprint("readiness", __name__)

_TIME = {"format": "date-time"}


class ReadinessCheckItemOut(Schema):
    id = fields.String(required=True, metadata={"enum": list(readiness.CHECK_IDS)})
    status = fields.String(required=True, metadata={"enum": ["pass", "warn", "fail", "skip"]})
    title = fields.String(required=True)
    detail = fields.String(required=True)
    remediation = fields.String(required=True)
    prevents = fields.List(fields.String(), required=True, metadata={"description": "Twilio error codes"})
    evidence = fields.Dict(required=True)


class ReadinessChainOut(Schema):
    account = fields.Dict(allow_none=True, required=True)
    number = fields.Dict(allow_none=True, required=True)
    messaging_service = fields.Dict(allow_none=True, required=True)
    campaign = fields.Dict(allow_none=True, required=True)
    brand = fields.Dict(allow_none=True, required=True)


class ReadinessOut(Schema):
    id = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["ready", "ready_with_warnings", "not_ready",
                                                              "incomplete"]})
    started_at = fields.String(required=True, metadata=_TIME)
    finished_at = fields.String(required=True, metadata=_TIME)
    twilio_requests = fields.Integer(required=True)
    chain = fields.Nested(ReadinessChainOut, required=True)
    checks = fields.List(fields.Nested(ReadinessCheckItemOut), required=True)
    error = fields.String(metadata={"description": "Only on an incomplete attempt (Twilio unavailable)"})


class ReadinessPage(Schema):
    data = fields.List(fields.Nested(ReadinessOut), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


_out = ReadinessOut()
_page = ReadinessPage()
_READERS = ("admin", "compliance")


@route(bp, "/readiness-checks", "POST", roles=("admin",), summary="Run a readiness check now",
       responses={201: ReadinessOut(), 409: "No Twilio connection (not_connected)",
                  502: "Twilio answered with an error during the check (twilio_error)",
                  503: "Twilio unavailable; the attempt is recorded as incomplete (twilio_unavailable)"})
def post_readiness_check():
    rt, s = runtime(), db()
    result = readiness.run(s, rt, caller().workspace_id, caller().actor)
    s.commit()  # an incomplete attempt is kept as evidence before its error is answered
    if result.error is not None:
        raise result.error
    return _out.dump(readiness.to_dict(result.check)), 201


@route(bp, "/readiness-checks/latest", "GET", roles=_READERS, summary="The latest complete readiness result",
       responses={200: ReadinessOut()})
def get_latest_readiness_check():
    check = readiness.latest(db(), caller().workspace_id)
    if check is None:
        raise NotFound("no readiness check has completed for this workspace yet")
    return _out.dump(readiness.to_dict(check))


@route(bp, "/readiness-checks/{check_id}", "GET", roles=_READERS, summary="One readiness check",
       responses={200: ReadinessOut()})
def get_readiness_check(check_id):
    return _out.dump(readiness.to_dict(readiness.get(db(), caller().workspace_id, check_id)))


@route(bp, "/readiness-checks", "GET", roles=_READERS, summary="Readiness history, newest first",
       query=PageArgs(), responses={200: ReadinessPage()})
def list_readiness_checks(args):
    checks, next_cursor = readiness.history(db(), caller().workspace_id, args["limit"], args["cursor"])
    return _page.dump({"data": [readiness.to_dict(c) for c in checks], "next_cursor": next_cursor})
