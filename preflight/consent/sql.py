"""Portable insert-or-nothing and upsert statements (SQLite and PostgreSQL).

Both dialects support ``INSERT ... ON CONFLICT``; SQLAlchemy exposes it through the
dialect-specific ``insert`` constructs, chosen here from the session's bind.
"""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_insert(session: Session, model):
    """The dialect's ``insert(model)`` that knows ``on_conflict_do_nothing/update``."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(model)
    if name == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"unsupported database dialect: {name}")


def insert_ignore(session: Session, model, conflict_columns: list[str]):
    """``INSERT ... ON CONFLICT (conflict_columns) DO NOTHING`` for `model`."""
    return dialect_insert(session, model).on_conflict_do_nothing(index_elements=conflict_columns)


def upsert(session: Session, model, conflict_columns: list[str], update_columns: list[str]):
    """``INSERT ... ON CONFLICT (conflict_columns) DO UPDATE SET col = excluded.col``."""
    stmt = dialect_insert(session, model)
    return stmt.on_conflict_do_update(index_elements=conflict_columns,
                                      set_={col: stmt.excluded[col] for col in update_columns})
