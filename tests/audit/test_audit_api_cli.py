"""GET /v1/audit/events, GET /v1/audit/verify, `preflight audit verify|checkpoint`."""
from __future__ import annotations

import json

from preflight.audit import public_key_hex
from tests.audit.conftest import head_of, rechain_from, tamper
from tests.conftest import TEST_SIGNING_KEY


def test_events_are_paged_oldest_first(client, chain, rt):
    resp = client.get("/v1/audit/events?limit=5", headers=chain.headers("compliance"))
    assert resp.status_code == 200
    body = resp.get_json()
    assert [e["seq"] for e in body["data"]] == [1, 2, 3, 4, 5]
    assert body["next_cursor"] == "5"
    first = body["data"][0]
    assert first["action"] == "workspace.created" and first["data"] == {"name": "Acme Dental"}
    assert first["prev_hash"] == "0" * 64 and len(first["hash"]) == 64
    assert body["data"][1]["prev_hash"] == first["hash"]
    assert first["occurred_at"].endswith("Z")
    seq, _ = head_of(rt, chain.id)
    rest = client.get("/v1/audit/events?after_seq=5&limit=1000", headers=chain.headers("admin")).get_json()
    assert [e["seq"] for e in rest["data"]] == list(range(6, seq + 1))
    assert rest["next_cursor"] is None
    test_event = rest["data"][-1]
    assert test_event["data"]["note"] == 'café "quoted" \\ back'


def test_events_query_is_validated(client, chain):
    for query in ("limit=0", "limit=1001", "after_seq=-1", "limit=abc", "bogus=1"):
        resp = client.get(f"/v1/audit/events?{query}", headers=chain.headers("admin"))
        assert resp.status_code == 400, query
        assert resp.get_json()["error"]["code"] == "invalid_request"


def test_verify_endpoint(client, chain, rt):
    body = client.get("/v1/audit/verify", headers=chain.headers("compliance")).get_json()
    seq, digest = head_of(rt, chain.id)
    assert body == {"intact": True, "events": seq, "head": {"seq": seq, "hash": digest}, "first_bad": None}
    tamper(rt, ("UPDATE audit_events SET subject = 'changed' WHERE workspace_id = :w AND seq = 8", {"w": chain.id}))
    body = client.get("/v1/audit/verify", headers=chain.headers("admin")).get_json()
    assert body["intact"] is False and body["first_bad"]["seq"] == 8


def test_sender_may_not_read_the_audit_trail(client, chain):
    assert client.get("/v1/audit/events", headers=chain.headers("sender")).status_code == 403
    assert client.get("/v1/audit/verify", headers=chain.headers("sender")).status_code == 403
    assert client.get("/v1/audit/verify").status_code == 401


def test_events_never_cross_workspaces(client, chain, rt):
    from tests.conftest import make_workspace

    other = make_workspace(rt, "Other Co")
    events = client.get("/v1/audit/events?limit=1000", headers=other.headers("admin")).get_json()["data"]
    assert len(events) == 4 and all(e["subject"] != chain.id for e in events)


def test_cli_checkpoint_and_verify(app, chain, rt, tmp_path):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["audit", "checkpoint", "--workspace", chain.id])
    assert out.exit_code == 0, out.output
    checkpoint = json.loads(out.stdout)
    seq, digest = head_of(rt, chain.id)
    assert (checkpoint["seq"], checkpoint["hash"]) == (seq, digest)
    assert checkpoint["public_key"] == public_key_hex(TEST_SIGNING_KEY)
    path = tmp_path / "checkpoint.json"
    path.write_text(json.dumps(checkpoint))

    out = runner.invoke(args=["audit", "verify", "--workspace", chain.id])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["intact"] is True
    out = runner.invoke(args=["audit", "verify", "--workspace", chain.id, "--checkpoint", str(path)])
    assert out.exit_code == 0, out.output

    tamper(rt, ("UPDATE audit_events SET data = '{}' WHERE workspace_id = :w AND seq = 6", {"w": chain.id}))
    rechain_from(rt, chain.id, 6)
    out = runner.invoke(args=["audit", "verify", "--workspace", chain.id])
    assert out.exit_code == 0  # re-chained: only the checkpoint can tell
    out = runner.invoke(args=["audit", "verify", "--workspace", chain.id, "--checkpoint", str(path)])
    assert out.exit_code == 1
    assert f"BROKEN at event {seq}" in out.stderr


def test_cli_verify_names_the_first_bad_event(app, chain, rt):
    tamper(rt, ("DELETE FROM audit_events WHERE workspace_id = :w AND seq = 4", {"w": chain.id}))
    out = app.test_cli_runner().invoke(args=["audit", "verify", "--workspace", chain.id])
    assert out.exit_code == 1
    assert "BROKEN at event 4" in out.stderr and "missing" in out.stderr


def test_cli_refuses_unknown_workspace_and_bad_checkpoint(app, chain, tmp_path):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["audit", "verify", "--workspace", "ws_nope"])
    assert out.exit_code != 0 and "not found" in out.output
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    out = runner.invoke(args=["audit", "verify", "--workspace", chain.id, "--checkpoint", str(bad)])
    assert out.exit_code != 0 and "not JSON" in out.output


def test_huge_cursor_is_a_400_naming_the_field(client, ws):
    """Found by the deep fuzz: a number past the column's range must not reach the driver."""
    for name in ("after_seq", "cursor"):
        resp = client.get(f"/v1/audit/events?{name}=153245309463401988096", headers=ws.headers("admin"))
        assert resp.status_code == 400 and name in resp.get_json()["error"]["details"]
