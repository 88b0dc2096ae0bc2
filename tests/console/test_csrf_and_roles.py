"""CSRF on every console form, and compliance users who can look but not change."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preflight.models import ConsentEvent, Connection, ReadinessCheck
from tests.console.console_helpers import login, post

CONNECTION = {"account_sid": "AC" + "a" * 32, "auth_token": "b" * 32, "phone_number": "+14155550100"}
STATE_CHANGING = [
    ("/console/connection", CONNECTION),
    ("/console/readiness/run", {}),
    ("/console/contacts/opt-out", {"phone": "+14155550123", "channel": "phone"}),
]


def _counts(rt, ws_id):
    with rt.transaction() as s:
        return (s.scalar(select(func.count()).select_from(Connection).where(Connection.workspace_id == ws_id)),
                s.scalar(select(func.count()).select_from(ReadinessCheck)),
                s.scalar(select(func.count()).select_from(ConsentEvent)))


def test_login_without_or_with_a_wrong_token_is_rejected(client, admin):
    client.get("/console/login")
    no_token = client.post("/console/login", data={"email": "admin@acme.example", "password": "x" * 12})
    wrong = client.post("/console/login", data={"email": "admin@acme.example", "password": "x" * 12,
                                                "csrf_token": "forged"})
    assert no_token.status_code == wrong.status_code == 400
    assert "This form has expired" in no_token.get_data(as_text=True)


def test_a_token_from_another_session_is_rejected(app, client, admin):
    other = app.test_client()
    other.get("/console/login")
    with other.session_transaction() as sess:
        foreign = sess["csrf"]
    client.get("/console/login")
    resp = client.post("/console/login", data={"email": "admin@acme.example", "password": "correct horse battery",
                                               "csrf_token": foreign})
    assert resp.status_code == 400


@pytest.mark.parametrize("path,data", STATE_CHANGING)
def test_admin_forms_without_the_token_change_nothing(rt, ws, admin_client, path, data):
    before = _counts(rt, ws.id)
    resp = admin_client.post(path, data=data)
    assert resp.status_code == 400
    assert _counts(rt, ws.id) == before


def test_the_token_is_renewed_at_login(client, admin):
    client.get("/console/login")
    with client.session_transaction() as sess:
        before = sess["csrf"]
    login(client, "admin@acme.example")
    client.get("/console/connection")
    with client.session_transaction() as sess:
        assert sess["csrf"] != before


@pytest.mark.parametrize("path,data", STATE_CHANGING)
def test_compliance_is_refused_every_change(rt, ws, compliance_client, path, data):
    before = _counts(rt, ws.id)
    resp = post(compliance_client, path, data)
    assert resp.status_code == 403
    assert "Not allowed" in resp.get_data(as_text=True)
    assert _counts(rt, ws.id) == before


def test_compliance_sees_pages_without_buttons_that_change_state(compliance_client, connected, rt):
    for path in ("/console/", "/console/connection", "/console/contacts", "/console/messages",
                 "/console/reports", "/console/audit"):
        resp = compliance_client.get(path)
        assert resp.status_code == 200, path
        html = resp.get_data(as_text=True)
        for action in ("/console/readiness/run", 'action="/console/connection"', "/console/contacts/opt-out"):
            assert action not in html, (path, action)
    assert "read-only access" in compliance_client.get("/console/connection").get_data(as_text=True)


def test_admin_sees_the_buttons(admin_client, connected):
    assert "/console/readiness/run" in admin_client.get("/console/").get_data(as_text=True)
    assert 'action="/console/connection"' in admin_client.get("/console/connection").get_data(as_text=True)
