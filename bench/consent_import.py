"""Benchmark: import 100,000 opt-ins from CSV into a fresh SQLite database.

Target: under 10 s. Prints wall and CPU time and rows/s for the first import and for
a re-import (all duplicates); on a busy machine the CPU time is the steadier figure. Run: python bench/consent_import.py [--rows N] [--database URL]
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from preflight import workspaces
from preflight.consent.importer import import_csv
from preflight.db import make_engine, make_sessionmaker, transaction
from preflight.models import Base

HEADER = ("phone_number,scope,written,method,captured_at,source,disclosure_text,ip,user_agent,postal_code,"
          "evidence_uri\n")
DISCLOSURE = ("By checking this box I agree to receive recurring marketing texts from Acme Dental at the "
              "number provided. Consent is not a condition of purchase. Msg & data rates may apply. "
              "Reply STOP to cancel, HELP for help.")


def make_csv(rows: int) -> bytes:
    """`rows` valid opt-ins on distinct numbers (mixed scopes), as CSV bytes."""
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    out = io.StringIO()
    out.write(HEADER)
    npas = ("415", "212", "305", "512", "206", "617", "312", "404")
    for i in range(rows):
        number = f"+1{npas[i % len(npas)]}{200 + (i // 10000) % 800}{i % 10000:04d}"
        at = (base + timedelta(seconds=i * 7)).isoformat()
        if i % 3:
            out.write(f'{number},marketing,true,web_form,{at},https://acme.example/join,"{DISCLOSURE}",'
                      f'203.0.113.{i % 250},Mozilla/5.0,94107,https://evidence.example/{i}.png\n')
        else:
            out.write(f"{number},informational,false,paper,{at},front desk,,,,,\n")
    return out.getvalue().encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        now = datetime(2026, 6, 2, 16, 0, tzinfo=timezone.utc)
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        sessions = make_sessionmaker(engine)
        with transaction(sessions) as s:
            ws_id = workspaces.create_workspace(s, "Bench", now).id
        data = make_csv(args.rows)
        print(f"{args.rows} rows, {len(data) / 1e6:.1f} MB CSV")
        for label in ("import", "re-import"):
            started, cpu = time.perf_counter(), time.process_time()
            with transaction(sessions) as s:
                result = import_csv(s, ws_id, io.BytesIO(data), now, "bench")
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(f"{label}: {elapsed:.2f} s wall ({cpu:.2f} s CPU), {args.rows / elapsed:,.0f} rows/s; "
                  f"imported={result.imported} duplicates={result.duplicates} rejected={result.rejected}")
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
