"""Bulk dry run through the CLI: 1,000,000 generated recipients, 200,000 of them in
the consent ledger, a marketing message, `preflight campaign preflight` as a
subprocess. Prints wall time and the subprocess's peak RSS.

Recipients are drawn from 20,000 distinct NPA-NXX prefixes over 200 area codes (a
large business's spread; phone data is cached per NPA-NXX, so the number of distinct
prefixes, not of recipients, is what phone parsing costs). 25,000 recipients also
have marketing sends in the last 24 hours, so the history queries return rows.

Usage: python bench/bulk_dry_run.py [--recipients 1000000] [--ledger 200000]
Targets: < 20 s wall, < 500 MB peak RSS.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]  # bench/ shadows packages

from sqlalchemy import insert  # noqa: E402

from preflight import create_app  # noqa: E402
from preflight.gate.places import classify  # noqa: E402
from preflight.models import Base, ContactState, Message  # noqa: E402
from preflight.sandbox import Sandbox, SandboxHttpClient, scenarios  # noqa: E402

FERNET = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="
SIGNING = "11" * 32
BODY = "Acme: spring sale today, 20% off tents. Reply STOP to opt out."
SEND_AT = "2026-06-02T12:00:00-04:00"


def prefixes(rng: random.Random, areas: int = 200, per_area: int = 100) -> list[str]:
    """Valid US NPA-NXX prefixes: `areas` area codes with `per_area` exchanges each."""
    npas, seen = [], set()
    while len(npas) < areas:
        npa = f"{rng.randint(201, 989)}"
        if npa in seen or npa[1:] == "11" or not classify(f"+1{npa}2345678").is_us:
            continue
        seen.add(npa)
        npas.append(npa)
    out = []
    for npa in npas:
        nxxs = rng.sample(range(200, 1000), per_area)
        out.extend(f"{npa}{nxx}" for nxx in nxxs)
    return out


def setup(db_url: str, workdir: str, count: int, ledger: int) -> tuple[str, str]:
    """Schema, workspace, connection, readiness check, ledger rows, history and the CSV."""
    from preflight import workspaces
    from preflight.connection import set_connection
    from preflight.readiness import run_check

    sandbox = Sandbox(scenarios.compliant())
    app = create_app({"PREFLIGHT_DATABASE_URL": db_url, "PREFLIGHT_SECRET_KEY": "bench",
                      "PREFLIGHT_ENCRYPTION_KEYS": FERNET, "PREFLIGHT_AUDIT_SIGNING_KEY": SIGNING,
                      "PREFLIGHT_TWILIO_HTTP_CLIENT": SandboxHttpClient(sandbox)})
    rt = app.extensions["preflight"]
    Base.metadata.drop_all(rt.engine)
    Base.metadata.create_all(rt.engine)
    now = rt.now()
    with rt.transaction() as s:
        ws_id = workspaces.create_workspace(s, "Bench Outfitters", now).id
        set_connection(s, rt.cipher, ws_id, account_sid=sandbox.account_sid, auth_token=sandbox.auth_token,
                       phone_number="+14155550100", now=now, actor="bench")
    with rt.transaction() as s:
        assert run_check(s, rt, ws_id, "bench").complete

    rng = random.Random(7)
    pool = prefixes(rng)
    numbers = list(dict.fromkeys(f"+1{rng.choice(pool)}{rng.randint(0, 9999):04d}" for _ in range(int(count * 1.01))))
    numbers = numbers[:count]
    consented = rng.sample(numbers, ledger)
    send_at = datetime.fromisoformat(SEND_AT)
    with rt.engine.begin() as conn:
        for start in range(0, len(consented), 20_000):
            conn.execute(insert(ContactState), [
                {"workspace_id": ws_id, "phone_number": n, "marketing": True, "informational": False,
                 "opted_out": False, "opted_out_at": None, "last_revoked_scopes": [], "postal_code": None,
                 "updated_at": now} for n in consented[start:start + 20_000]])
        recent = consented[:25_000]
        conn.execute(insert(Message), [
            {"id": f"msg_bench{i:012d}", "workspace_id": ws_id, "to_number": n, "from_number": "+14155550100",
             "body": BODY, "category": "marketing", "decision": "allowed", "status": "delivered", "reasons": [],
             "warnings": [], "segments": 1, "is_us": True, "created_at": send_at - timedelta(hours=h),
             "submitted_at": send_at - timedelta(hours=h), "updated_at": send_at}
            for i, (n, h) in enumerate((n, h) for n in recent for h in (2, 5))])
    path = os.path.join(workdir, "recipients.csv")
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["customer_id", "phone_number", "first_name"])
        for i, n in enumerate(numbers):
            w.writerow([f"C{i:07d}", n, "Sam"])
    rt.close()
    return ws_id, path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=1_000_000)
    parser.add_argument("--ledger", type=int, default=200_000)
    parser.add_argument("--database-url", default=os.environ.get("PREFLIGHT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="preflight-bulk-")
    db_url = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    t0 = time.perf_counter()
    ws_id, path = setup(db_url, workdir, args.recipients, args.ledger)
    print(f"setup: {time.perf_counter() - t0:.1f} s ({args.recipients:,} recipients, {args.ledger:,} in the ledger, "
          f"{db_url.split(':')[0]})")
    out = os.path.join(workdir, "results.csv")
    env = dict(os.environ, PREFLIGHT_DATABASE_URL=db_url, PREFLIGHT_ENCRYPTION_KEYS=FERNET,
               PREFLIGHT_SECRET_KEY="bench", PREFLIGHT_AUDIT_SIGNING_KEY=SIGNING)
    cli = os.path.join(os.path.dirname(sys.executable), "preflight")
    t0 = time.perf_counter()
    proc = subprocess.run([cli, "campaign", "preflight", "--workspace", ws_id, "--recipients", path, "--body", BODY,
                           "--category", "marketing", "--at", SEND_AT, "--out", out],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=False)
    wall = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(proc.stdout.strip())
    if proc.returncode != 0:
        raise SystemExit(f"CLI failed with exit code {proc.returncode}")
    with open(out) as fh:
        rows = sum(1 for _ in fh) - 1
    assert rows == args.recipients, rows
    print(f"wall {wall:.1f} s (target < 20 s: {'met' if wall < 20 else 'MISSED'})   "
          f"peak RSS {peak_mb:.0f} MB (target < 500 MB: {'met' if peak_mb < 500 else 'MISSED'})   "
          f"{args.recipients / wall:,.0f} recipients/s")


if __name__ == "__main__":
    main()
