"""Benchmark: the audit report, the readiness report and the messages CSV export over
1,000,000 recorded decisions (each with its audit event, so the report's chain check
walks a million-event chain).

    python bench/reports.py [--rows N]
    PREFLIGHT_BENCH_DATABASE_URL=postgresql+psycopg://... python bench/reports.py

SQLite (a file in a temp dir) by default; PostgreSQL when the URL is set (its tables
are dropped and recreated: give it a scratch database). Data is generated straight into
the tables with executemany (SQLite) or COPY (PostgreSQL). Prints wall time, peak RSS
(getrusage) and current RSS before/after each step. Targets: audit report < 10 s,
readiness report < 2 s, CSV export < 20 s with flat memory.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

import preflight.audit.triggers  # noqa: E402,F401
from preflight import create_app, workspaces  # noqa: E402
from preflight.audit.chain import canonical_json, format_time  # noqa: E402
from preflight.audit.verify import fast_canonical_event  # noqa: E402
from preflight.models import Base  # noqa: E402

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc)
START = NOW - timedelta(days=30)
BATCH = 50_000
REASONS = ("quiet_hours", "no_consent", "opted_out", "frequency_cap", "quiet_hours;no_consent",
           "campaign_not_verified", "content_missing_opt_out")
STATUSES = ("delivered", "delivered", "delivered", "sent", "undelivered", "failed")
MSG_COLS = ("id", "workspace_id", "to_number", "from_number", "body", "category", "decision", "status", "reasons",
            "warnings", "reason_codes", "segments", "is_us", "twilio_sid", "error_code", "actor", "created_at",
            "submitted_at", "updated_at")
AUDIT_COLS = ("workspace_id", "seq", "occurred_at", "actor", "action", "subject", "data", "prev_hash", "hash")


def rss_mb() -> float:
    """Current resident set size in MiB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(rt, workspace_id: str, rows: int, head: tuple[int, str]) -> None:
    """Insert `rows` decisions over 30 days, one audit event each, a consent ledger and readiness runs."""
    url = rt.settings["PREFLIGHT_DATABASE_URL"]
    sqlite = url.startswith("sqlite")
    seq, prev = head
    step = (NOW - START) / rows
    raw = rt.engine.raw_connection()
    try:
        cur = raw.cursor()
        if sqlite:
            cur.execute("BEGIN")  # the service's connections run in autocommit mode between BEGINs
        for lo in range(0, rows, BATCH):
            messages, events = [], []
            for i in range(lo, min(rows, lo + BATCH)):
                created = START + step * i
                blocked = i % 5 == 0
                sid = None if blocked else f"SM{i:032d}"
                when = _sqlite_time(created) if sqlite else created.replace(tzinfo=None)
                mid = f"msg_{i:024d}"
                messages.append((
                    mid, workspace_id, f"+1415{i % 10_000_000:07d}", "+14155550100",
                    "Your appointment is tomorrow at 10. Reply STOP to opt out.",
                    "marketing" if i % 3 else "informational", "blocked" if blocked else "allowed",
                    "blocked" if blocked else STATUSES[i % len(STATUSES)], "[]", "[]",
                    REASONS[i % len(REASONS)] if blocked else None, 1, True, sid,
                    "30034" if not blocked and STATUSES[i % len(STATUSES)] == "undelivered" else None,
                    "key_bench", when, None if blocked else when, when))
                seq += 1
                data = canonical_json({"message_id": mid, "decision": "blocked" if blocked else "allowed"})
                digest = hashlib.sha256(fast_canonical_event(workspace_id, seq, format_time(created), "key_bench",
                                                             "message.decided", mid, data, prev)).hexdigest()
                events.append((workspace_id, seq, when, "key_bench", "message.decided", mid, data, prev, digest))
                prev = digest
            if sqlite:
                cur.executemany(f"INSERT INTO messages ({','.join(MSG_COLS)}) VALUES ({','.join('?' * len(MSG_COLS))})",
                                messages)
                cur.executemany(f"INSERT INTO audit_events ({','.join(AUDIT_COLS)}) "
                                f"VALUES ({','.join('?' * len(AUDIT_COLS))})", events)
            else:
                with cur.copy(f"COPY messages ({','.join(MSG_COLS)}) FROM STDIN") as copy:
                    for row in messages:
                        copy.write_row(row)
                with cur.copy(f"COPY audit_events ({','.join(AUDIT_COLS)}) FROM STDIN") as copy:
                    for row in events:
                        copy.write_row(row)
        raw.commit()
        cur.close()
    finally:
        raw.close()
    with rt.transaction() as s:
        s.execute(text("UPDATE audit_heads SET seq = :s, hash = :h WHERE workspace_id = :w"),
                  {"s": seq, "h": prev, "w": workspace_id})
        _ledger_and_readiness(s, workspace_id)


def _ledger_and_readiness(s, workspace_id: str) -> None:
    from preflight.models import ConsentEvent, ReadinessCheck

    base = dict(workspace_id=workspace_id, scope=None, scopes=[], written=None, method=None, channel=None,
                disclosure_text=None, text=None)
    events = []
    for i in range(20_000):
        at = START + timedelta(minutes=2 * i)
        phone = f"+1415{i:07d}"
        events.append({**base, "phone_number": phone, "kind": "opt_in", "scope": "marketing", "written": True,
                       "method": ("web_form", "paper", "keyword")[i % 3], "occurred_at": at, "recorded_at": at,
                       "disclosure_text": "Acme texts. Reply STOP to cancel."})
        if i % 10 == 0:
            out = at + timedelta(hours=1)
            events.append({**base, "phone_number": phone, "kind": "opt_out", "scopes": ["marketing"],
                           "channel": "sms", "occurred_at": out, "recorded_at": out + timedelta(seconds=i % 7),
                           "text": "STOP"})
    s.execute(ConsentEvent.__table__.insert(), events)
    checks = [{"id": cid, "status": st, "title": cid, "detail": "", "remediation": "Fix it.", "prevents": ["30034"],
               "evidence": {"status": st}}
              for cid, st in (("credentials.valid", "pass"), ("account.active", "pass"), ("number.owned", "pass"),
                              ("campaign.verified", "fail"), ("brand.approved", "skip"))]
    chain = {"account": {"sid": "AC" + "1" * 32}, "number": {"sid": "PN" + "2" * 32},
             "messaging_service": {"sid": "MG" + "3" * 32}, "campaign": {"sid": "QE" + "4" * 32},
             "brand": {"sid": "BN" + "5" * 32}}
    for i in range(120):
        done = START + timedelta(hours=6 * i)
        s.add(ReadinessCheck(id=f"rc_bench_{i:03d}", workspace_id=workspace_id, status="not_ready", complete=True,
                             started_at=done - timedelta(seconds=3), finished_at=done, twilio_requests=7,
                             chain=chain, checks=checks, account_sid="AC" + "1" * 32))


def timed(label: str, fn):
    """Run fn; print wall and CPU seconds (CPU shows the cost when the machine is shared) and memory."""
    before = rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{label:<28} wall {wall:7.2f} s  cpu {cpu:7.2f} s   RSS {before:6.1f} -> {rss_mb():6.1f} MiB"
          f"   peak {peak_mb():6.1f} MiB", flush=True)
    return result, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="preflight-bench-")
    url = os.environ.get("PREFLIGHT_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"
    app = create_app({"PREFLIGHT_DATABASE_URL": url, "PREFLIGHT_SECRET_KEY": "bench",
                      "PREFLIGHT_ENCRYPTION_KEYS": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=",
                      "PREFLIGHT_AUDIT_SIGNING_KEY": "11" * 32, "PREFLIGHT_CLOCK": lambda: NOW})
    rt = app.extensions["preflight"]
    if not url.startswith("sqlite"):
        Base.metadata.drop_all(rt.engine)
    Base.metadata.create_all(rt.engine)
    with rt.transaction() as s:
        ws = workspaces.create_workspace(s, "Bench Co", NOW)
        workspace_id = ws.id
    print(f"database: {rt.engine.dialect.name}, {args.rows:,} decisions + {args.rows:,} audit events")
    with rt.sessions() as s:
        from preflight.models import AuditHead
        head = s.get(AuditHead, workspace_id)
        head = (head.seq, head.hash)
    timed("generate data", lambda: generate(rt, workspace_id, args.rows, head))
    if url.startswith("postgresql"):
        with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))

    import reports

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        for name, fn in (("audit", lambda: reports.build_audit_report(rt, workspace_id, START, NOW)),
                         ("csv", lambda: sum(len(c) for c in reports.messages_csv(rt, workspace_id, START, NOW)))):
            prof = cProfile.Profile()
            prof.runcall(fn)
            print(f"--- profile: {name}")
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    _, readiness_wall = timed("readiness report (PDF)",
                              lambda: reports.build_readiness_report(rt, workspace_id, "latest"))
    report, audit_wall = timed("audit report (PDF)", lambda: reports.build_audit_report(rt, workspace_id, START, NOW))
    d = report.data
    print(f"  decisions {d['decisions']['total']:,}, chain intact={d['chain']['intact']} over "
          f"{d['chain']['events']:,} events, PDF {len(report.pdf):,} bytes")

    def export():
        size = rows = 0
        for chunk in reports.messages_csv(rt, workspace_id, START, NOW + timedelta(seconds=1)):
            size += len(chunk)
            rows += chunk.count("\r\n")
        return size, rows - 1

    (size, rows), csv_wall = timed("messages CSV export", export)
    print(f"  {rows:,} rows, {size / 2**20:,.1f} MiB of CSV")

    # The console's audit page: a full walk, then (after a few more events) a walk
    # resumed from the head the full one reached.
    from preflight.audit import append, verify_chain

    with rt.read_session() as s:
        full, full_wall = timed("audit chain, full walk", lambda: verify_chain(s, workspace_id))
    for i in range(10):
        with rt.transaction() as s:
            append(s, workspace_id=workspace_id, actor="bench", action="bench.event", subject=str(i), data={},
                   now=NOW)
    with rt.read_session() as s:
        resumed, resumed_wall = timed("audit chain, resumed walk (10 new events)", lambda: verify_chain(
            s, workspace_id, resume=(full["head"]["seq"], full["head"]["hash"])))
    print(f"  full: {full['events']:,} events, intact={full['intact']}; resumed: {resumed['events']} events, "
          f"intact={resumed['intact']}")
    print(f"targets: audit {audit_wall:.2f}/10 s, readiness {readiness_wall:.2f}/2 s, csv {csv_wall:.2f}/20 s")
    rt.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
