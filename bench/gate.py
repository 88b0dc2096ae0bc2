"""Latency of one dry-run decision in-process, warm (SQLite by default).

Three figures:
- decide: the decision function over a prepared context (rules only);
- recipient: one recipient through a warm dry run (its consent and history reads +
  decide), i.e. the per-recipient cost of POST /v1/messages/preflight;
- full: a whole one-recipient dry run from scratch (readiness, account facts,
  recipient reads, decide), i.e. what a single POST /v1/messages/preflight pays.

Usage: python bench/gate.py [--n 5000]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

# Run as a script, bench/ is on sys.path and would shadow top-level packages (bench/reports.py).
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

import tempfile  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

from preflight import create_app  # noqa: E402
from preflight.consent.ledger import record_opt_in  # noqa: E402
from preflight.gate.bulk import DryRun  # noqa: E402
from preflight.gate.context import GateContext  # noqa: E402
from preflight.gate.decide import decide  # noqa: E402
from preflight.models import Base  # noqa: E402
from preflight.sandbox import Sandbox, SandboxHttpClient, scenarios  # noqa: E402

FERNET = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="
NOW = datetime(2026, 6, 2, 16, 0, tzinfo=timezone.utc)  # Tuesday, 12:00 Eastern


def make(db_url: str | None = None, sandbox: Sandbox | None = None, clock=None, **overrides):
    """(app, runtime, sandbox, workspace_id) with a connection and a complete readiness check."""
    from preflight import workspaces
    from preflight.connection import set_connection
    from preflight.readiness import run_check

    tmp = tempfile.mkdtemp(prefix="preflight-bench-")
    db_url = db_url or os.environ.get("PREFLIGHT_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    sandbox = sandbox or Sandbox(scenarios.compliant())
    config = {"PREFLIGHT_DATABASE_URL": db_url, "PREFLIGHT_SECRET_KEY": "bench", "PREFLIGHT_ENCRYPTION_KEYS": FERNET,
              "PREFLIGHT_AUDIT_SIGNING_KEY": "11" * 32, "PREFLIGHT_PUBLIC_URL": "https://preflight.bench",
              "PREFLIGHT_CLOCK": clock or (lambda: NOW), "PREFLIGHT_TWILIO_HTTP_CLIENT": SandboxHttpClient(sandbox)}
    config.update(overrides)
    app = create_app(config)
    rt = app.extensions["preflight"]
    Base.metadata.drop_all(rt.engine)
    Base.metadata.create_all(rt.engine)
    with rt.transaction() as s:
        ws = workspaces.create_workspace(s, "Bench Outfitters", rt.now())
        ws_id = ws.id
        set_connection(s, rt.cipher, ws_id, account_sid=sandbox.account_sid, auth_token=sandbox.auth_token,
                       phone_number=sandbox.state.numbers[next(iter(sandbox.state.numbers))]["phone_number"],
                       now=rt.now(), actor="bench")
    with rt.transaction() as s:
        check = run_check(s, rt, ws_id, "bench")
        assert check.complete, check.error
    return app, rt, sandbox, ws_id


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

BODY = "Acme: spring sale today. Reply STOP to opt out."


def timed(fn, n: int) -> list[float]:
    for _ in range(min(200, n)):
        fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, ms: list[float], targets: tuple[float, float] | None = None) -> None:
    p50, p99 = percentile(ms, 50), percentile(ms, 99)
    line = f"{name:<10} p50 {p50:7.3f} ms   p99 {p99:7.3f} ms   (n={len(ms)})"
    if targets:
        line += f"   targets p50 < {targets[0]} ms, p99 < {targets[1]} ms: " + (
            "met" if p50 < targets[0] and p99 < targets[1] else "MISSED")
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    app, rt, _sandbox, ws_id = make()
    numbers = [f"+1305555{i:04d}" for i in range(200)]
    with rt.transaction() as s:
        for number in numbers:
            record_opt_in(s, ws_id, {"phone_number": number, "scope": "marketing", "written": True,
                                     "method": "web_form", "captured_at": "2026-01-05T10:00:00+00:00",
                                     "source": "https://acme.example.com/join",
                                     "disclosure_text": "I agree to receive marketing texts from Acme."},
                          rt.now(), "bench")
    send_at = rt.now()
    session = rt.sessions()
    run = DryRun(session, rt, ws_id, BODY, "marketing", send_at)
    _number, rec, _decision = run.decide_chunk([numbers[0]])[0]
    ctx = GateContext(run.account, run.message, rec, send_at)
    counter = iter(range(10**9))

    def one_recipient():
        run.decide_chunk([numbers[next(counter) % len(numbers)]])
        session.rollback()

    def full():
        s = rt.sessions()
        try:
            DryRun(s, rt, ws_id, BODY, "marketing", send_at).decide_chunk([numbers[next(counter) % len(numbers)]])
        finally:
            s.close()

    print(f"database: {rt.settings['PREFLIGHT_DATABASE_URL'].split(':')[0]}")
    report("decide", timed(lambda: decide(ctx), args.n))
    report("recipient", timed(one_recipient, args.n), (1.0, 3.0))
    report("full", timed(full, max(1000, args.n // 5)))
    session.close()
    rt.close()


if __name__ == "__main__":
    main()
