"""What a decision pays for the T-Mobile daily cap as the day's volume grows.

Seeds one workspace with N US messages submitted today and times, side by side in
one run, the decision's snapshot query (`gate.prepare.workspace_snapshot`, which
reads the day's running total from `us_daily_segments`) and the query it replaced
(a SUM over the day's US sends, index range scan on `ix_messages_ws_us_submitted`).

Usage: python bench/daily_cap.py [--sends 100000] [--database-url URL]
Default database: a SQLite file in a temporary folder. The tables are dropped and
recreated: never point it at a database you care about.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]  # bench/ shadows packages

from sqlalchemy import create_engine, func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from preflight.audit.chain import ensure_head  # noqa: E402
from preflight.gate.prepare import pacific_day, pacific_midnight, workspace_snapshot  # noqa: E402
from preflight.models import Base, Message, UsDailySegments, Workspace  # noqa: E402


def timed(fn, repeat: int = 30) -> float:
    for _ in range(3):
        fn()
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='preflight-cap-')}/cap.sqlite3"
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    now = datetime(2026, 6, 2, 23, 0, tzinfo=timezone.utc)  # 16:00 in Los Angeles
    with Session(engine) as s:
        s.add(Workspace(id="ws_bench", name="Bench", created_at=now))
        s.flush()
        ensure_head(s, "ws_bench")
        s.add(UsDailySegments(workspace_id="ws_bench", day=pacific_day(now), segments=args.sends))
        s.commit()
    rows = [{"id": f"msg_{i:020d}", "workspace_id": "ws_bench", "to_number": "+12125550000",
             "from_number": "+14155550100", "body": "b", "category": "informational", "decision": "allowed",
             "status": "submitted", "reasons": [], "warnings": [], "segments": 1, "is_us": True, "actor": "k",
             "created_at": now - timedelta(seconds=i % 50_000 / 10),
             "submitted_at": now - timedelta(seconds=i % 50_000 / 10), "updated_at": now}
            for i in range(args.sends)]
    with engine.begin() as conn:
        for start in range(0, len(rows), 10_000):
            conn.execute(insert(Message), rows[start:start + 10_000])
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
    old_sum = select(func.coalesce(func.sum(Message.segments), 0)).where(
        Message.workspace_id == "ws_bench", Message.is_us.is_(True), Message.submitted_at.is_not(None),
        Message.submitted_at >= pacific_midnight(now), Message.submitted_at <= now)
    with Session(engine) as s:
        snap = workspace_snapshot(s, "ws_bench", now)
        assert snap.us_segments == args.sends == s.scalar(old_sum), (snap.us_segments, s.scalar(old_sum))
        with_total = timed(lambda: workspace_snapshot(s, "ws_bench", now))
        summed = timed(lambda: s.scalar(old_sum))
    print(f"database: {engine.dialect.name}   US sends today: {args.sends:,}")
    print(f"snapshot with today's total (running total)   {with_total:8.2f} ms")
    print(f"the replaced SUM over today's sends alone      {summed:8.2f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
