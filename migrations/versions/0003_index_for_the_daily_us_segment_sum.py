"""index for the daily US segment sum

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 21:40:52.712225
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_messages_ws_us_submitted", "messages", ["workspace_id", "is_us", "submitted_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_ws_us_submitted", table_name="messages")
