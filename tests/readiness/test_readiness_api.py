"""HTTP: roles, workspaces, history paging, Twilio faults and incomplete attempts."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from preflight.models import AuditEvent, ReadinessCheck
from tests.conftest import make_workspace
from tests.readiness.readiness_helpers import point_webhooks, post_check

FAULTS = [
    pytest.param({"path_regex": "/PhoneNumbers$", "status": 503}, id="503-on-sender-pool"),
    pytest.param({"path_regex": "/Compliance/Usa2p$", "kind": "timeout"}, id="timeout-on-campaigns"),
    pytest.param({"path_regex": "/v1/Services$", "status": 429, "retry_after": 7}, id="429-on-services"),
    pytest.param({"path_regex": "/BrandRegistrations/", "kind": "connection_error"}, id="connection-refused"),
    pytest.param({"path_regex": r"/Accounts/AC\w+\.json$", "status": 500}, id="500-on-account"),
]


@pytest.mark.parametrize("fault", FAULTS)
def test_twilio_fault_records_incomplete_and_keeps_latest(client, connected, sandbox, rt, fault):
    first = post_check(client, connected)
    sandbox.add_fault(fault)
    resp = client.post("/v1/readiness-checks", headers=connected.headers("admin"))
    assert resp.status_code == 503
    body = resp.get_json()["error"]
    assert body["code"] == "twilio_unavailable"
    if fault.get("retry_after"):
        assert resp.headers["Retry-After"] == "7"
    attempt_id = body["details"]["check_id"]

    latest = client.get("/v1/readiness-checks/latest", headers=connected.headers("admin")).get_json()
    assert latest["id"] == first["id"]
    attempt = client.get(f"/v1/readiness-checks/{attempt_id}", headers=connected.headers("admin")).get_json()
    assert attempt["status"] == "incomplete" and attempt["checks"] == [] and attempt["error"]
    with rt.transaction() as s:
        row = s.get(ReadinessCheck, attempt_id)
        assert row.complete is False
        events = s.scalars(select(AuditEvent).where(AuditEvent.workspace_id == connected.id,
                                                    AuditEvent.action == "readiness.checked")
                           .order_by(AuditEvent.seq)).all()
        assert [e.subject for e in events] == [first["id"], attempt_id]
        assert '"incomplete"' in events[-1].data


def test_fault_on_first_ever_check_leaves_no_latest(client, connected, sandbox):
    sandbox.add_fault({"path_regex": "/PhoneNumbers$", "status": 503})
    assert client.post("/v1/readiness-checks", headers=connected.headers("admin")).status_code == 503
    resp = client.get("/v1/readiness-checks/latest", headers=connected.headers("admin"))
    assert resp.status_code == 404
    history = client.get("/v1/readiness-checks", headers=connected.headers("admin")).get_json()
    assert [c["status"] for c in history["data"]] == ["incomplete"]


def test_not_connected_is_409(client, ws):
    resp = client.post("/v1/readiness-checks", headers=ws.headers("admin"))
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "not_connected"


def test_roles(client, connected):
    assert client.post("/v1/readiness-checks", headers=connected.headers("sender")).status_code == 403
    assert client.post("/v1/readiness-checks", headers=connected.headers("compliance")).status_code == 403
    assert client.get("/v1/readiness-checks/latest", headers=connected.headers("compliance")).status_code == 404
    result = post_check(client, connected)
    for path in ("/v1/readiness-checks/latest", f"/v1/readiness-checks/{result['id']}", "/v1/readiness-checks"):
        assert client.get(path, headers=connected.headers("sender")).status_code == 403
        resp = client.get(path, headers=connected.headers("compliance"))
        assert resp.status_code == 200, path
    assert client.get("/v1/readiness-checks/latest", headers=connected.headers("compliance")).get_json() == result
    assert client.post("/v1/readiness-checks").status_code == 401


def test_other_workspace_cannot_read_a_check(client, connected, rt):
    result = post_check(client, connected)
    other = make_workspace(rt, "Other Co")
    resp = client.get(f"/v1/readiness-checks/{result['id']}", headers=other.headers("admin"))
    assert resp.status_code == 404
    assert client.get("/v1/readiness-checks/latest", headers=other.headers("admin")).status_code == 404
    assert client.get("/v1/readiness-checks", headers=other.headers("admin")).get_json() == {
        "data": [], "next_cursor": None}
    assert client.get("/v1/readiness-checks/" + "x" * 300, headers=other.headers("admin")).status_code == 404


def test_history_pages_newest_first(client, connected, sandbox, clock):
    point_webhooks(sandbox, connected.id)
    ids = []
    for _ in range(2):  # two runs per instant: ties are ordered by creation
        ids += [post_check(client, connected)["id"], post_check(client, connected)["id"]]
        clock.advance(minutes=5)
    headers = connected.headers("compliance")
    seen, cursor = [], None
    while True:
        url = "/v1/readiness-checks?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=headers).get_json()
        seen += [c["id"] for c in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    bad = client.get("/v1/readiness-checks?cursor=nonsense", headers=headers)
    assert bad.status_code == 400 and "cursor" in bad.get_json()["error"]["details"]
    assert client.get("/v1/readiness-checks?limit=0", headers=headers).status_code == 400
    assert client.get("/v1/readiness-checks?bogus=1", headers=headers).status_code == 400


def test_same_instant_runs_latest_is_the_last(client, connected):
    first = post_check(client, connected)
    second = post_check(client, connected)
    assert first["finished_at"] == second["finished_at"]
    latest = client.get("/v1/readiness-checks/latest", headers=connected.headers("admin")).get_json()
    assert latest["id"] == second["id"]


def test_times_come_from_the_configured_clock(client, connected, clock):
    result = post_check(client, connected)
    assert result["started_at"] == result["finished_at"] == clock().isoformat()


def test_openapi_describes_readiness(client):
    spec = client.get("/v1/openapi.json").get_json()
    post = spec["paths"]["/v1/readiness-checks"]["post"]
    assert "201" in post["responses"]
    assert "/v1/readiness-checks/{check_id}" in spec["paths"]
    assert {"409", "503"} <= set(post["responses"])
    schemas = spec["components"]["schemas"]
    assert {"ReadinessOut", "ReadinessPage", "ReadinessChainOut", "ReadinessCheckItemOut"} <= set(schemas)
    assert set(schemas["ReadinessOut"]["properties"]) >= {"id", "status", "started_at", "finished_at",
                                                          "twilio_requests", "chain", "checks"}
