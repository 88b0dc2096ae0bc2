"""Database-level append-only guard for `audit_events`.

UPDATE and DELETE on the table are refused by triggers, on SQLite and PostgreSQL.
TRUNCATE is not a row operation and stays allowed (the test suite's reset uses it).
The SQL is defined once here; `Base.metadata.create_all` gets it through the table's
`after_create` event and the Alembic migration 0002 executes the same strings.
"""
from __future__ import annotations

from sqlalchemy import DDL, event

from ..models import AuditEvent

MESSAGE = "audit_events is append-only"

SQLITE_STATEMENTS = (
    "CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
)

SQLITE_DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS audit_events_no_update",
    "DROP TRIGGER IF EXISTS audit_events_no_delete",
)

POSTGRESQL_STATEMENTS = (
    "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $body$ BEGIN "
    f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; "
    "END $body$",
    "DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events",
    "CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
)

POSTGRESQL_DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS audit_events_no_update_delete ON audit_events",
    "DROP FUNCTION IF EXISTS audit_events_append_only()",
)

STATEMENTS = {"sqlite": SQLITE_STATEMENTS, "postgresql": POSTGRESQL_STATEMENTS}
DROP_STATEMENTS = {"sqlite": SQLITE_DROP_STATEMENTS, "postgresql": POSTGRESQL_DROP_STATEMENTS}


def _attach() -> None:
    table = AuditEvent.__table__
    for dialect, statements in STATEMENTS.items():
        for sql in statements:
            event.listen(table, "after_create", DDL(sql).execute_if(dialect=dialect))


_attach()
