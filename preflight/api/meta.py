"""GET /healthz and GET /v1/openapi.json (built from the same schemas that validate)."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, jsonify
from sqlalchemy import text

from .registry import OPERATIONS, db, route
from .schemas import ErrorEnvelope, Health

bp = Blueprint("meta", __name__)
health_bp = Blueprint("health", __name__)

_ERROR_STATUSES = {400: "Invalid input (details name each bad field)", 401: "Missing or invalid API key",
                   403: "The key's role may not do this", 404: "Not found in this workspace",
                   405: "Method not allowed", 409: "Conflict", 413: "Body too large",
                   415: "Wrong content type", 422: "Refused", 429: "Too many requests",
                   502: "Twilio failed", 503: "Unavailable"}


@health_bp.get("/healthz")
def healthz():
    try:
        db().execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # the database is down: report it, never crash the probe
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify({"status": "ok" if status == 200 else "degraded", "database": database}), status


def build_spec() -> dict:
    spec = APISpec(title="Preflight API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Compliance preflight and send gate for US A2P 10DLC SMS."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorEnvelope)
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        operation: dict = {"summary": op.summary, "tags": [op.tag], "responses": {}}
        if op.roles:
            operation["security"] = [{"bearer": []}]
            operation["description"] = "Roles: " + ", ".join(op.roles)
        params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in _path_params(op.path)]
        if op.query is not None:
            operation["parameters"] = params + [{"in": "query", "schema": op.query}]
        elif params:
            operation["parameters"] = params
        if op.body is not None:
            operation["requestBody"] = {"required": True, "content": {op.content_type: {"schema": op.body}}}
        elif op.content_type != "application/json":
            operation["requestBody"] = {"required": True,
                                        "content": {op.content_type: {"schema": {"type": "string"}}}}
        for status, schema in op.responses.items():
            if isinstance(schema, str):
                if op.produces == "application/json":
                    operation["responses"][str(status)] = {"description": schema}
                else:
                    operation["responses"][str(status)] = {
                        "description": schema,
                        "content": {op.produces: {"schema": {"type": "string", "format": "binary"}}}}
            else:
                if isinstance(schema, tuple):  # one of several bodies (e.g. a decision or an error)
                    schema = {"oneOf": list(schema)}
                operation["responses"][str(status)] = {"description": "OK",
                                                       "content": {"application/json": {"schema": schema}}}
        error_codes = [400, 404, 405, 415, 503] if op.roles else [400, 404, 503]
        if op.roles:
            error_codes += [401, 403]
        if op.method in ("put", "post") and op.body is not None:
            error_codes += [413]
        for status in error_codes:
            operation["responses"].setdefault(str(status), {
                "description": _ERROR_STATUSES[status],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
        paths.setdefault(op.path, {})[op.method] = operation
    for path, ops in paths.items():
        spec.path(path="/v1" + path, operations=ops)
    spec.path(path="/healthz", operations={"get": {"summary": "Liveness and database health", "responses": {
        "200": {"description": "OK", "content": {"application/json": {"schema": Health}}},
        "503": {"description": "Database unavailable", "content": {"application/json": {"schema": Health}}}}}})
    return spec.to_dict()


def _path_params(path: str) -> list[str]:
    import re

    return re.findall(r"{(\w+)}", path)


@route(bp, "/openapi.json", "GET", roles=(), summary="This OpenAPI document", responses={200: "OpenAPI 3 document"})
def openapi():
    return jsonify(build_spec())
