"""audit_events refuses UPDATE and DELETE at the database level; concurrent appends keep one chain."""
from __future__ import annotations

import os
import threading
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

import preflight.audit.triggers  # noqa: F401
from preflight.audit import append, verify_chain
from preflight.migrate import upgrade
from tests.audit.conftest import head_of

PG_URL = os.environ.get("PREFLIGHT_TEST_DATABASE_URL")


def test_update_is_refused(rt, chain):
    with pytest.raises(DBAPIError, match="append-only"):
        with rt.engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET data = '{}' WHERE workspace_id = :w AND seq = 3"),
                         {"w": chain.id})


def test_delete_is_refused(rt, chain):
    with pytest.raises(DBAPIError, match="append-only"):
        with rt.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events WHERE workspace_id = :w"), {"w": chain.id})
    with rt.sessions() as s:
        assert verify_chain(s, chain.id)["intact"]


def test_orm_update_is_refused(rt, chain):
    from sqlalchemy import select

    from preflight.models import AuditEvent

    with pytest.raises(DBAPIError, match="append-only"):
        with rt.transaction() as s:
            event = s.scalars(select(AuditEvent).where(AuditEvent.workspace_id == chain.id)).first()
            event.actor = "someone"


def _assert_triggers_refuse(url):
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO workspaces (id, name, created_at, time_zone) "
                              "VALUES ('ws_m', 'M', '2026-01-01 00:00:00', 'UTC')"))
            conn.execute(text("INSERT INTO audit_events (workspace_id, seq, occurred_at, actor, action, subject, "
                              "data, prev_hash, hash) VALUES ('ws_m', 1, '2026-01-01 00:00:00', 'system', 'x', "
                              "NULL, '{}', 'a', 'b')"))
        for sql in ("UPDATE audit_events SET actor = 'y'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"):
                with engine.begin() as conn:
                    conn.execute(text(sql))
    finally:
        engine.dispose()


def test_migration_creates_the_triggers_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    _assert_triggers_refuse(url)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set PREFLIGHT_TEST_DATABASE_URL (runs in CI)")
def test_migration_creates_the_triggers_on_postgresql():
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"preflight_trg_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_URL.rsplit("/", 1)[0] + "/" + name
        upgrade(url)
        _assert_triggers_refuse(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _concurrent_appends(rt, workspace_id, writers=10, per_writer=20):
    start_seq, _ = head_of(rt, workspace_id)
    barrier = threading.Barrier(writers)
    errors = []

    def writer(n):
        try:
            barrier.wait()
            for i in range(per_writer):
                with rt.transaction() as s:
                    append(s, workspace_id=workspace_id, actor=f"writer{n}", action="test.concurrent",
                           subject=str(i), data={"writer": n, "i": i}, now=rt.now())
        except Exception as exc:  # surfaced below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with rt.sessions() as s:
        result = verify_chain(s, workspace_id)
    assert result["intact"], result
    assert result["events"] == result["head"]["seq"] == start_seq + writers * per_writer


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: set PREFLIGHT_TEST_DATABASE_URL (runs in CI)")
def test_concurrent_appends_keep_one_chain_on_postgresql(rt, ws):
    _concurrent_appends(rt, ws.id)


def test_concurrent_appends_keep_one_chain_on_this_database(rt, ws):
    _concurrent_appends(rt, ws.id, writers=4, per_writer=10)
