"""Engine and session factory. The caller owns the transaction (one commit per
request or command); domain functions receive the session as an argument."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import create_engine, event, func
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    """Create the engine with settings that suit each backend."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            # Let SQLAlchemy emit BEGIN itself, and make it BEGIN IMMEDIATE so that a
            # write transaction takes the write lock up front (no upgrade deadlocks).
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # No pool_pre_ping: it costs a round trip per request (10-20% of a contact read under
    # load); connections are recycled instead, and a dropped one fails one request (503).
    return create_engine(url, pool_recycle=1800, pool_size=10, max_overflow=20)


def make_read_engine(url: str) -> Engine | None:
    """SQLite only: an engine whose transactions are plain deferred BEGINs, for reads
    that must not take the write lock. None for other backends (they need no second engine)."""
    if not url.startswith("sqlite") or ":memory:" in url:
        return None
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA query_only=ON")
        cur.close()

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]):
    """One unit of work: commit on success, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def core(session: Session) -> Connection:
    """The session's connection, for pre-built Core statements on hot paths.

    `session.execute` runs even a Core statement through the ORM's execution layer
    (about 20 microseconds a statement here, as much again as the statement itself on
    SQLite); the connection does not. It is the same transaction. Pending ORM changes
    are flushed first, as `session.execute` would (autoflush), so the order in which
    rows are written, and locked, stays the same."""
    session.flush()
    return session.connection()


# PostgreSQL: selected as one more column of a statement the transaction runs anyway
# (no round trip of its own), it lets this transaction's commit return before its WAL
# reaches disk (synchronous_commit = off, this transaction only: SET LOCAL). Use only
# where a commit lost in a crash is recovered by other means; elsewhere every commit
# stays durable.
COMMIT_WITHOUT_FLUSH_WAIT = func.set_config("synchronous_commit", "off", True)
