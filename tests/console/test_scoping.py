"""Every console page shows only the logged-in user's workspace."""
from __future__ import annotations

from sqlalchemy import select

from preflight import connection as conn_service
from preflight.consent import ledger
from preflight.models import ReadinessCheck
from tests.conftest import make_workspace
from tests.console.console_helpers import add_message, add_user, login

OTHER_PHONE = "+14155550177"


def _other_workspace(rt):
    """A second business with a connection, an opt-out, a message and a stored check."""
    other = make_workspace(rt, "Globex Bakery")
    with rt.transaction() as s:
        conn_service.set_connection(s, rt.cipher, other.id, account_sid="AC" + "c" * 32, auth_token="d" * 32,
                                    phone_number="+12125550142", now=rt.now(), actor="system")
        ledger.record_opt_out(s, other.id, OTHER_PHONE, "phone", "Globex secret note", None, rt.now(), "system")
        s.add(ReadinessCheck(id="rc_globex", workspace_id=other.id, status="not_ready", complete=True,
                             started_at=rt.now(), finished_at=rt.now(), twilio_requests=1,
                             phone_number="+12125550142", chain={}, checks=[]))
    add_message(rt, other.id, to=OTHER_PHONE, decision="blocked", reasons=["opted_out"], body="Globex body")
    add_user(rt, other.id, "boss@globex.example", "admin")
    return other


def test_pages_show_nothing_of_another_workspace(rt, ws, admin_client):
    _other_workspace(rt)
    pages = ["/console/", "/console/connection", "/console/contacts", "/console/messages",
             "/console/audit", "/console/reports"]
    for path in pages:
        html = admin_client.get(path).get_data(as_text=True)
        for secret in ("Globex", OTHER_PHONE, "+12125550142", "rc_globex", "c" * 32):
            assert secret not in html, (path, secret)


def test_another_workspaces_contact_is_not_found(rt, ws, admin_client):
    _other_workspace(rt)
    resp = admin_client.get("/console/contacts", query_string={"phone": OTHER_PHONE})
    assert resp.status_code == 404
    assert "No consent record" in resp.get_data(as_text=True)
    assert "Globex secret note" not in resp.get_data(as_text=True)


def test_another_workspaces_readiness_report_is_not_found(rt, ws, admin_client):
    _other_workspace(rt)
    resp = admin_client.get("/console/reports/readiness.pdf", query_string={"check": "rc_globex"})
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"


def test_an_opt_out_recorded_in_the_console_lands_in_the_users_workspace(rt, ws, app):
    other = _other_workspace(rt)
    client = app.test_client()
    assert login(client, "boss@globex.example").status_code == 302
    from tests.console.console_helpers import post

    resp = post(client, "/console/contacts/opt-out", {"phone": "(415) 555-0188", "channel": "email"})
    assert resp.status_code == 302
    with rt.transaction() as s:
        assert ledger.contact_state(s, other.id, "+14155550188").opted_out
        assert ledger.contact_state(s, ws.id, "+14155550188") is None
        assert s.scalars(select(ReadinessCheck.workspace_id).where(ReadinessCheck.id == "rc_globex")).one() == other.id
