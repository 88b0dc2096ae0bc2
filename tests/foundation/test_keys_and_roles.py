"""API keys: hashing, prefixes, revocation, roles, and never in a URL."""
from __future__ import annotations

from sqlalchemy import select

from preflight.models import ApiKey
from tests.conftest import make_workspace


def test_key_is_stored_hashed_with_public_prefix(rt, ws):
    with rt.transaction() as s:
        rows = s.scalars(select(ApiKey).where(ApiKey.workspace_id == ws.id)).all()
    assert len(rows) == 3
    for row in rows:
        secret = ws.keys[row.role]
        assert secret not in (row.secret_hash, row.prefix)
        assert secret.startswith(f"pf_{row.prefix}_")
        # at least 128 random bits in the secret part (token_urlsafe(32) = 256 bits)
        assert len(secret.split("_", 2)[2]) >= 43


def test_missing_wrong_and_revoked_keys_get_401(client, ws, rt):
    assert client.get("/v1/connection").status_code == 401
    body = client.get("/v1/connection", headers={"Authorization": "Bearer nope"}).get_json()
    assert body["error"]["code"] == "unauthorized"
    tampered = ws.keys["admin"][:-2] + ("AA" if not ws.keys["admin"].endswith("AA") else "BB")
    assert client.get("/v1/connection", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    from preflight import workspaces

    with rt.transaction() as s:
        workspaces.revoke_key(s, ws.key_ids["admin"], rt.now())
    assert client.get("/v1/connection", headers=ws.headers("admin")).status_code == 401


def test_key_in_url_is_refused(client, ws):
    resp = client.get(f"/v1/connection?access_token={ws.keys['admin']}")
    assert resp.status_code in (400, 401)
    resp = client.get(f"/v1/connection?api_key={ws.keys['admin']}", headers=ws.headers("admin"))
    assert resp.status_code == 400
    assert resp.get_json()["error"]["details"] == {"query": "credentials in URL"}


def test_roles_enforced_on_connection(client, ws, sandbox):
    body = {"account_sid": sandbox.account_sid, "auth_token": sandbox.auth_token, "phone_number": "+14155550100"}
    assert client.put("/v1/connection", headers=ws.headers("sender"), json=body).status_code == 403
    assert client.put("/v1/connection", headers=ws.headers("compliance"), json=body).status_code == 403
    assert client.put("/v1/connection", headers=ws.headers("admin"), json=body).status_code == 200
    assert client.get("/v1/connection", headers=ws.headers("compliance")).status_code == 200
    assert client.get("/v1/connection", headers=ws.headers("sender")).status_code == 403
    assert client.delete("/v1/connection", headers=ws.headers("compliance")).status_code == 403
    assert client.post("/v1/credits", headers=ws.headers("sender"), json={"amount": 5}).status_code == 403


def test_cli_creates_workspace_and_keys(app):
    import json

    runner = app.test_cli_runner()
    out = runner.invoke(args=["workspaces", "create", "Blue Bakery"])
    assert out.exit_code == 0, out.output
    ws = json.loads(out.output)
    assert set(ws) == {"id", "name"} and ws["name"] == "Blue Bakery"
    out = runner.invoke(args=["keys", "create", "--workspace", ws["id"], "--role", "sender", "--name", "app"])
    assert out.exit_code == 0, out.output
    key = json.loads(out.output)
    assert key["key"].startswith("pf_") and key["id"].startswith("key_")
    client = app.test_client()
    assert client.get("/v1/connection", headers={"Authorization": f"Bearer {key['key']}"}).status_code == 403
    out = runner.invoke(args=["keys", "revoke", key["id"]])
    assert out.exit_code == 0, out.output
    assert client.get("/v1/connection", headers={"Authorization": f"Bearer {key['key']}"}).status_code == 401
    bad = runner.invoke(args=["keys", "create", "--workspace", "ws_missing", "--role", "admin"])
    assert bad.exit_code != 0


def test_credits_first_top_up_sets_then_adds(client, ws):
    r1 = client.post("/v1/credits", headers=ws.headers(), json={"amount": 10})
    assert r1.status_code == 200 and r1.get_json() == {"balance": 10}
    assert client.post("/v1/credits", headers=ws.headers(), json={"amount": 5}).get_json() == {"balance": 15}
    bad = client.post("/v1/credits", headers=ws.headers(), json={"amount": -1})
    assert bad.status_code == 400 and "amount" in bad.get_json()["error"]["details"]
    bad = client.post("/v1/credits", headers=ws.headers(), json={"amount": "5"})
    assert bad.status_code == 400 and "amount" in bad.get_json()["error"]["details"]


def test_other_workspace_key_never_sees_connection(client, ws, rt, sandbox):
    other = make_workspace(rt, "Other Co")
    body = {"account_sid": sandbox.account_sid, "auth_token": sandbox.auth_token, "phone_number": "+14155550100"}
    assert client.put("/v1/connection", headers=ws.headers(), json=body).status_code == 200
    resp = client.get("/v1/connection", headers=other.headers())
    assert resp.status_code == 404
    assert sandbox.account_sid not in resp.get_data(as_text=True)
