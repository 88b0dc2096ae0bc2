"""The running total behind the T-Mobile daily cap (`us_daily_segments`).

It must always equal what it replaces: the sum of the segments of the workspace's US
messages whose `submitted_at` falls in each Pacific day. Every path that sets or
clears `submitted_at` is driven here, and the two are compared after each step.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from preflight.gate.prepare import pacific_day
from preflight.models import Message, UsDailySegments
from preflight.readiness import chain_facts, latest
from preflight.sending import reconcile as reconcile_mod
from tests.sending.send_helpers import CANADA, NY, consent, send
from tests.sending.test_status_callbacks import params, post_status

POSTS = {"method": "POST", "path_regex": "/Messages.json$"}
NY_TOO = "+12125550124"


def counted(rt, workspace_id) -> dict:
    with rt.transaction() as s:
        return {r.day: r.segments for r in s.scalars(select(UsDailySegments).where(
            UsDailySegments.workspace_id == workspace_id)) if r.segments}


def recomputed(rt, workspace_id) -> dict:
    totals: dict = defaultdict(int)
    with rt.transaction() as s:
        for m in s.scalars(select(Message).where(Message.workspace_id == workspace_id, Message.is_us.is_(True),
                                                 Message.submitted_at.is_not(None))):
            totals[pacific_day(m.submitted_at)] += m.segments
    return dict(totals)


def assert_in_step(rt, ws):
    assert counted(rt, ws.id) == recomputed(rt, ws.id)


def test_the_total_follows_every_change_of_submitted_at(client, ready, sandbox, rt, clock):
    consent(client, ready, CANADA)
    assert send(client, ready, key="a").status_code == 201  # US, allowed: counted
    assert send(client, ready, to=CANADA, key="ca").status_code == 201  # not US: never counted
    long_body = "Acme: " + "spring sale on every tent and stove in the store today only! " * 3 + "Reply STOP"
    long = send(client, ready, body=long_body, key="long").get_json()
    assert long["segments"] > 1
    total = 1 + long["segments"]
    assert_in_step(rt, ready)
    assert counted(rt, ready.id) == {pacific_day(clock()): total}

    consent(client, ready, NY_TOO)
    sandbox.add_fault({**POSTS, "status": 400, "code": 21610, "count": 1})
    assert send(client, ready, to=NY_TOO, key="refused").status_code == 422
    assert_in_step(rt, ready)  # counted at the decision, taken back when Twilio refused

    sandbox.add_fault({**POSTS, "status": 503, "count": 1})
    resp = send(client, ready, body="Acme: doors open at 9. Reply STOP to opt out.", key="unknown")
    assert resp.status_code == 502, resp.get_json()
    unknown_id = resp.get_json()["error"]["details"]["message_id"]
    assert_in_step(rt, ready)
    assert counted(rt, ready.id) == {pacific_day(clock()): total + 1}  # may have gone out: it counts

    clock.advance(minutes=16)
    assert reconcile_mod.reconcile(rt)["error"] == 1  # Twilio has no such message
    assert_in_step(rt, ready)
    assert counted(rt, ready.id) == {pacific_day(clock()): total}

    # Twilio reports it delivered after all: it counts again, on the day it was created.
    resp = post_status(client, sandbox, ready, params("SM" + "f" * 32, "delivered"), message_id=unknown_id)
    assert resp.status_code == 204
    assert_in_step(rt, ready)
    assert counted(rt, ready.id) == {pacific_day(clock()): total + 1}


def test_days_are_pacific_days(client, ready, rt, clock):
    # 06:30 UTC is 23:30 the day before in Los Angeles (PDT); 07:30 UTC is 00:30.
    consent(client, ready, NY, scope="informational")
    clock.set(clock().replace(hour=6, minute=30))
    late = send(client, ready, key="late", body="Your order shipped.", category="informational")
    clock.set(clock().replace(hour=7, minute=30))
    early = send(client, ready, key="early", body="Your order arrives today.", category="informational")
    assert late.status_code == 201 and early.status_code == 201, (late.get_json(), early.get_json())
    assert_in_step(rt, ready)
    assert counted(rt, ready.id) == {"2026-06-01": 1, "2026-06-02": 1}


def _daily_cap(rt, workspace_id) -> int:
    with rt.transaction() as s:
        return chain_facts(latest(s, workspace_id))["daily_cap"]


def test_the_cap_reads_the_total(client, ready, rt, clock):
    """End to end: the day's earlier sends (here seeded into the total) plus this one
    reach the cap; a dry run dated before today's real send does not count it."""
    cap = _daily_cap(rt, ready.id)
    with rt.transaction() as s:
        s.add(UsDailySegments(workspace_id=ready.id, day=pacific_day(clock()), segments=cap - 1))
    earlier = clock() - timedelta(hours=1)
    assert send(client, ready, key="last").status_code == 201  # cap - 1 + 1 = cap
    blocked = send(client, ready, key="over", body="Acme: one more. Reply STOP to opt out.")
    assert blocked.status_code == 422
    assert [r["code"] for r in blocked.get_json()["reasons"]] == ["daily_cap_reached"]

    body = {"recipients": [NY], "body": "Acme: hello. Reply STOP to opt out.", "category": "marketing"}
    now = client.post("/v1/messages/preflight", headers=ready.headers("sender"), json=body).get_json()
    assert "daily_cap_reached" in now["summary"]["by_reason"]
    before = client.post("/v1/messages/preflight", headers=ready.headers("sender"),
                         json={**body, "send_at": earlier.isoformat()}).get_json()
    assert "daily_cap_reached" not in before["summary"]["by_reason"], before
