"""Helpers for console tests: users, logging in, CSRF-carrying posts, seeded messages."""
from __future__ import annotations

import re
from datetime import timedelta

from preflight.console.users import create_user
from preflight.models import Message, new_id

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(rt, workspace_id: str, email: str, role: str, password: str = PASSWORD):
    with rt.transaction() as s:
        return create_user(s, workspace_id, email, password, role, rt.now()).id


def csrf(client) -> str:
    """The CSRF token of the client's session (from a rendered form)."""
    html = client.get("/console/login").get_data(as_text=True)
    match = CSRF_RE.search(html)
    if match:
        return match.group(1)
    with client.session_transaction() as sess:
        return sess["csrf"]


def login(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/console/login", data={"email": email, "password": password,
                                               "csrf_token": csrf(client), **extra})


def post(client, path: str, data: dict | None = None, **kwargs):
    """POST a console form with the session's CSRF token (rendering a page first if it has none)."""
    with client.session_transaction() as sess:
        token = sess.get("csrf")
    for page in ("/console/contacts", "/console/login"):
        if token:
            break
        client.get(page)
        with client.session_transaction() as sess:
            token = sess.get("csrf")
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def add_message(rt, workspace_id: str, *, to="+14155550123", decision="allowed", reasons=(), when=None,
                status=None, category="marketing", body="Hi from Acme. Reply STOP to opt out."):
    """A decision row as the gate writes it (for read-only pages)."""
    now = when or rt.now()
    reasons = [{"code": code, "message": f"{code} message", "rule": f"rule for {code}", "severity": "block"}
               for code in reasons]
    with rt.transaction() as s:
        msg = Message(id=new_id("msg"), workspace_id=workspace_id, to_number=to, from_number="+14155550100",
                      body=body, category=category, decision=decision,
                      status=status or ("delivered" if decision == "allowed" else "blocked"),
                      reasons=reasons, warnings=[], reason_codes=";".join(r["code"] for r in reasons) or None,
                      segments=1, is_us=True, created_at=now, updated_at=now,
                      submitted_at=now if decision == "allowed" else None,
                      twilio_sid=("SM" + new_id("x")[2:].ljust(32, "0"))[:34] if decision == "allowed" else None)
        s.add(msg)
        return msg.id


def days_ago(rt, n: int, hours: int = 0):
    return rt.now() - timedelta(days=n, hours=hours)
