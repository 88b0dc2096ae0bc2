"""HTTP API: POST /v1/consents, POST /v1/opt-outs, GET /v1/contacts/{phone_number}."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from tests.conftest import make_workspace
from tests.consent.consent_helpers import DISCLOSURE, fresh_number, opt_in_fields


def consent_body(rt, number, scope="marketing", **overrides):
    return opt_in_fields(number, rt.now() - timedelta(days=1), scope, **overrides)


def test_post_consent_returns_the_event_and_the_state(client, rt, ws, number):
    resp = client.post("/v1/consents", headers=ws.headers("sender"),
                       json=consent_body(rt, number, ip="198.51.100.4", postal_code="73301"))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["kind"] == "opt_in" and body["scope"] == "marketing" and body["disclosure_text"] == DISCLOSURE
    assert body["captured_at"] == (rt.now() - timedelta(days=1)).isoformat()
    assert body["state"]["marketing"] is True and body["state"]["postal_code"] == "73301"
    assert body["actor"] == ws.key_ids["sender"]


@pytest.mark.parametrize("overrides, field", [
    ({"written": False}, "written"),
    ({"disclosure_text": None}, "disclosure_text"),
    ({"captured_at": "2026-05-01T10:00:00"}, "captured_at"),
    ({"captured_at": "2099-01-01T00:00:00Z"}, "captured_at"),
    ({"phone_number": "+1415555010"}, "phone_number"),
    ({"phone_number": 14155550100}, "phone_number"),
    ({"scope": "all"}, "scope"),
    ({"method": "sms"}, "method"),
    ({"written": "yes please"}, "written"),
    ({"extra": 1}, "extra"),
])
def test_post_consent_validation_names_the_field(client, rt, ws, number, overrides, field):
    resp = client.post("/v1/consents", headers=ws.headers(), json=consent_body(rt, number, **overrides))
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "invalid_request" and field in error["details"]
    assert client.get(f"/v1/contacts/{number}", headers=ws.headers()).status_code == 404


@pytest.mark.parametrize("body", [None, "[]", "not json", '{"phone_number": '])
def test_post_consent_malformed_bodies(client, ws, body):
    resp = client.post("/v1/consents", headers={**ws.headers(), "Content-Type": "application/json"}, data=body)
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("path", ["/v1/consents", "/v1/opt-outs"])
def test_compliance_cannot_post_and_no_key_is_401(client, rt, ws, number, path):
    body = consent_body(rt, number) if path == "/v1/consents" else {"phone_number": number, "channel": "api"}
    assert client.post(path, headers=ws.headers("compliance"), json=body).status_code == 403
    assert client.post(path, json=body).status_code == 401
    assert client.post(path, headers=ws.headers("admin"), json=body).status_code == 201


def test_post_opt_out(client, rt, ws, number):
    client.post("/v1/consents", headers=ws.headers("sender"), json=consent_body(rt, number))
    resp = client.post("/v1/opt-outs", headers=ws.headers("sender"), json={
        "phone_number": number, "channel": "email", "text": "Please remove me from your list",
        "received_at": (rt.now() - timedelta(hours=3)).isoformat()})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["kind"] == "opt_out" and body["scopes"] == ["marketing"] and body["channel"] == "email"
    assert body["received_at"] == (rt.now() - timedelta(hours=3)).isoformat()
    assert body["state"]["opted_out"] is True and body["state"]["scopes"] == []
    minimal = client.post("/v1/opt-outs", headers=ws.headers("sender"),
                          json={"phone_number": number, "channel": "phone"})
    assert minimal.status_code == 201 and minimal.get_json()["received_at"] == rt.now().isoformat()


@pytest.mark.parametrize("body, field", [
    ({"channel": "sms"}, "phone_number"),
    ({"phone_number": "+14155550100"}, "channel"),
    ({"phone_number": "+14155550100", "channel": "carrier"}, "channel"),
    ({"phone_number": "+14155550100", "channel": "sms", "received_at": "2026-05-01 10:00"}, "received_at"),
    ({"phone_number": "+14155550100", "channel": "sms", "received_at": "2099-05-01T10:00:00Z"}, "received_at"),
    ({"phone_number": "+999", "channel": "sms"}, "phone_number"),
])
def test_post_opt_out_validation(client, ws, body, field):
    resp = client.post("/v1/opt-outs", headers=ws.headers(), json=body)
    assert resp.status_code == 400
    assert field in resp.get_json()["error"]["details"]


@pytest.mark.parametrize("role", ["admin", "compliance", "sender"])
def test_get_contact_for_every_role_with_raw_or_encoded_plus(client, rt, ws, number, role):
    client.post("/v1/consents", headers=ws.headers(), json=consent_body(rt, number))
    client.post("/v1/opt-outs", headers=ws.headers(), json={"phone_number": number, "channel": "sms",
                                                             "text": "STOP"})
    for path in (f"/v1/contacts/{number}", f"/v1/contacts/{quote(number, safe='')}"):
        resp = client.get(path, headers=ws.headers(role))
        assert resp.status_code == 200, (path, resp.get_json())
        body = resp.get_json()
        assert body["phone_number"] == number
        assert body["state"] == {"marketing": False, "informational": False, "opted_out": True,
                                 "opted_out_at": rt.now().isoformat(), "postal_code": None, "scopes": [],
                                 "last_revoked_scopes": ["marketing"]}
        assert [e["kind"] for e in body["history"]] == ["opt_in", "opt_out"]
        first = body["history"][0]
        for key in ("scope", "written", "method", "captured_at", "source", "disclosure_text", "ip",
                    "user_agent", "postal_code", "evidence_uri", "recorded_at"):
            assert key in first
        assert first["disclosure_text"] == DISCLOSURE


@pytest.mark.parametrize("raw", ["14155550100", "+1415", "abc", "%2B1415"])
def test_get_contact_invalid_number_is_400(client, ws, raw):
    resp = client.get(f"/v1/contacts/{raw}", headers=ws.headers())
    assert resp.status_code == 400
    assert "phone_number" in resp.get_json()["error"]["details"]


def test_get_unknown_contact_is_404(client, ws, number):
    resp = client.get(f"/v1/contacts/{number}", headers=ws.headers())
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "contact_not_found"


def test_another_workspace_never_sees_the_history(client, rt, ws, number):
    other = make_workspace(rt, "Other Clinic")
    client.post("/v1/consents", headers=ws.headers(), json=consent_body(rt, number))
    assert client.get(f"/v1/contacts/{number}", headers=other.headers()).status_code == 404
    client.post("/v1/opt-outs", headers=other.headers("sender"), json={"phone_number": number, "channel": "web"})
    theirs = client.get(f"/v1/contacts/{number}", headers=other.headers()).get_json()
    assert [e["kind"] for e in theirs["history"]] == ["opt_out"] and theirs["state"]["last_revoked_scopes"] == []
    ours = client.get(f"/v1/contacts/{number}", headers=ws.headers()).get_json()
    assert [e["kind"] for e in ours["history"]] == ["opt_in"] and ours["state"]["marketing"] is True


def test_openapi_documents_the_consent_routes(client):
    spec = client.get("/v1/openapi.json").get_json()
    assert "text/csv" in spec["paths"]["/v1/consents/import"]["post"]["requestBody"]["content"]
    post = spec["paths"]["/v1/consents"]["post"]
    assert "application/json" in post["requestBody"]["content"] and "201" in post["responses"]
    assert "201" in spec["paths"]["/v1/opt-outs"]["post"]["responses"]
    assert "200" in spec["paths"]["/v1/contacts/{phone_number}"]["get"]["responses"]
    schemas = spec["components"]["schemas"]
    assert any("disclosure_text" in s.get("properties", {}) for s in schemas.values())


def test_fresh_api_opt_in_after_stop_lifts_it_and_backdated_does_not(client, rt, ws, clock):
    number = fresh_number()
    client.post("/v1/opt-outs", headers=ws.headers(), json={"phone_number": number, "channel": "sms"})
    clock.advance(hours=1)
    old = client.post("/v1/consents", headers=ws.headers(), json=opt_in_fields(number, rt.now() - timedelta(days=9)))
    assert old.status_code == 201 and old.get_json()["scopes"] == [] and old.get_json()["state"]["opted_out"]
    new = client.post("/v1/consents", headers=ws.headers(), json=opt_in_fields(number, rt.now()))
    assert new.get_json()["scopes"] == ["marketing"] and new.get_json()["state"]["opted_out"] is False
