"""GET /v1/messages/{id} and GET /v1/messages: roles, workspace scoping, filters, paging."""
from __future__ import annotations

from tests.conftest import make_workspace

NY, FL = "+12125550123", "+13055550123"
BODY = "Acme: spring sale today. Reply STOP to opt out."


def setup(client, ws, clock):
    assert client.post("/v1/readiness-checks", headers=ws.headers("admin")).status_code == 201
    client.post("/v1/consents", headers=ws.headers("sender"), json={
        "phone_number": NY, "scope": "marketing", "written": True, "method": "web_form",
        "captured_at": "2026-01-05T10:00:00+00:00", "source": "https://acme.example.com/join",
        "disclosure_text": "I agree to receive marketing texts from Acme. Reply STOP to cancel."})
    ids = []
    for to in (NY, FL, NY, FL, NY):
        clock.advance(minutes=1)
        resp = client.post("/v1/messages", headers=ws.headers("sender"),
                           json={"to": to, "body": BODY, "category": "marketing"})
        ids.append(resp.get_json()["id"])
    return ids


def test_get_one_message_for_every_role(client, connected, clock):
    ids = setup(client, connected, clock)
    for role in ("admin", "compliance", "sender"):
        resp = client.get(f"/v1/messages/{ids[0]}", headers=connected.headers(role))
        assert resp.status_code == 200
    data = client.get(f"/v1/messages/{ids[1]}", headers=connected.headers("compliance")).get_json()
    assert data["to"] == FL and data["decision"] == "blocked" and data["status"] == "blocked"
    assert data["reasons"][0]["code"] == "no_consent" and data["body"] == BODY
    assert client.get("/v1/messages/msg_nope", headers=connected.headers("admin")).status_code == 404


def test_other_workspaces_see_404(client, connected, clock, rt):
    ids = setup(client, connected, clock)
    other = make_workspace(rt, "Other")
    resp = client.get(f"/v1/messages/{ids[0]}", headers=other.headers("admin"))
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    assert client.get("/v1/messages", headers=other.headers("admin")).get_json()["data"] == []


def test_list_filters_and_pages(client, connected, clock):
    ids = setup(client, connected, clock)
    h = connected.headers("compliance")
    items = client.get("/v1/messages", headers=h).get_json()["data"]
    assert [m["id"] for m in items] == ids[::-1]
    assert {m["id"] for m in client.get("/v1/messages?decision=blocked", headers=h).get_json()["data"]} == {
        ids[1], ids[3]}
    assert {m["id"] for m in client.get("/v1/messages?reason=no_consent", headers=h).get_json()["data"]} == {
        ids[1], ids[3]}
    assert {m["id"] for m in client.get("/v1/messages?status=submitted", headers=h).get_json()["data"]} == {
        ids[0], ids[2], ids[4]}
    assert len(client.get(f"/v1/messages?phone_number=%2B{FL[1:]}", headers=h).get_json()["data"]) == 2
    window = client.get("/v1/messages?from=2026-06-02T16:02:00%2B00:00&to=2026-06-02T16:04:00Z",
                        headers=h).get_json()["data"]
    assert [m["id"] for m in window] == [ids[2], ids[1]]
    page = client.get("/v1/messages?limit=2", headers=h).get_json()
    seen = [m["id"] for m in page["data"]]
    while page["next_cursor"]:
        page = client.get(f"/v1/messages?limit=2&cursor={page['next_cursor']}", headers=h).get_json()
        seen += [m["id"] for m in page["data"]]
    assert seen == ids[::-1]


def test_list_rejects_bad_arguments(client, connected):
    h = connected.headers("admin")
    for query in ("from=yesterday", "to=2026-06-02T10:00:00", "limit=0", "decision=maybe", "cursor=zzz",
                  "bogus=1"):
        resp = client.get(f"/v1/messages?{query}", headers=h)
        assert resp.status_code == 400, query
        assert resp.get_json()["error"]["details"], query


def test_unauthenticated_is_401(client):
    assert client.get("/v1/messages").status_code == 401
    assert client.post("/v1/messages/preflight", json={}).status_code == 401


def test_reused_key_answer_is_documented_for_422(client):
    """Found by the deep fuzz: the 422 of a reused Idempotency-Key is the error envelope,
    and the OpenAPI document must allow it beside the blocked decision."""
    spec = client.get("/v1/openapi.json").get_json()
    schema = spec["paths"]["/v1/messages"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]
    refs = {option["$ref"].rsplit("/", 1)[1] for option in schema["oneOf"]}
    assert refs == {"BlockedOut", "Error"}
