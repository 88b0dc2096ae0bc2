"""Helpers for the send-path tests."""
from __future__ import annotations

NY = "+12125550123"
FL = "+13055550123"
CANADA = "+14165550123"
MARKETING_BODY = "Acme: spring sale today. Reply STOP to opt out."


def consent(client, ws, number, scope="marketing", postal_code=None, clock=None):
    """Record a written opt-in through the API."""
    body = {"phone_number": number, "scope": scope, "written": True, "method": "web_form",
            "captured_at": "2026-01-05T10:00:00+00:00", "source": "https://acme.example.com/join",
            "disclosure_text": "I agree to receive recurring marketing texts from Acme. Consent is not a "
                               "condition of purchase. Reply STOP to cancel."}
    if postal_code:
        body["postal_code"] = postal_code
    resp = client.post("/v1/consents", headers=ws.headers("sender"), json=body)
    assert resp.status_code in (200, 201), resp.get_json()
    return resp


def send(client, ws, to=NY, body=MARKETING_BODY, category="marketing", key=None, role="sender"):
    headers = ws.headers(role)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/v1/messages", headers=headers, json={"to": to, "body": body, "category": category})
