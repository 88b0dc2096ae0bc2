"""Shared helpers for the proof suites: seeding a workspace through the public API,
filling OPERATIONS' path parameters, and scanning text for secrets."""
from __future__ import annotations

import re

NY = "+12125550123"
NY2 = "+12125550188"
OPTED_OUT = "+12125550177"
BODY_MARKER = "Acme proof-body-7f3a: spring sale today. Reply STOP to opt out."
DISCLOSURE_MARKER = "proof-disclosure-91bc: I agree to receive recurring marketing texts from Acme. " \
                    "Consent is not a condition of purchase. Reply STOP to cancel."
CONSENT_SOURCE = "https://acme.example.com/join?proof=5d2e"


def consent_body(number: str, scope: str = "marketing") -> dict:
    return {"phone_number": number, "scope": scope, "written": True, "method": "web_form",
            "captured_at": "2026-01-05T10:00:00+00:00", "source": CONSENT_SOURCE,
            "disclosure_text": DISCLOSURE_MARKER, "postal_code": "10001"}


def connect(client, ws, sandbox, scenario):
    number = scenario["incoming_phone_numbers"][0]["phone_number"]
    resp = client.put("/v1/connection", headers=ws.headers("admin"), json={
        "account_sid": sandbox.account_sid, "auth_token": sandbox.auth_token, "phone_number": number})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def seed(client, ws, sandbox, scenario) -> dict:
    """Connection, a readiness check, consents, an opt-out, a sent (and delivered) and a
    blocked message, so the workspace has rows of every kind. Returns ids and markers."""
    connect(client, ws, sandbox, scenario)
    check = client.post("/v1/readiness-checks", headers=ws.headers("admin"))
    assert check.status_code == 201, check.get_json()
    for number in (NY, NY2):
        resp = client.post("/v1/consents", headers=ws.headers("sender"), json=consent_body(number))
        assert resp.status_code == 201, resp.get_json()
    resp = client.post("/v1/opt-outs", headers=ws.headers("sender"),
                       json={"phone_number": OPTED_OUT, "channel": "email", "text": "please stop"})
    assert resp.status_code == 201, resp.get_json()
    sent = client.post("/v1/messages", headers={**ws.headers("sender"), "Idempotency-Key": "seed-1"},
                       json={"to": NY, "body": BODY_MARKER, "category": "marketing"})
    assert sent.status_code == 201, sent.get_json()
    sandbox.flush_callbacks()
    blocked = client.post("/v1/messages", headers=ws.headers("sender"),
                          json={"to": OPTED_OUT, "body": BODY_MARKER, "category": "marketing"})
    assert blocked.status_code == 422, blocked.get_json()
    return {"check_id": check.get_json()["id"], "message_id": sent.get_json()["id"],
            "blocked_id": blocked.get_json()["id"], "twilio_sid": sent.get_json()["twilio_sid"],
            "phone_number": NY, "account_sid": sandbox.account_sid, "auth_token": sandbox.auth_token,
            "workspace_id": ws.id}


def fill_path(path: str, ids: dict) -> str:
    """An OPERATIONS path with its parameters taken from `ids`."""
    values = {"message_id": ids["message_id"], "check_id": ids["check_id"], "phone_number": ids["phone_number"]}
    return "/v1" + re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)


def secret_forms(token: str) -> list[str]:
    """The ways a token could leak: itself, and halves long enough to identify it."""
    return [token, token[:16], token[16:]]


def find_secret(text: str, tokens) -> list[str]:
    return [form for token in tokens for form in secret_forms(token) if form in text]
