"""POST /v1/messages: allowed and blocked answers, what is recorded, credits."""
from __future__ import annotations

from sqlalchemy import select

from preflight.models import AuditEvent, Message, Workspace

from tests.sending.send_helpers import CANADA, FL, MARKETING_BODY, NY, consent, send


def test_allowed_send_is_submitted_once(client, ready, sandbox, rt):
    resp = send(client, ready)
    assert resp.status_code == 201, resp.get_json()
    data = resp.get_json()
    assert data["decision"] == "allowed" and data["status"] == "submitted"
    assert data["twilio_sid"].startswith("SM") and data["segments"] == 1 and data["warnings"] == []
    assert list(sandbox.messages) == [data["twilio_sid"]]
    created = sandbox.messages[data["twilio_sid"]]
    assert created["to"] == NY and created["from"] == "+14155550100"
    with rt.transaction() as s:
        msg = s.get(Message, data["id"])
        assert msg.status == "submitted" and msg.decision == "allowed" and msg.is_us
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.subject == msg.id)
                                                .order_by(AuditEvent.seq))]
    assert actions == ["message.decided", "message.submitted"]


def test_status_callback_url_names_the_message(client, ready, sandbox):
    data = send(client, ready).get_json()
    delivered = sandbox.flush_callbacks()
    assert [c["params"]["MessageStatus"] for c in delivered] == ["sent", "delivered"]
    assert delivered[0]["url"].endswith(f"/webhooks/twilio/{ready.id}/status?message={data['id']}")
    got = client.get(f"/v1/messages/{data['id']}", headers=ready.headers("compliance")).get_json()
    assert got["status"] == "delivered"


def test_blocked_send_is_recorded_and_not_sent(client, ready, sandbox, rt):
    resp = send(client, ready, to=FL)  # no consent for FL
    assert resp.status_code == 422
    data = resp.get_json()
    assert data["decision"] == "blocked" and data["next_allowed_at"] is None
    assert [r["code"] for r in data["reasons"]] == ["no_consent"]
    assert all(set(r) >= {"code", "message", "rule", "severity"} for r in data["reasons"])
    assert sandbox.messages == {}
    with rt.transaction() as s:
        msg = s.get(Message, data["id"])
        assert msg.status == "blocked" and msg.submitted_at is None
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.subject == msg.id)).all() == ["message.decided"]


def test_quiet_hours_block_has_next_allowed_at(client, ready, clock):
    consent(client, ready, FL)
    clock.set(clock.value.replace(hour=0, minute=30))  # 20:30 Eastern, Florida closes at 20:00
    data = send(client, ready, to=FL).get_json()
    assert [r["code"] for r in data["reasons"]] == ["quiet_hours"]
    assert data["next_allowed_at"] == "2026-06-02T12:00:00+00:00"


def test_frequency_cap_counts_submitted_messages_only(client, ready, sandbox, clock):
    consent(client, ready, FL)
    send(client, ready, to=FL, body="Acme: no opt-out words here! https://bit.ly/x")  # blocked: does not count
    for _ in range(3):
        clock.advance(minutes=10)
        assert send(client, ready, to=FL).status_code == 201
    clock.advance(minutes=10)
    data = send(client, ready, to=FL).get_json()
    assert [r["code"] for r in data["reasons"]] == ["frequency_cap"]
    assert len(sandbox.messages) == 3


def test_first_marketing_message_needs_opt_out_then_not(client, ready):
    bare = "Acme: spring sale today!"
    assert [r["code"] for r in send(client, ready, body=bare).get_json()["reasons"]] == ["content_missing_opt_out"]
    assert send(client, ready).status_code == 201
    assert send(client, ready, body=bare).status_code == 201


def test_canada_needs_no_registration(client, connected, sandbox):
    # No readiness check at all, and none is run for a non-US destination.
    consent(client, connected, CANADA)
    resp = send(client, connected, to=CANADA)
    assert resp.status_code == 201, resp.get_json()
    assert not any("Usa2p" in r["path"] for r in sandbox.request_log)


def test_credits_are_debited_and_block_when_short(client, ready, rt):
    assert client.post("/v1/credits", headers=ready.headers("admin"), json={"amount": 1}).status_code == 200
    assert send(client, ready).status_code == 201
    data = send(client, ready).get_json()
    assert [r["code"] for r in data["reasons"]] == ["insufficient_credits"]
    with rt.transaction() as s:
        assert s.get(Workspace, ready.id).credit_balance == 0


def test_security_message_needs_no_consent(client, ready):
    assert send(client, ready, to=FL, body="Your code is 123456", category="security").status_code == 201


def test_invalid_recipient_is_a_recorded_block(client, ready, sandbox):
    resp = send(client, ready, to="+1555")
    assert resp.status_code == 422
    assert [r["code"] for r in resp.get_json()["reasons"]] == ["invalid_number"]
    assert sandbox.messages == {}


def test_bad_requests_name_the_field(client, ready):
    resp = client.post("/v1/messages", headers=ready.headers("sender"),
                       json={"to": NY, "body": MARKETING_BODY, "category": "promo"})
    assert resp.status_code == 400 and "category" in resp.get_json()["error"]["details"]
    resp = client.post("/v1/messages", headers=ready.headers("sender"), json={"to": NY})
    assert resp.status_code == 400
    assert {"body", "category"} <= set(resp.get_json()["error"]["details"])
    resp = client.post("/v1/messages", headers=ready.headers("compliance"),
                       json={"to": NY, "body": MARKETING_BODY, "category": "marketing"})
    assert resp.status_code == 403
