"""Twilio -> Preflight webhooks under attack: forged, unsigned, replayed, out of order,
and signed for another workspace."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from preflight.models import Base, Message
from tests.conftest import PUBLIC_URL, make_workspace

from .helpers import BODY_MARKER, NY, NY2, connect, consent_body, seed


def counts(rt) -> dict:
    with rt.transaction() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def signed(token, path, params):
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(PUBLIC_URL + path, params)}


@pytest.fixture
def a(client, ws, sandbox, scenario):
    ids = seed(client, ws, sandbox, scenario)
    return ws, ids


def inbound_params(sid="SMin0001", body="STOP", sender=NY2, scenario=None):
    return {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": sender, "To": "+14155550100",
            "Body": body, "NumMedia": "0"}


def test_forged_and_unsigned_change_nothing(client, rt, a, sandbox, scenario):
    ws, ids = a
    inbound = f"/webhooks/twilio/{ws.id}/inbound"
    status = f"/webhooks/twilio/{ws.id}/status?message={ids['message_id']}"
    in_params = inbound_params()
    st_params = {"MessageSid": ids["twilio_sid"], "MessageStatus": "undelivered", "ErrorCode": "21610",
                 "AccountSid": sandbox.account_sid}
    wrong_token = "f" * 32
    before = counts(rt)
    attempts = [
        (inbound, in_params, {}),  # unsigned
        (inbound, in_params, {"X-Twilio-Signature": ""}),
        (inbound, in_params, {"X-Twilio-Signature": "AAAA"}),
        (inbound, in_params, signed(wrong_token, inbound, in_params)),  # signed with another token
        (inbound, in_params, signed(sandbox.auth_token, inbound, {**in_params, "Body": "hello"})),  # tampered
        (inbound, in_params, signed(sandbox.auth_token, "/webhooks/twilio/other/inbound", in_params)),  # other URL
        (status, st_params, {}),
        (status, st_params, signed(wrong_token, status, st_params)),
        (status, st_params, signed(sandbox.auth_token, status, {**st_params, "ErrorCode": "30001"})),
        ("/webhooks/twilio/ws_nonexistent/inbound", in_params,
         signed(sandbox.auth_token, "/webhooks/twilio/ws_nonexistent/inbound", in_params)),
    ]
    for path, params, headers in attempts:
        resp = client.post(path, data=params, headers=headers)
        assert resp.status_code == 403, (path, headers, resp.status_code)
        assert resp.get_json()["error"]["code"] == "invalid_signature"
    assert counts(rt) == before
    contact = client.get(f"/v1/contacts/{NY2}", headers=ws.headers("admin")).get_json()
    assert contact["state"]["opted_out"] is False
    msg = client.get(f"/v1/messages/{ids['message_id']}", headers=ws.headers("admin")).get_json()
    assert msg["status"] == "delivered"


def test_signed_for_another_workspace_is_refused(client, rt, sandbox, scenario, a):
    """B's webhook URL with A's token (B connected to a different account) -> 403."""
    ws, _ids = a
    b = make_workspace(rt, "Other")
    client.put("/v1/connection", headers=b.headers("admin"), json={
        "account_sid": "AC" + "2" * 32, "auth_token": "e" * 32, "phone_number": "+14155550111"})
    path = f"/webhooks/twilio/{b.id}/inbound"
    params = inbound_params(sender=NY)
    before = counts(rt)
    resp = client.post(path, data=params, headers=signed(sandbox.auth_token, path, params))
    assert resp.status_code == 403
    assert counts(rt) == before


def test_replayed_inbound_stop_has_one_effect(client, rt, a, sandbox):
    ws, _ids = a
    path = f"/webhooks/twilio/{ws.id}/inbound"
    params = inbound_params(sid="SMreplay1", body="Stop", sender=NY2)
    headers = signed(sandbox.auth_token, path, params)
    first = client.post(path, data=params, headers=headers)
    assert first.status_code == 200 and "<Response" in first.get_data(as_text=True)
    after_first = counts(rt)
    for _ in range(3):
        again = client.post(path, data=params, headers=headers)
        assert again.status_code == 200
    assert counts(rt) == after_first
    history = client.get(f"/v1/contacts/{NY2}", headers=ws.headers("admin")).get_json()["history"]
    assert [e["kind"] for e in history].count("opt_out") == 1


def test_replayed_status_callback_has_one_effect(client, rt, ws, sandbox, scenario):
    connect(client, ws, sandbox, scenario)
    assert client.post("/v1/readiness-checks", headers=ws.headers("admin")).status_code == 201
    client.post("/v1/consents", headers=ws.headers("sender"), json=consent_body(NY))
    # Capture the callbacks instead of delivering them.
    captured = []
    sandbox.callback_sender = lambda url, params, headers: captured.append((url, params, headers))
    sent = client.post("/v1/messages", headers=ws.headers("sender"),
                       json={"to": NY, "body": BODY_MARKER, "category": "marketing"})
    assert sent.status_code == 201
    sandbox.flush_callbacks()
    assert captured
    for url, params, headers in captured:
        assert client.post(url.replace(PUBLIC_URL, ""), data=params, headers=headers).status_code in (200, 204)
    once = counts(rt)
    for url, params, headers in captured * 2:
        assert client.post(url.replace(PUBLIC_URL, ""), data=params, headers=headers).status_code in (200, 204)
    assert counts(rt) == once
    msg = client.get(f"/v1/messages/{sent.get_json()['id']}", headers=ws.headers("admin")).get_json()
    assert msg["status"] == "delivered"


@pytest.mark.parametrize("order", [("delivered", "sent", "queued"), ("delivered", "queued", "sent"),
                                   ("sent", "delivered", "sent")])
def test_out_of_order_status_ends_delivered(client, rt, ws, sandbox, scenario, order):
    connect(client, ws, sandbox, scenario)
    assert client.post("/v1/readiness-checks", headers=ws.headers("admin")).status_code == 201
    client.post("/v1/consents", headers=ws.headers("sender"), json=consent_body(NY))
    sandbox.callback_sender = lambda url, params, headers: None  # Twilio's own callbacks are lost
    sent = client.post("/v1/messages", headers=ws.headers("sender"),
                       json={"to": NY, "body": BODY_MARKER, "category": "marketing"}).get_json()
    path = f"/webhooks/twilio/{ws.id}/status?message={sent['id']}"
    for status in order:
        params = {"MessageSid": sent["twilio_sid"], "MessageStatus": status, "AccountSid": sandbox.account_sid,
                  "From": "+14155550100", "To": NY}
        resp = client.post(path, data=params, headers=signed(sandbox.auth_token, path, params))
        assert resp.status_code in (200, 204)
    msg = client.get(f"/v1/messages/{sent['id']}", headers=ws.headers("admin")).get_json()
    assert msg["status"] == "delivered"
    with rt.transaction() as s:
        assert s.get(Message, sent["id"]).status == "delivered"


def test_status_for_unknown_or_foreign_message_changes_nothing(client, rt, a, sandbox):
    ws, ids = a
    before = counts(rt)
    for query, sid in (("?message=msg_doesnotexist", "SMffffffffffffffffffffffffffffffff"),
                       ("", "SM" + "e" * 32), (f"?message={ids['message_id']}", "SM" + "d" * 32)):
        path = f"/webhooks/twilio/{ws.id}/status{query}"
        params = {"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "30034"}
        resp = client.post(path, data=params, headers=signed(sandbox.auth_token, path, params))
        assert resp.status_code < 500
    assert counts(rt) == before
