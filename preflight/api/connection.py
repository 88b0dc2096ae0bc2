"""PUT/GET/DELETE /v1/connection and POST /v1/credits."""
from __future__ import annotations

from flask import Blueprint

from .. import connection as conn_service
from ..credits import top_up
from .registry import caller, db, route, runtime
from .schemas import ConnectionIn, ConnectionOut, CreditsIn, CreditsOut

bp = Blueprint("connection", __name__)
_out = ConnectionOut()


@route(bp, "/connection", "PUT", roles=("admin",), summary="Set or replace the Twilio connection",
       body=ConnectionIn(), responses={200: ConnectionOut()})
def put_connection(data):
    rt, s = runtime(), db()
    conn = conn_service.set_connection(s, rt.cipher, caller().workspace_id, now=rt.now(),
                                       actor=caller().actor, **data)
    s.commit()
    return _out.dump(conn_service.describe(conn))


@route(bp, "/connection", "GET", roles=("admin", "compliance"), summary="Read the connection (token masked)",
       responses={200: ConnectionOut()})
def get_connection():
    return _out.dump(conn_service.describe(conn_service.get_connection(db(), caller().workspace_id)))


@route(bp, "/connection", "DELETE", roles=("admin",), summary="Remove the connection",
       responses={204: "deleted"})
def delete_connection():
    rt, s = runtime(), db()
    conn_service.delete_connection(s, caller().workspace_id, rt.now(), caller().actor)
    s.commit()
    return "", 204


@route(bp, "/credits", "POST", roles=("admin",), summary="Top up messaging credits",
       body=CreditsIn(), responses={200: CreditsOut()})
def post_credits(data):
    rt, s = runtime(), db()
    balance = top_up(s, caller().workspace_id, data["amount"], rt.now(), caller().actor)
    s.commit()
    return {"balance": balance}
