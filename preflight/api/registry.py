"""A small route registry: one decorator declares path, roles, request and response
schemas; the same declaration validates requests and feeds the OpenAPI document."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from flask import Blueprint, current_app, g, request

from ..errors import Forbidden, InvalidInput, PreflightError, Unauthorized
from ..workspaces import authenticate

OPERATIONS: list["Operation"] = []


@dataclass
class Operation:
    path: str
    method: str
    roles: tuple[str, ...]
    summary: str
    body: object = None  # marshmallow schema instance for JSON bodies
    query: object = None  # marshmallow schema for query args
    responses: dict = field(default_factory=dict)  # status -> schema instance | description str
    content_type: str = "application/json"
    produces: str = "application/json"
    tag: str = "api"


def runtime():
    return current_app.extensions["preflight"]


def db():
    """The request's session (closed at teardown); the view commits."""
    if "db" not in g:
        g.db = runtime().sessions()
    return g.db


def read_db():
    """The request's session for reads that need neither a write lock nor a snapshot
    (autocommit on PostgreSQL, the read engine on SQLite); closed at teardown."""
    if "read_db" not in g:
        g.read_db = runtime().quick_session()
    return g.read_db


def caller():
    return g.caller


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send the API key as 'Authorization: Bearer <key>'",
                           headers={"WWW-Authenticate": 'Bearer realm="preflight"'})
    return token.strip()


def json_body() -> dict:
    """The request's JSON object, or a 4xx naming what is wrong with it."""
    if request.mimetype != "application/json":
        raise PreflightError("send the body as application/json", code="unsupported_media_type", status=415)
    data = request.get_json(silent=True)
    if data is None:
        raise InvalidInput("the body is not valid JSON", details={"body": "malformed JSON"})
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object", details={"body": "must be an object"})
    return data


def route(bp: Blueprint, path: str, method: str, *, roles: tuple[str, ...], summary: str, body=None,
          query=None, responses=None, content_type="application/json", produces="application/json"):
    """Register a view. The wrapped view receives `data` (loaded body) and `args` (loaded query)."""
    op = Operation(path=path, method=method.lower(), roles=roles, summary=summary, body=body, query=query,
                   responses=responses or {}, content_type=content_type, produces=produces,
                   tag=bp.name)
    OPERATIONS.append(op)
    flask_path = path.replace("{", "<").replace("}", ">")

    def decorate(view):
        @functools.wraps(view)
        def wrapper(**kwargs):
            if roles:
                if "access_token" in request.args or "api_key" in request.args or "key" in request.args:
                    raise InvalidInput("API keys are never accepted in the URL; use the Authorization header",
                                       details={"query": "credentials in URL"})
                # Authentication is its own read-only unit, outside the view's
                # transaction: it takes no lock (SQLite's write lock in particular).
                with runtime().quick_read() as session:
                    g.caller = authenticate(session, _bearer())
                if g.caller.role not in roles:
                    raise Forbidden(f"the {g.caller.role} role may not do this")
            if query is not None:
                kwargs["args"] = query.load(request.args.to_dict())
            if body is not None:
                kwargs["data"] = body.load(json_body())
            return view(**kwargs)

        endpoint = f"{method.lower()}_{view.__name__}"
        bp.add_url_rule(flask_path, endpoint=endpoint, view_func=wrapper, methods=[method.upper()])
        return wrapper

    return decorate
