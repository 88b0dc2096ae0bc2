"""Idempotency-Key: replay, reuse with another body, in flight, expiry, validation."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from preflight.models import IdempotencyKey, Message
from tests.sending.send_helpers import FL, MARKETING_BODY, NY, send


def test_same_key_same_body_replays_without_twilio(client, ready, sandbox, rt):
    first = send(client, ready, key="order-1")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = send(client, ready, key="order-1")
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert len(sandbox.messages) == 1
    with rt.transaction() as s:
        assert len(s.scalars(select(Message)).all()) == 1


def test_blocked_answers_are_replayed_too(client, ready, sandbox):
    first = send(client, ready, to=FL, key="order-2")
    assert first.status_code == 422
    again = send(client, ready, to=FL, key="order-2")
    assert again.status_code == 422 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()


def test_same_key_other_body_is_refused(client, ready, sandbox):
    assert send(client, ready, key="order-3").status_code == 201
    resp = send(client, ready, key="order-3", body=MARKETING_BODY + " Today only.")
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "idempotency_key_reused"
    assert len(sandbox.messages) == 1


def test_same_key_in_flight_is_409(client, ready, rt, sandbox):
    from preflight.sending.idempotency import request_hash

    payload = {"to": NY, "body": MARKETING_BODY, "category": "marketing"}
    with rt.transaction() as s:
        s.add(IdempotencyKey(workspace_id=ready.id, key="order-4", request_hash=request_hash(payload),
                             created_at=rt.now(), message_id="msg_inflight"))
    resp = send(client, ready, key="order-4")
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "idempotency_in_progress"
    assert sandbox.messages == {}


def test_a_claim_older_than_24h_is_taken_over(client, ready, sandbox, clock):
    assert send(client, ready, key="order-5").status_code == 201
    clock.advance(hours=24, seconds=1)
    again = send(client, ready, key="order-5")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert len(sandbox.messages) == 2


def test_a_claim_that_never_reached_a_decision_is_freed(client, ready, rt, sandbox, clock):
    from preflight.sending.idempotency import request_hash

    payload = {"to": NY, "body": MARKETING_BODY, "category": "marketing"}
    with rt.transaction() as s:
        s.add(IdempotencyKey(workspace_id=ready.id, key="order-6", request_hash=request_hash(payload),
                             created_at=rt.now() - timedelta(minutes=6)))
    assert send(client, ready, key="order-6").status_code == 201


def test_keys_belong_to_one_workspace(client, ready, sandbox, rt):
    from tests.conftest import make_workspace

    other = make_workspace(rt, "Other")
    assert send(client, ready, key="shared").status_code == 201
    resp = send(client, other, key="shared")  # not connected: blocked, but not a replay
    assert "Idempotent-Replayed" not in resp.headers
    assert [r["code"] for r in resp.get_json()["reasons"]] == ["not_connected", "no_consent"]


def test_header_must_be_1_to_255_characters(client, ready, sandbox):
    for bad in ("", "x" * 256):
        resp = send(client, ready, key=bad)
        assert resp.status_code == 400
        assert "Idempotency-Key" in resp.get_json()["error"]["details"]
    assert send(client, ready, key="x" * 255).status_code == 201
    assert len(sandbox.messages) == 1
