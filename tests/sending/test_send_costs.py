"""What the hot paths cost in statements, and what they must not lock.

The load figures in docs/RELIABILITY.md rest on these: a send is two short write
transactions plus a lock-free authentication read, a dry run is four reads that take
no write lock. A change that re-reads rows (the ORM's weak identity map once made the
send read the workspace and the connection twice) or moves a read into a write
transaction fails here, not only in a benchmark run by hand.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.sending.send_helpers import MARKETING_BODY, NY, send

# Measured: 17 on SQLite (2 of them BEGIN IMMEDIATE); 13 on PostgreSQL, where an audit
# append inserts and advances the head in one statement and psycopg's BEGIN is not a
# statement seen here.
SEND_BUDGET = {"sqlite": 17, "postgresql": 13}
DRY_RUN_BUDGET = 4  # key, workspace snapshot, consent, marketing history


@contextmanager
def statements(rt):
    """Every statement any of the runtime's engines executes inside the block."""
    seen: list[str] = []
    lock = threading.Lock()

    def listen(conn, cursor, statement, *args):
        with lock:
            seen.append(" ".join(statement.split()))

    engines = [rt.engine] + ([rt._read_engine] if rt._read_engine is not None else [])
    for engine in engines:
        event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", listen)


def test_a_send_stays_within_its_statement_budget(client, ready, rt):
    assert send(client, ready, key="warm-up").status_code == 201  # caches filled, like a running worker
    with statements(rt) as seen:
        resp = send(client, ready, key="measured", body=MARKETING_BODY + " 2")
    assert resp.status_code == 201, resp.get_json()
    assert len(seen) <= SEND_BUDGET[rt.engine.dialect.name], "\n".join(seen)
    begins = [s for s in seen if s.startswith("BEGIN")]
    if rt.engine.dialect.name == "sqlite":
        # Exactly two write transactions: the decision and the outcome. Authentication
        # and every read before the decision take no write lock.
        assert len(begins) == 2, "\n".join(seen)
    # Each row is read once: the workspace, its connection and its latest check come
    # together in the snapshot.
    assert sum(s.startswith("SELECT") and " FROM connections" in s and "workspaces" not in s for s in seen) == 0
    assert sum("FROM readiness_checks" in s for s in seen) == 1, "\n".join(seen)


def test_a_dry_run_reads_four_times_and_writes_nothing(client, ready, rt):
    body = {"recipients": [NY], "body": MARKETING_BODY, "category": "marketing"}
    assert client.post("/v1/messages/preflight", headers=ready.headers("sender"), json=body).status_code == 200
    with statements(rt) as seen:
        resp = client.post("/v1/messages/preflight", headers=ready.headers("sender"), json=body)
    assert resp.status_code == 200 and resp.get_json()["results"][0]["decision"] == "allowed"
    assert len(seen) <= DRY_RUN_BUDGET, "\n".join(seen)
    assert all(s.startswith("SELECT") for s in seen), "\n".join(seen)


def test_reads_answer_while_another_writer_holds_the_sqlite_lock(client, ready, rt, db_url):
    """Authentication, the contact read, the dry run and a webhook's signature check
    never wait for SQLite's write lock (before, every authenticated request took it to
    read the API key, and every webhook before its signature was checked)."""
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's database-wide write lock")
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        contact = client.get(f"/v1/contacts/{NY}", headers=ready.headers("sender"))
        dry = client.post("/v1/messages/preflight", headers=ready.headers("sender"),
                          json={"recipients": [NY], "body": MARKETING_BODY, "category": "marketing"})
        forged = client.post(f"/webhooks/twilio/{ready.id}/inbound", headers={"X-Twilio-Signature": "forged"},
                             data={"MessageSid": "SM" + "0" * 32, "From": NY, "Body": "STOP"})
        elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert contact.status_code == 200 and dry.status_code == 200 and forged.status_code == 403
    assert elapsed < 5, f"reads waited {elapsed:.1f} s for the write lock"


def test_a_rotated_auth_token_is_used_by_the_next_send(client, ready, sandbox, scenario):
    """The send path keeps a gateway per connection; a new token must make a new one."""
    assert send(client, ready, key="before").status_code == 201
    new_token = "f" * 32
    sandbox.auth_token = new_token  # rotated at Twilio: the old token is refused from now on
    resp = send(client, ready, key="stale", body=MARKETING_BODY + " stale")
    assert resp.status_code == 503 and resp.get_json()["error"]["code"] == "twilio_unavailable"
    put = client.put("/v1/connection", headers=ready.headers("admin"), json={
        "account_sid": sandbox.account_sid, "auth_token": new_token,
        "phone_number": scenario["incoming_phone_numbers"][0]["phone_number"]})
    assert put.status_code == 200, put.get_json()
    resp = send(client, ready, key="after", body=MARKETING_BODY + " after")
    assert resp.status_code == 201, resp.get_json()


def test_the_outcome_commit_does_not_wait_for_the_disk_and_nothing_else_is_changed(client, ready, rt):
    """PostgreSQL: the outcome's UPDATE switches synchronous_commit off for its own
    transaction only (set_config(..., true), no statement of its own)."""
    if rt.engine.dialect.name != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    from sqlalchemy import text

    from preflight.db import core
    from preflight.sending.outcome import _SUBMITTED

    with rt.transaction() as s:
        conn = core(s)
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
        conn.execute(_SUBMITTED["postgresql"], {"message_id": "msg_none", "sid": "SMx", "now": rt.now()}).all()
        # No row matched: the setting is not applied (the commit merely stays durable).
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
    resp = send(client, ready, key="sync-commit")
    assert resp.status_code == 201, resp.get_json()
    msg_id = resp.get_json()["id"]
    with rt.transaction() as s:
        conn = core(s)
        conn.execute(_SUBMITTED["postgresql"], {"message_id": msg_id, "sid": None, "now": rt.now()}).one()
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == "off"
    with rt.transaction() as s:
        assert core(s).execute(text("SHOW synchronous_commit")).scalar() == "on"
