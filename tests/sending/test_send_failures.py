"""Twilio failing during submit, crashes around it, and reconcile: no message is sent
twice and none is lost without a trace."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from preflight.models import ContactState, IdempotencyKey, Message, Workspace
from preflight.sending import reconcile as reconcile_mod
from tests.sending.send_helpers import CANADA, NY, consent, send

POSTS = {"method": "POST", "path_regex": "/Messages.json$"}


def status_of(rt, message_id):
    with rt.transaction() as s:
        return s.get(Message, message_id).status


def only_message(rt):
    with rt.transaction() as s:
        return s.scalars(select(Message)).one()


def creates(sandbox):
    return [r for r in sandbox.request_log if r["method"] == "POST" and r["path"].endswith("/Messages.json")]


def test_429_is_retried_then_sent(client, ready, sandbox):
    sandbox.add_fault({**POSTS, "status": 429, "retry_after": 0, "count": 2})
    resp = send(client, ready)
    assert resp.status_code == 201, resp.get_json()
    assert len(creates(sandbox)) == 3 and len(sandbox.messages) == 1


def test_429_exhausted_answers_503_refunds_and_frees_the_key(client, ready, sandbox, rt):
    client.post("/v1/credits", headers=ready.headers("admin"), json={"amount": 5})
    sandbox.add_fault({**POSTS, "status": 429, "retry_after": 1, "count": 3})
    resp = send(client, ready, key="k-429")
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "twilio_unavailable"
    assert resp.headers["Retry-After"] == "1"
    assert len(creates(sandbox)) == 3 and sandbox.messages == {}
    assert only_message(rt).status == "error"
    with rt.transaction() as s:
        assert s.get(Workspace, ready.id).credit_balance == 5
    # Nothing was sent, so the same key may try again.
    again = send(client, ready, key="k-429")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert len(sandbox.messages) == 1


def test_connection_refused_is_an_error_never_unknown(db_url, clock, tmp_path):
    """A refused connection (nothing listening) cannot have sent anything: error, 503."""
    import socket

    from tests.conftest import make_app, make_workspace

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    app = make_app(db_url, clock, None, PREFLIGHT_TWILIO_HOST_MAP={"api.twilio.com": base,
                                                                    "messaging.twilio.com": base})
    try:
        rt, client = app.extensions["preflight"], app.test_client()
        ws = make_workspace(rt)
        client.put("/v1/connection", headers=ws.headers("admin"), json={
            "account_sid": "AC" + "1" * 32, "auth_token": "a" * 32, "phone_number": "+14155550100"})
        consent(client, ws, CANADA)  # no readiness check needed outside the US
        resp = send(client, ws, to=CANADA)
        assert resp.status_code == 503, resp.get_json()
        assert resp.get_json()["error"]["code"] == "twilio_unavailable"
        assert only_message(rt).status == "error"
    finally:
        app.extensions["preflight"].close()


def test_503_is_unknown_replayed_and_reconciled_as_not_sent(client, ready, sandbox, rt, clock):
    client.post("/v1/credits", headers=ready.headers("admin"), json={"amount": 5})
    sandbox.add_fault({**POSTS, "status": 503, "count": 1})
    first = send(client, ready, key="k-503")
    assert first.status_code == 502
    err = first.get_json()["error"]
    assert err["code"] == "twilio_error" and err["details"]["status"] == "unknown"
    message_id = err["details"]["message_id"]
    assert status_of(rt, message_id) == "unknown"
    # A retry with the key replays; Twilio is not asked again.
    replay = send(client, ready, key="k-503")
    assert replay.status_code == 502 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == first.get_json()
    assert len(creates(sandbox)) == 1
    # Reconcile: Twilio has nothing, but the settle window is still open.
    assert reconcile_mod.reconcile(rt)["pending"] == 1
    assert status_of(rt, message_id) == "unknown"
    clock.advance(minutes=16)
    assert reconcile_mod.reconcile(rt)["error"] == 1
    assert status_of(rt, message_id) == "error"
    with rt.transaction() as s:
        assert s.get(Workspace, ready.id).credit_balance == 5  # refunded
    assert send(client, ready, key="k-503").status_code == 201
    assert len(sandbox.messages) == 1


def test_timeout_after_create_is_unknown_then_reconciled(client, ready, sandbox, rt, clock):
    sandbox.add_fault({**POSTS, "kind": "timeout", "count": 1})
    first = send(client, ready, key="k-timeout")
    assert first.status_code == 502
    message_id = first.get_json()["error"]["details"]["message_id"]
    assert len(sandbox.messages) == 1  # Twilio took it; we never heard back
    assert status_of(rt, message_id) == "unknown"
    replay = send(client, ready, key="k-timeout")
    assert replay.headers["Idempotent-Replayed"] == "true" and len(sandbox.messages) == 1
    # Twilio moves the message on; its callbacks are lost.
    sandbox.callback_sender = lambda *args: None
    sandbox.flush_callbacks()
    clock.advance(minutes=2)
    assert reconcile_mod.reconcile(rt, ready.id)["submitted"] == 1
    msg = only_message(rt)
    assert msg.status == "submitted" and msg.twilio_sid == next(iter(sandbox.messages))
    settled = send(client, ready, key="k-timeout")
    assert settled.status_code == 201 and settled.get_json()["twilio_sid"] == msg.twilio_sid
    assert len(sandbox.messages) == 1


def test_21610_at_submit_is_opted_out_and_enters_the_ledger(client, ready, sandbox, rt):
    sandbox.opt_out(NY)
    resp = send(client, ready)
    assert resp.status_code == 422
    data = resp.get_json()
    assert data["decision"] == "blocked"
    assert [(r["code"], r["rule"]) for r in data["reasons"]] == [("opted_out", "Twilio error 21610")]
    with rt.transaction() as s:
        assert s.get(ContactState, (ready.id, NY)).opted_out is True
        assert s.get(Message, data["id"]).status == "blocked"
    # The next send is blocked by the gate itself, before Twilio.
    before = len(creates(sandbox))
    assert "opted_out" in [r["code"] for r in send(client, ready).get_json()["reasons"]]
    assert len(creates(sandbox)) == before


def test_21211_maps_to_invalid_number_and_other_4xx_to_twilio_error(client, ready, sandbox, rt):
    sandbox.add_fault({**POSTS, "status": 400, "code": 21211, "count": 1})
    resp = send(client, ready)
    assert resp.status_code == 422
    assert [r["code"] for r in resp.get_json()["reasons"]] == ["invalid_number"]
    sandbox.add_fault({**POSTS, "status": 400, "code": 21612, "count": 1})
    resp = send(client, ready)
    assert resp.status_code == 502
    err = resp.get_json()["error"]
    assert err["code"] == "twilio_error" and err["details"]["twilio_code"] == 21612
    assert status_of(rt, err["details"]["message_id"]) == "error"


def test_crash_between_decision_commit_and_twilio(client, ready, sandbox, rt, clock, monkeypatch):
    from preflight.sending import submit

    def crash(*args, **kwargs):
        raise SystemExit("killed before calling Twilio")

    monkeypatch.setattr(submit, "call_twilio", crash)
    with pytest.raises(SystemExit):
        send(client, ready, key="k-crash-1")
    monkeypatch.undo()
    msg = only_message(rt)
    assert msg.status == "submitting" and sandbox.messages == {}
    assert send(client, ready, key="k-crash-1").status_code == 409
    assert reconcile_mod.reconcile(rt) == {}  # too young to judge
    clock.advance(minutes=16)
    assert reconcile_mod.reconcile(rt)["error"] == 1
    assert status_of(rt, msg.id) == "error"
    resp = send(client, ready, key="k-crash-1")
    assert resp.status_code == 201
    assert len(sandbox.messages) == 1


def test_crash_between_twilio_and_outcome_commit(client, ready, sandbox, rt, clock, monkeypatch):
    from preflight.sending import outcome

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed after Twilio answered")

    monkeypatch.setattr(outcome, "record", crash)
    with pytest.raises(KeyboardInterrupt):
        send(client, ready, key="k-crash-2")
    monkeypatch.undo()
    assert len(sandbox.messages) == 1
    msg = only_message(rt)
    assert msg.status == "submitting"
    assert send(client, ready, key="k-crash-2").status_code == 409
    sandbox.callback_sender = lambda *args: None
    sandbox.flush_callbacks()
    clock.advance(seconds=61)
    assert reconcile_mod.reconcile(rt)["submitted"] == 1
    assert only_message(rt).twilio_sid == next(iter(sandbox.messages))
    replay = send(client, ready, key="k-crash-2")
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert len(sandbox.messages) == 1


def test_reconcile_marks_ambiguous_matches_for_review(client, ready, sandbox, rt, clock, monkeypatch):
    from preflight.sending import submit

    monkeypatch.setattr(submit, "call_twilio", lambda *a, **k: (_ for _ in ()).throw(SystemExit()))
    with pytest.raises(SystemExit):
        send(client, ready)
    monkeypatch.undo()
    msg = only_message(rt)
    # Two identical messages exist at Twilio (sent by something else): we cannot tell which is ours.
    from twilio.rest import Client

    from preflight.sandbox import SandboxHttpClient

    tw = Client(sandbox.account_sid, sandbox.auth_token, http_client=SandboxHttpClient(sandbox))
    for _ in range(2):
        tw.messages.create(to=NY, from_="+14155550100", body=msg.body)
    sandbox.callback_sender = lambda *args: None
    sandbox.flush_callbacks()
    clock.advance(minutes=2)
    assert reconcile_mod.reconcile(rt)["needs_review"] == 1
    assert status_of(rt, msg.id) == "needs_review"


def test_reconcile_cli(client, ready, sandbox, rt, clock, app):
    sandbox.add_fault({**POSTS, "kind": "timeout", "count": 1})
    send(client, ready)
    sandbox.callback_sender = lambda *args: None
    sandbox.flush_callbacks()
    clock.advance(minutes=2)
    result = app.test_cli_runner().invoke(args=["sends", "reconcile", "--workspace", ready.id])
    assert result.exit_code == 0, result.output
    assert "submitted: 1" in result.output
    with rt.transaction() as s:
        assert s.scalars(select(IdempotencyKey)).all() == []
