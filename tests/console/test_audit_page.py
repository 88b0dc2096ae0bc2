"""The console's audit page: a full walk of the chain at most every FULL_EVERY, a
resumed one in between that still re-checks where the last walk ended."""
from __future__ import annotations

from preflight.console.views.audit import FULL_EVERY
from tests.audit.conftest import append_events, tamper


def page(client) -> str:
    resp = client.get("/console/audit")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_a_full_walk_then_only_the_new_events(admin_client, rt, ws):
    first = page(admin_client)
    assert "The chain is intact" in first and "(every event, just now)" in first
    append_events(rt, ws.id, 3)
    second = page(admin_client)
    assert "The chain is intact" in second
    assert "3 new since event" in second and "verified in full at" in second


def test_the_resumed_walk_rechecks_where_the_last_one_ended(admin_client, rt, ws):
    page(admin_client)
    # Rewrite the event the last walk ended on (behind the triggers' back).
    with rt.transaction() as s:
        from sqlalchemy import func, select

        from preflight.models import AuditEvent
        last = s.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.workspace_id == ws.id))
    tamper(rt, ("UPDATE audit_events SET hash = :h WHERE workspace_id = :ws AND seq = :seq",
                {"h": "f" * 64, "ws": ws.id, "seq": last}))
    html = page(admin_client)
    assert f"The chain is broken at event {last}" in html
    assert "(every event, just now)" in page(admin_client)  # a broken chain is always walked in full


def test_an_older_edit_shows_at_the_next_full_walk(admin_client, rt, ws, clock):
    append_events(rt, ws.id, 3)
    page(admin_client)
    tamper(rt, ("UPDATE audit_events SET data = :d WHERE workspace_id = :ws AND seq = 1",
                {"d": '{"edited": true}', "ws": ws.id}))
    append_events(rt, ws.id, 1)
    assert "The chain is intact" in page(admin_client)  # resumed: event 1 is not walked again
    clock.advance(seconds=FULL_EVERY.total_seconds() + 1)
    html = page(admin_client)
    assert "The chain is broken at event 1" in html and "(every event, just now)" in html
