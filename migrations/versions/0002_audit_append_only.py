"""audit_events and consent_events are append-only: triggers refuse UPDATE and DELETE

Revision ID: 0002
Revises: 0001
"""
from alembic import op

from preflight.audit.triggers import DROP_STATEMENTS, STATEMENTS

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for sql in STATEMENTS.get(op.get_bind().dialect.name, ()):
        op.execute(sql)


def downgrade() -> None:
    for sql in DROP_STATEMENTS.get(op.get_bind().dialect.name, ()):
        op.execute(sql)
