"""Readiness check speed: 200 Messaging Services, 100 ms per Twilio request.

The configured number sits in the last service, so every sender pool is read. The
same account is checked with the configured concurrency (PREFLIGHT_READINESS_CONCURRENCY,
16) and strictly sequentially (1). Target: under 5 s, at least 6x faster than sequential.

    /work/venv/bin/python bench/readiness.py [--services 200] [--latency-ms 100]
"""
from __future__ import annotations

import argparse
import copy
import secrets
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's packages, installed or not

from preflight import create_app, readiness, workspaces
from preflight.connection import set_connection
from preflight.models import Base
from preflight.sandbox import Sandbox, SandboxHttpClient, scenarios


def build_scenario(services: int, latency_ms: int) -> dict:
    """A compliant account whose number is held by the last of `services` services."""
    scenario = scenarios.compliant(latency_ms=latency_ms)
    holder = scenario["services"][0]
    others = [{"sid": scenarios.sid("MG", f"bench-{i}"), "friendly_name": f"Bench service {i}",
               "phone_numbers": [], "campaigns": []} for i in range(services - 1)]
    scenario["services"] = others + [copy.deepcopy(holder)]
    return scenario


def timed_check(scenario: dict, concurrency: int, workdir: Path) -> tuple[float, dict]:
    """Run one readiness check against a fresh app and sandbox; (seconds, result)."""
    sandbox = Sandbox(scenario)
    app = create_app({
        "PREFLIGHT_DATABASE_URL": f"sqlite:///{workdir / f'bench-{concurrency}.sqlite3'}",
        "PREFLIGHT_SECRET_KEY": "bench", "PREFLIGHT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PREFLIGHT_AUDIT_SIGNING_KEY": secrets.token_hex(32), "PREFLIGHT_PUBLIC_URL": "https://preflight.bench",
        "PREFLIGHT_TWILIO_HTTP_CLIENT": SandboxHttpClient(sandbox),
        "PREFLIGHT_READINESS_CONCURRENCY": concurrency,
    })
    rt = app.extensions["preflight"]
    try:
        Base.metadata.create_all(rt.engine)
        with rt.transaction() as s:
            ws = workspaces.create_workspace(s, "Acme Outfitters", rt.now())
            set_connection(s, rt.cipher, ws.id, account_sid=sandbox.account_sid, auth_token=sandbox.auth_token,
                           phone_number=scenario["incoming_phone_numbers"][0]["phone_number"], now=rt.now(),
                           actor="system")
            workspace_id = ws.id
        started = time.perf_counter()
        with rt.transaction() as s:
            result = readiness.run(s, rt, workspace_id, "system")
            data = readiness.to_dict(result.check)
        return time.perf_counter() - started, data
    finally:
        rt.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    scenario = build_scenario(args.services, args.latency_ms)
    with tempfile.TemporaryDirectory() as tmp:
        fast, result = timed_check(scenario, args.concurrency, Path(tmp))
        slow, sequential = timed_check(scenario, 1, Path(tmp))
    for name, data in (("concurrent", result), ("sequential", sequential)):
        if data["checks"][6]["status"] != "pass":  # number.in_messaging_service
            print(f"{name} run did not find the number: {data['status']}", file=sys.stderr)
            return 1
    print(f"{args.services} services, {args.latency_ms} ms per request")
    print(f"concurrency {args.concurrency:>2}: {fast:6.2f} s  ({result['twilio_requests']} Twilio requests, "
          f"status {result['status']})")
    print(f"sequential    : {slow:6.2f} s  ({sequential['twilio_requests']} Twilio requests)")
    speedup = slow / fast
    ok = fast < 5 and speedup >= 6
    print(f"speed-up      : {speedup:.1f}x  -> {'OK' if ok else 'MISSED'} (target: < 5 s and >= 6x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
