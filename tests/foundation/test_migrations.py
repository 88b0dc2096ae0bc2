"""The Alembic migrations produce exactly the models' schema (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

import preflight.models  # noqa: F401  (registers every table and its DDL hooks)
from preflight.migrate import upgrade
from preflight.models import Base

PG_URL = os.environ.get("PREFLIGHT_TEST_DATABASE_URL")


def _diff(url):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, Base.metadata), inspect(conn).get_table_names()
    finally:
        engine.dispose()


def test_sqlite_migrations_match_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    diff, tables = _diff(url)
    assert diff == []
    assert set(Base.metadata.tables) <= set(tables)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL run only (PREFLIGHT_TEST_DATABASE_URL unset)")
def test_postgresql_migrations_match_models():
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"preflight_mig_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        diff, tables = _diff(url)
        assert diff == []
        assert set(Base.metadata.tables) <= set(tables)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_cli_db_upgrade_is_idempotent(tmp_path):
    from preflight import create_app
    from tests.conftest import TEST_FERNET_KEY, TEST_SIGNING_KEY

    app = create_app({"PREFLIGHT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
                      "PREFLIGHT_SECRET_KEY": "x", "PREFLIGHT_ENCRYPTION_KEYS": TEST_FERNET_KEY,
                      "PREFLIGHT_AUDIT_SIGNING_KEY": TEST_SIGNING_KEY})
    runner = app.test_cli_runner()
    for _ in range(2):
        out = runner.invoke(args=["db", "upgrade"])
        assert out.exit_code == 0, out.output
    app.extensions["preflight"].close()


def test_0004_backfills_the_daily_us_totals(tmp_path):
    """Upgrading a database that already holds sends fills `us_daily_segments` with
    each workspace's US segments per Pacific day (only submitted ones count)."""
    url = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    upgrade(url, "0003")
    engine = create_engine(url)
    rows = [  # (id, is_us, segments, submitted_at)
        ("m1", 1, 2, "2026-06-02 16:00:00.000000"),   # 09:00 PDT June 2
        ("m2", 1, 1, "2026-06-03 06:30:00.000000"),   # 23:30 PDT June 2
        ("m3", 1, 3, "2026-06-03 07:30:00.000000"),   # 00:30 PDT June 3
        ("m4", 0, 5, "2026-06-02 16:00:00.000000"),   # Canada: not counted
        ("m5", 1, 4, None),                           # refused: not counted
    ]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO workspaces (id, name, created_at, time_zone) "
                          "VALUES ('ws', 'W', '2026-06-01 00:00:00', 'UTC')"))
        for mid, is_us, segments, submitted in rows:
            conn.execute(text(
                "INSERT INTO messages (id, workspace_id, to_number, body, category, decision, status, reasons, "
                "warnings, segments, is_us, created_at, submitted_at, updated_at) VALUES (:id, 'ws', '+1', 'b', "
                "'marketing', 'allowed', 'submitted', '[]', '[]', :seg, :us, '2026-06-02 16:00:00', :sub, "
                "'2026-06-02 16:00:00')"), {"id": mid, "seg": segments, "us": is_us, "sub": submitted})
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT day, segments FROM us_daily_segments WHERE workspace_id = 'ws'")).all())
    engine.dispose()
    assert got == {"2026-06-02": 3, "2026-06-03": 3}
