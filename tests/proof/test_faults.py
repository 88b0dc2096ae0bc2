"""Twilio failing during POST /v1/messages, through the sandbox's fault injection.

For each fault: the HTTP answer, the message's state (GET /v1/messages/{id}), and the
number of messages the sandbox holds; then a retry with the same Idempotency-Key,
`preflight sends reconcile` (after the settle window) and one more retry. Never two
messages at Twilio for one request. Set PREFLIGHT_PROOF_TABLES=DIR to write the table
of outcomes as DIR/faults.md (docs/RELIABILITY.md quotes it)."""
from __future__ import annotations

import os

import pytest

from .helpers import BODY_MARKER, NY, connect, consent_body

POSTS = {"method": "POST", "path_regex": "/Messages.json$"}

# name, fault(s), whether Twilio moves its messages on (status callbacks) before reconcile
# runs, then expected: first answer, state after it, sandbox count after it; retry
# answer and sandbox count; the first message's state after reconcile; final retry
# answer and sandbox count.
CASES = [
    ("429 once, Retry-After 1", [{**POSTS, "status": 429, "retry_after": 1, "count": 1}], True,
     201, "submitted", 1, "201 replay", 1, "delivered", "201 replay", 1),
    ("429 x3 (retries exhausted)", [{**POSTS, "status": 429, "retry_after": 0, "count": 3}], True,
     503, "error", 0, "201", 1, "error", "201 replay", 1),
    ("500", [{**POSTS, "status": 500, "count": 1}], True,
     502, "unknown", 0, "502 replay", 0, "error", "201", 1),
    ("503", [{**POSTS, "status": 503, "count": 1}], True,
     502, "unknown", 0, "502 replay", 0, "error", "201", 1),
    ("read timeout after Twilio created it (sent before reconcile)", [{**POSTS, "kind": "timeout", "count": 1}],
     True, 502, "unknown", 1, "502 replay", 1, "delivered", "502 replay", 1),
    # Reconcile must find a message Twilio holds but has not sent yet (no date_sent).
    ("read timeout after Twilio created it (still queued at reconcile)",
     [{**POSTS, "kind": "timeout", "count": 1}], False,
     502, "unknown", 1, "502 replay", 1, "submitted", "201 replay", 1),
    ("connection refused (sandbox kind connection_error)", [{**POSTS, "kind": "connection_error", "count": 1}], True,
     503, "error", 0, "201", 1, "error", "201 replay", 1),
    ("latency spike 1.5 s", [{**POSTS, "latency_ms": 1500, "count": 1}], True,
     201, "submitted", 1, "201 replay", 1, "delivered", "201 replay", 1),
    ("400 21211 invalid number", [{**POSTS, "status": 400, "code": 21211, "count": 1}], True,
     422, "blocked", 0, "422 replay", 0, "blocked", "422 replay", 0),
    ("400 21610 opted out", [{**POSTS, "status": 400, "code": 21610, "count": 1}], True,
     422, "blocked", 0, "422 replay", 0, "blocked", "422 replay", 0),
    ("400 21602 other refusal", [{**POSTS, "status": 400, "code": 21602, "count": 1}], True,
     502, "error", 0, "502 replay", 0, "error", "502 replay", 0),
    ("429 then 503 then timeout", [{**POSTS, "status": 429, "retry_after": 0, "count": 1},
                                   {**POSTS, "status": 503, "count": 1}, {**POSTS, "kind": "timeout", "count": 1}],
     True, 502, "unknown", 0, "502 replay", 0, "error", "502", 1),
]
ROWS: list[str] = []


def answer(resp) -> str:
    return f"{resp.status_code}" + (" replay" if resp.headers.get("Idempotent-Replayed") == "true" else "")


def message_id(resp) -> str:
    body = resp.get_json()
    return body.get("id") or body["error"]["details"]["message_id"]


@pytest.fixture
def ready(client, ws, sandbox, scenario):
    connect(client, ws, sandbox, scenario)
    assert client.post("/v1/readiness-checks", headers=ws.headers("admin")).status_code == 201
    assert client.post("/v1/consents", headers=ws.headers("sender"), json=consent_body(NY)).status_code == 201
    return ws


@pytest.mark.parametrize("case", [c if hasattr(c, "values") else pytest.param(c, id=c[0]) for c in CASES])
def test_fault_during_send(case, client, app, ready, sandbox, clock):
    (name, faults, moves_on, first_status, first_state, first_count, retry, retry_count, reconciled, final,
     final_count) = case
    for fault in faults:
        sandbox.add_fault(fault)
    headers = {**ready.headers("sender"), "Idempotency-Key": f"fault-{name}"}
    payload = {"to": NY, "body": BODY_MARKER, "category": "marketing"}

    def state(mid):
        return client.get(f"/v1/messages/{mid}", headers=ready.headers("admin")).get_json()["status"]

    if not moves_on:  # Twilio's queue is backed up: its messages stay queued, no callbacks
        sandbox.callback_sender = lambda url, params, headers: None
        sandbox.flush_callbacks = lambda: []
    r1 = client.post("/v1/messages", headers=headers, json=payload)
    mid = message_id(r1)
    s1, n1 = state(mid), len(sandbox.messages)
    r2 = client.post("/v1/messages", headers=headers, json=payload)
    n2 = len(sandbox.messages)
    sandbox.flush_callbacks()  # Twilio moves its messages on (unless it does not)
    clock.advance(minutes=16)  # past reconcile's settle window
    out = app.test_cli_runner().invoke(args=["sends", "reconcile"])
    assert out.exit_code == 0, out.output
    s3, n3 = state(mid), len(sandbox.messages)
    r4 = client.post("/v1/messages", headers=headers, json=payload)
    sandbox.flush_callbacks()
    n4 = len(sandbox.messages)
    final_mid = message_id(r4)
    s4 = state(final_mid)
    ROWS.append(f"| {name} | {answer(r1)} `{(r1.get_json().get('error') or {}).get('code', r1.get_json().get('decision'))}` "
                f"| {s1} | {n1} | {answer(r2)} | {n2} | {out.output.strip().replace(chr(10), ', ')} | {s3} "
                f"| {answer(r4)} | {s4} | {n4} |")
    assert (r1.status_code, s1, n1) == (first_status, first_state, first_count), r1.get_json()
    assert (answer(r2), n2) == (retry, retry_count)
    assert s3 == reconciled and n3 == n2
    assert answer(r4) == final and n4 == final_count
    # Never two messages at Twilio for one request, whatever happened.
    assert len([m for m in sandbox.messages.values() if m["to"] == NY]) <= 1


@pytest.fixture(scope="module", autouse=True)
def write_table():
    yield
    out = os.environ.get("PREFLIGHT_PROOF_TABLES")
    if out and ROWS:
        head = ("| fault on the create | 1st answer | state | sandbox msgs | retry, same key | sandbox | "
                "`sends reconcile` (+16 min) | state | retry, same key | final state | sandbox msgs |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|\n")
        with open(os.path.join(out, "faults.md"), "w") as fh:
            fh.write(head + "\n".join(ROWS) + "\n")
