"""Crashes: the sending process dies (os._exit) at each step of a send. After a
"restart" (a new app on the same database) and `preflight sends reconcile`: nothing
sent twice (the sandbox's message count), nothing lost without a trace (the Message
row exists with a settled status and its audit events), and a retry with the same
Idempotency-Key ends with exactly one message at Twilio.

The send runs in a subprocess (tests/proof/crash_send.py) against the same database,
with the sandbox served over HTTP on loopback (PREFLIGHT_TWILIO_HOST_MAP)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from preflight.models import AuditEvent, IdempotencyKey, Message
from tests.conftest import TEST_FERNET_KEY, TEST_SIGNING_KEY, Clock, make_app, make_workspace

from .helpers import BODY_MARKER, NY, consent_body

SCRIPT = Path(__file__).with_name("crash_send.py")
ROOT = Path(__file__).resolve().parents[2]
ROWS: list[str] = []

# step -> (rows after the crash: message status or None, sandbox count), status after
# reconcile, the retry's answer, final sandbox count.
CASES = {
    "after_claim": (None, 0, None, "201", 1),
    "after_decision": ("submitting", 0, "error", "201", 1),
    "after_twilio": ("submitting", 1, "delivered", "201 replay", 1),
    "before_final_commit": ("submitting", 1, "delivered", "201 replay", 1),
}


@pytest.fixture
def http_sandbox(scenario):
    from preflight.sandbox import Sandbox, make_server

    sandbox = Sandbox(scenario, callback_sender=lambda url, params, headers: None)
    server = make_server(sandbox, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield sandbox, server.base_url
    server.shutdown()
    thread.join(5)


@pytest.mark.parametrize("step", list(CASES))
def test_crash_during_send(step, db_url, http_sandbox, scenario):
    sandbox, base = http_sandbox
    host_map = {"api.twilio.com": base, "messaging.twilio.com": base}
    clock = Clock(datetime.now(timezone.utc))
    app = make_app(db_url, clock, None, PREFLIGHT_TWILIO_HOST_MAP=host_map, PREFLIGHT_PUBLIC_URL=None)
    rt, client = app.extensions["preflight"], app.test_client()
    try:
        ws = make_workspace(rt)
        number = scenario["incoming_phone_numbers"][0]["phone_number"]
        assert client.put("/v1/connection", headers=ws.headers("admin"), json={
            "account_sid": sandbox.account_sid, "auth_token": sandbox.auth_token,
            "phone_number": number}).status_code == 200
        assert client.post("/v1/readiness-checks", headers=ws.headers("admin")).status_code == 201
        assert client.post("/v1/consents", headers=ws.headers("sender"), json=consent_body(NY)).status_code == 201
    finally:
        rt.close()

    env = {**os.environ, "PREFLIGHT_DATABASE_URL": db_url, "PREFLIGHT_SECRET_KEY": "test-secret",
           "PREFLIGHT_ENCRYPTION_KEYS": TEST_FERNET_KEY, "PREFLIGHT_AUDIT_SIGNING_KEY": TEST_SIGNING_KEY,
           "PREFLIGHT_TWILIO_HOST_MAP": ",".join(f"{h}={b}" for h, b in host_map.items()),
           "PYTHONPATH": str(ROOT)}
    env.pop("PREFLIGHT_PUBLIC_URL", None)
    key = f"crash-{step}"
    proc = subprocess.run([sys.executable, str(SCRIPT), step, ws.keys["sender"], key, NY, BODY_MARKER],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 17, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    assert '"status"' not in proc.stdout  # it died before answering

    # Restart: a new app on the same database, its clock past reconcile's windows.
    clock = Clock(datetime.now(timezone.utc) + timedelta(minutes=16))
    app = make_app(db_url, clock, None, PREFLIGHT_TWILIO_HOST_MAP=host_map, PREFLIGHT_PUBLIC_URL=None)
    rt, client = app.extensions["preflight"], app.test_client()
    try:
        expected_status, expected_count, reconciled, retry, final_count = CASES[step]
        with rt.transaction() as s:
            msgs = list(s.scalars(select(Message)))
            after_crash = msgs[0].status if msgs else None
            claims = list(s.scalars(select(IdempotencyKey)))
        n_crash = len(sandbox.messages)
        assert (after_crash, n_crash) == (expected_status, expected_count)
        # The claim is committed with the decision (one transaction) or before it; either
        # way at most one survives, and a claim without a decision blocks no retry for long.
        assert len(claims) == (0 if step == "after_claim" and not msgs and not claims else 1)
        sandbox.flush_callbacks()  # Twilio moves its messages on; their callbacks go nowhere
        out = app.test_cli_runner().invoke(args=["sends", "reconcile"])
        assert out.exit_code == 0, out.output
        with rt.transaction() as s:
            msg = s.scalars(select(Message)).first()
            settled = msg.status if msg else None
            actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.subject == msg.id))] \
                if msg else []
        # reconcile sets "submitted"; no callback reached this app (none was requested).
        expected_settled = {"delivered": "submitted"}.get(reconciled, reconciled)
        assert settled == expected_settled, out.output
        if msg is not None:
            assert "message.decided" in actions and "message.reconciled" in actions, actions
        assert len(sandbox.messages) == n_crash  # reconcile never sends
        resp = client.post("/v1/messages", headers={**ws.headers("sender"), "Idempotency-Key": key},
                           json={"to": NY, "body": BODY_MARKER, "category": "marketing"})
        answer = f"{resp.status_code}" + (" replay" if resp.headers.get("Idempotent-Replayed") else "")
        verify = app.test_cli_runner().invoke(args=["audit", "verify", "--workspace", ws.id])
        ROWS.append(f"| {step} | {after_crash or 'no row (claim only)'} | {n_crash} | "
                    f"{out.output.strip().replace(chr(10), ', ')} | {settled or '-'} | "
                    f"{', '.join(a for a in actions) or '-'} | {answer} | {len(sandbox.messages)} | "
                    f"{'intact' if verify.exit_code == 0 else 'BROKEN'} |")
        assert answer == retry, resp.get_json()
        assert len(sandbox.messages) == final_count
        assert verify.exit_code == 0, verify.output
    finally:
        rt.close()


@pytest.fixture(scope="module", autouse=True)
def write_table():
    yield
    out = os.environ.get("PREFLIGHT_PROOF_TABLES")
    if out and ROWS:
        head = ("| killed | message row after crash | sandbox msgs | `sends reconcile` (+16 min) | settled as | "
                "audit events of the message | retry, same key | sandbox msgs | audit verify |\n"
                "|---|---|---|---|---|---|---|---|---|\n")
        with open(os.path.join(out, "crashes.md"), "w") as fh:
            fh.write(head + "\n".join(ROWS) + "\n")
