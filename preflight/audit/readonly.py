"""Read-only sessions for long reads (chain verification, reports, exports)."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool


@contextmanager
def read_session(rt):
    """A session for long reads that does not hold up writers.

    On SQLite the service's engine opens every transaction with BEGIN IMMEDIATE (the
    write lock); report queries and exports read through a separate engine without it
    (WAL readers never block the writer). On PostgreSQL the read runs in one
    REPEATABLE READ, READ ONLY transaction, so every query of a report sees one snapshot.
    """
    url = rt.settings["PREFLIGHT_DATABASE_URL"]
    if url.startswith("sqlite") and ":memory:" not in url and url.rstrip("/") != "sqlite:":
        engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 30})
        session = Session(bind=engine)
        try:
            yield session
        finally:
            session.close()
            engine.dispose()
        return
    session = rt.sessions()
    try:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ",
                                              "postgresql_readonly": True})
        yield session
    finally:
        session.rollback()
        session.close()
