"""The connection: validation, encryption at rest bound to the workspace, rotation, masking."""
from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from preflight.models import Connection
from preflight.security.tokens import TokenCipher, TokenDecryptError
from tests.conftest import TEST_FERNET_KEY, make_app, make_workspace

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "s3cr3tT0kenS3cr3tT0kenS3cr3tT0k3"


@pytest.mark.parametrize("field,value", [
    ("account_sid", "AC123"), ("account_sid", "XX" + "0" * 32), ("account_sid", "AC" + "G" * 32),
    ("auth_token", "short"), ("auth_token", "x" * 33), ("phone_number", "4155550100"),
    ("phone_number", "+1415555010"), ("phone_number", "+99912345678"), ("account_sid", 12),
])
def test_validation_names_the_field(client, ws, field, value):
    body = {"account_sid": SID, "auth_token": TOKEN, "phone_number": "+14155550100", field: value}
    resp = client.put("/v1/connection", headers=ws.headers(), json=body)
    assert resp.status_code == 400
    assert field in resp.get_json()["error"]["details"]


def test_token_never_returned_and_encrypted_at_rest(client, ws, rt, caplog):
    caplog.set_level(logging.DEBUG)
    resp = client.put("/v1/connection", headers=ws.headers(), json={
        "account_sid": SID, "auth_token": TOKEN, "phone_number": "+14155550100"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert TOKEN not in resp.get_data(as_text=True)
    assert body["auth_token_last4"] == TOKEN[-4:]
    assert TOKEN not in client.get("/v1/connection", headers=ws.headers()).get_data(as_text=True)
    with rt.transaction() as s:
        row = s.get(Connection, ws.id)
        assert TOKEN.encode() not in bytes(row.token_ciphertext)
        assert rt.auth_token(row) == TOKEN
    assert TOKEN not in caplog.text
    audit = client.get("/v1/audit/events", headers=ws.headers())
    if audit.status_code == 200:
        assert TOKEN not in audit.get_data(as_text=True)


def test_ciphertext_copied_to_another_workspace_does_not_decrypt(client, ws, rt):
    other = make_workspace(rt, "Other")
    for w in (ws, other):
        client.put("/v1/connection", headers=w.headers(), json={
            "account_sid": SID, "auth_token": TOKEN, "phone_number": "+14155550100"})
    with rt.transaction() as s:
        a, b = s.get(Connection, ws.id), s.get(Connection, other.id)
        b.token_ciphertext = a.token_ciphertext
    with rt.transaction() as s:
        with pytest.raises(TokenDecryptError):
            rt.auth_token(s.get(Connection, other.id))


def test_rotation_reencrypts_with_newest_key(db_url, clock, sandbox, client, ws, rt):
    client.put("/v1/connection", headers=ws.headers(), json={
        "account_sid": SID, "auth_token": TOKEN, "phone_number": "+14155550100"})
    new_key = Fernet.generate_key().decode()
    app2 = make_app(db_url, clock, sandbox, PREFLIGHT_ENCRYPTION_KEYS=f"{new_key},{TEST_FERNET_KEY}")
    out = app2.test_cli_runner().invoke(args=["connections", "rotate-keys"])
    assert out.exit_code == 0, out.output
    rt2 = app2.extensions["preflight"]
    with rt2.transaction() as s:
        row = s.scalars(select(Connection)).one()
        only_new = TokenCipher([new_key])
        assert only_new.decrypt(ws.id, row.token_ciphertext) == TOKEN
        with pytest.raises(TokenDecryptError):
            TokenCipher([TEST_FERNET_KEY]).decrypt(ws.id, row.token_ciphertext)
    rt2.close()


def test_delete_connection(client, ws):
    client.put("/v1/connection", headers=ws.headers(), json={
        "account_sid": SID, "auth_token": TOKEN, "phone_number": "+14155550100"})
    assert client.delete("/v1/connection", headers=ws.headers()).status_code == 204
    resp = client.get("/v1/connection", headers=ws.headers())
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_connected"
