"""Isolation: every /v1 operation against every role (CONTRACT section 5's role table),
without a key, and with the keys of another workspace probing the first one's ids."""
from __future__ import annotations

import json

import pytest

from preflight.api import blueprints
from preflight.api.registry import OPERATIONS
from tests.conftest import make_workspace

from .helpers import BODY_MARKER, CONSENT_SOURCE, DISCLOSURE_MARKER, fill_path, seed

ROLES = ("admin", "compliance", "sender")
blueprints()  # importing the blueprint modules fills OPERATIONS
API_OPS = [op for op in OPERATIONS if op.roles]
assert API_OPS, "no /v1 operations registered"

# CONTRACT section 5, written out independently of the registry: (method, path) -> roles.
CONTRACT_ROLES = {
    ("put", "/connection"): {"admin"},
    ("get", "/connection"): {"admin", "compliance"},
    ("delete", "/connection"): {"admin"},
    ("post", "/readiness-checks"): {"admin"},
    ("get", "/readiness-checks/latest"): {"admin", "compliance"},
    ("get", "/readiness-checks/{check_id}"): {"admin", "compliance"},
    ("get", "/readiness-checks"): {"admin", "compliance"},
    ("post", "/consents"): {"admin", "sender"},
    ("post", "/opt-outs"): {"admin", "sender"},
    ("post", "/consents/import"): {"admin"},
    ("get", "/contacts/{phone_number}"): {"admin", "compliance", "sender"},
    ("post", "/messages"): {"admin", "sender"},
    ("get", "/messages/{message_id}"): {"admin", "compliance", "sender"},
    ("get", "/messages"): {"admin", "compliance", "sender"},
    ("post", "/messages/preflight"): {"admin", "sender"},
    ("get", "/audit/events"): {"admin", "compliance"},
    ("get", "/audit/verify"): {"admin", "compliance"},
    ("get", "/reports/readiness/{check_id}.pdf"): {"admin", "compliance"},
    ("get", "/reports/audit.pdf"): {"admin", "compliance"},
    ("get", "/reports/contacts/{phone_number}.pdf"): {"admin", "compliance"},
    ("get", "/exports/messages.csv"): {"admin", "compliance"},
    ("get", "/exports/consent-events.csv"): {"admin", "compliance"},
    ("post", "/credits"): {"admin"},
}


def call(client, op, path, headers, valid_body=False):
    kwargs = {"headers": dict(headers)}
    if op.method in ("post", "put"):
        if op.content_type == "text/csv":
            kwargs["data"], kwargs["content_type"] = "not,a,valid\n", "text/csv"
        else:
            kwargs["json"] = {"__nothing__": True}  # fails validation after the role check
    resp = client.open(path, method=op.method.upper(), **kwargs)
    resp.get_data()  # drain streamed bodies (CSV exports) inside the test
    return resp


def test_registry_matches_the_contract_role_table():
    declared = {(op.method, op.path): set(op.roles) for op in API_OPS}
    assert declared == CONTRACT_ROLES


@pytest.fixture
def two(client, rt, sandbox, scenario):
    a = make_workspace(rt, "Owner A")
    b = make_workspace(rt, "Prober B")
    ids = seed(client, a, sandbox, scenario)
    return a, b, ids


def test_role_matrix_and_unauthenticated(client, two):
    a, _b, ids = two
    ops = sorted(API_OPS, key=lambda op: op.method == "delete")  # the connection delete last
    for op in ops:
        path = fill_path(op.path, ids)
        for headers in ({}, {"Authorization": "Bearer pf_not_a_key"}, {"Authorization": "Basic abc"}):
            resp = call(client, op, path, headers)
            assert resp.status_code == 401, (op.method, path, headers, resp.status_code)
            assert resp.get_json()["error"]["code"]
        for role in ROLES:
            resp = call(client, op, path, a.headers(role))
            if role in op.roles:
                assert resp.status_code not in (401, 403), (op.method, path, role, resp.get_json())
            else:
                assert resp.status_code == 403, (op.method, path, role, resp.status_code)
                assert resp.get_json()["error"]["code"] == "forbidden"


def test_revoked_key_is_refused(client, rt, two):
    from preflight import workspaces

    a, _b, _ids = two
    with rt.transaction() as s:
        workspaces.revoke_key(s, a.key_ids["sender"], rt.now())
    resp = client.get("/v1/messages", headers=a.headers("sender"))
    assert resp.status_code == 401


def owner_markers(a, ids) -> list[str]:
    return [ids["message_id"], ids["blocked_id"], ids["check_id"], ids["twilio_sid"], ids["account_sid"],
            a.id, BODY_MARKER, DISCLOSURE_MARKER, CONSENT_SOURCE, "proof-body-7f3a", "proof-disclosure-91bc"]


def text_of(resp) -> str:
    if resp.mimetype == "application/pdf":
        import io

        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(resp.data)).pages)
    return resp.get_data(as_text=True)


def test_other_workspace_sees_nothing(client, two, sandbox):
    a, b, ids = two
    markers = owner_markers(a, ids)
    for op in API_OPS:
        if op.method != "get":
            continue
        path = fill_path(op.path, ids)
        for role in ROLES:
            if role not in op.roles:
                continue
            resp = client.get(path, headers=b.headers(role))
            assert resp.status_code < 500, (path, role, resp.status_code)
            if "{message_id}" in op.path or "{check_id}" in op.path:
                assert resp.status_code == 404, (path, role, resp.status_code, text_of(resp)[:300])
            body = text_of(resp)
            leaked = [m for m in markers if m in body and m not in path]  # a 404 may echo the asked id
            assert not leaked, (path, role, leaked)
            if "{phone_number}" in op.path and resp.status_code == 200 and resp.is_json:
                # B has its own (empty) ledger for the number: no history of A's.
                assert resp.get_json()["history"] == [], (path, role, resp.get_json())
    # A's ids in B's filters and writes: nothing of A's answers, nothing of A's changes.
    resp = client.get(f"/v1/messages?phone_number={ids['phone_number']}", headers=b.headers("admin"))
    page = resp.get_json()
    assert page.get("data", page.get("items")) == [], page
    resp = client.post("/v1/opt-outs", headers=b.headers("sender"),
                       json={"phone_number": ids["phone_number"], "channel": "email"})
    assert resp.status_code == 201
    mine = client.get(f"/v1/contacts/{ids['phone_number']}", headers=a.headers("admin")).get_json()
    assert mine["state"]["opted_out"] is False and mine["state"]["marketing"] is True
    # B's keys on A's webhook URL are meaningless; A's audit chain holds no event of B's.
    events = client.get("/v1/audit/events?limit=500", headers=a.headers("admin")).get_json()
    dumped = json.dumps(events)
    assert b.id not in dumped and all(k not in dumped for k in b.key_ids.values())
