"""Database-level append-only guard for the evidence tables: `audit_events` (the hash
chain) and `consent_events` (the consent ledger).

UPDATE and DELETE on them are refused by triggers, on SQLite and PostgreSQL.
TRUNCATE is not a row operation and stays allowed (a test database reset uses it).
The SQL is defined once here; `Base.metadata.create_all` gets it through each table's
`after_create` event and the Alembic migration 0002 executes the same strings.
"""
from __future__ import annotations

from sqlalchemy import DDL, event

from ..models import AuditEvent, ConsentEvent

APPEND_ONLY_TABLES = (AuditEvent.__table__, ConsentEvent.__table__)


def _sqlite(table: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    message = f"{table} is append-only"
    create = tuple(
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END" for op in ("UPDATE", "DELETE"))
    drop = tuple(f"DROP TRIGGER IF EXISTS {table}_no_{op}" for op in ("update", "delete"))
    return create, drop


def _postgresql(table: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    message = f"{table} is append-only"
    create = (
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $body$ BEGIN "
        f"RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation'; "
        "END $body$",
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
        f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
    )
    drop = (f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_append_only()")
    return create, drop


_BUILDERS = {"sqlite": _sqlite, "postgresql": _postgresql}


def statements(dialect: str, table: str) -> tuple[str, ...]:
    return _BUILDERS[dialect](table)[0] if dialect in _BUILDERS else ()


def drop_statements(dialect: str, table: str) -> tuple[str, ...]:
    return _BUILDERS[dialect](table)[1] if dialect in _BUILDERS else ()


STATEMENTS = {d: tuple(sql for t in APPEND_ONLY_TABLES for sql in statements(d, t.name)) for d in _BUILDERS}
DROP_STATEMENTS = {d: tuple(sql for t in APPEND_ONLY_TABLES for sql in drop_statements(d, t.name))
                   for d in _BUILDERS}


def _attach() -> None:
    for table in APPEND_ONLY_TABLES:
        for dialect in _BUILDERS:
            for sql in statements(dialect, table.name):
                event.listen(table, "after_create", DDL(sql).execute_if(dialect=dialect))


_attach()
