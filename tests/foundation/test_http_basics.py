"""The error envelope everywhere on /v1, health, the OpenAPI document, bad input."""
from __future__ import annotations

import pytest


def _is_envelope(resp):
    body = resp.get_json()
    assert resp.mimetype == "application/json", resp.get_data(as_text=True)[:200]
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"])
    return body["error"]


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok", "database": "ok"}


def test_unknown_path_and_method_get_json_errors(client, ws):
    assert _is_envelope(client.get("/v1/does-not-exist"))["code"] == "not_found"
    resp = client.post("/v1/openapi.json")
    assert resp.status_code == 405 and _is_envelope(resp)["code"] == "method_not_allowed"
    resp = client.patch("/v1/connection", headers=ws.headers())
    assert resp.status_code == 405


@pytest.mark.parametrize("kwargs,status,code", [
    ({"data": "{not json", "content_type": "application/json"}, 400, "invalid_request"),
    ({"data": "[1, 2]", "content_type": "application/json"}, 400, "invalid_request"),
    ({"data": "account_sid=AC", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
    ({"json": {"account_sid": "x", "auth_token": "y", "phone_number": "z", "extra": 1}}, 400, "invalid_request"),
    ({"data": "\xff\xfe", "content_type": "application/json"}, 400, "invalid_request"),
])
def test_bad_bodies_get_4xx_naming_the_problem(client, ws, kwargs, status, code):
    resp = client.put("/v1/connection", headers=ws.headers(), **kwargs)
    assert resp.status_code == status
    assert _is_envelope(resp)["code"] == code


def test_unknown_field_is_named(client, ws):
    resp = client.put("/v1/connection", headers=ws.headers(), json={"extra": 1})
    details = _is_envelope(resp)["details"]
    assert details["extra"] == "Unknown field." and "account_sid" in details


def test_body_over_limit_is_413(client, ws):
    resp = client.put("/v1/connection", headers=ws.headers(), data="x" * (3 * 1024 * 1024),
                      content_type="application/json")
    assert resp.status_code == 413 and _is_envelope(resp)["code"] == "payload_too_large"


def test_openapi_document_lists_operations_with_schemas(client):
    resp = client.get("/v1/openapi.json")
    assert resp.status_code == 200
    spec = resp.get_json()
    assert spec["openapi"].startswith("3.")
    put = spec["paths"]["/v1/connection"]["put"]
    schema_ref = put["requestBody"]["content"]["application/json"]["schema"]
    assert schema_ref  # generated from the ConnectionIn schema that validates
    name = schema_ref["$ref"].rsplit("/", 1)[1]
    props = spec["components"]["schemas"][name]["properties"]
    assert {"account_sid", "auth_token", "phone_number"} <= set(props)
    assert "401" in put["responses"] and "403" in put["responses"]
