"""running total of US segments per workspace and Pacific day

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 23:25:00

The T-Mobile daily cap used to sum the day's US sends at every decision (an index
range scan that grows with the day's volume: ~25 ms at 100,000 sends). The total now
lives in `us_daily_segments`, backfilled here from the messages already submitted.
"""
from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

PACIFIC = ZoneInfo("America/Los_Angeles")


def _utc(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def upgrade() -> None:
    table = op.create_table(
        "us_daily_segments",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"],
                                name=op.f("fk_us_daily_segments_workspace_id_workspaces")),
        sa.PrimaryKeyConstraint("workspace_id", "day", name=op.f("pk_us_daily_segments")),
    )
    totals: dict = defaultdict(int)
    rows = op.get_bind().execute(sa.text(
        "SELECT workspace_id, submitted_at, segments FROM messages "
        "WHERE is_us = :yes AND submitted_at IS NOT NULL"), {"yes": True})
    for workspace_id, submitted_at, segments in rows:
        day = _utc(submitted_at).astimezone(PACIFIC).date().isoformat()
        totals[(workspace_id, day)] += segments or 0
    if totals:
        op.bulk_insert(table, [{"workspace_id": ws, "day": day, "segments": n} for (ws, day), n in totals.items()])


def downgrade() -> None:
    op.drop_table("us_daily_segments")
