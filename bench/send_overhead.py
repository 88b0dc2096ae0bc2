"""Send overhead: the same 2,000 sends through POST /v1/messages (gunicorn, 2 workers,
the app configured against `preflight sandbox serve` over loopback through
PREFLIGHT_TWILIO_HOST_MAP) and directly with the twilio library to the same sandbox,
in one run. Prints both throughputs and their ratio (target >= 0.5).

Both sides use the same client concurrency (--concurrency threads, one HTTP session
each). Preflight does per send: authentication, idempotency claim, the decision with
its audit event and Message row (committed), the Twilio create, the outcome commit.
No status callbacks are requested (no public URL), on either side.

The direct side is what an app would write without Preflight: twilio's `Client` with
twilio's own `TwilioHttpClient` (only its URLs rewritten to the sandbox). Preflight
itself talks to Twilio through its leaner `PreflightHttpClient`; `--direct-client
preflight` gives the direct side that client too, for the ratio against the fastest
direct caller we know. Both sides warm up first (100 sends each). Also printed: the
CPU each process spent per send (this bench's client threads, the sandbox, gunicorn
and its workers), from /proc.

Usage: python bench/send_overhead.py [--sends 2000] [--concurrency 8] [--direct-client twilio|preflight]
Database: SQLite file by default, or --database-url / PREFLIGHT_BENCH_DATABASE_URL.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from procstat import cpu_by_command, cpu_seconds  # bench/procstat.py, imported before bench/ leaves sys.path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]  # bench/ shadows packages

import requests  # noqa: E402
from sqlalchemy import insert  # noqa: E402

FERNET = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="
SIGNING = "11" * 32
BODY = "Acme: spring sale today, 20% off tents. Reply STOP to opt out."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def prepare(env: dict, sandbox_url: str, scenario: dict, numbers: list[str]) -> tuple[str, str]:
    """Schema, workspace, sender key, connection, readiness check (over HTTP) and consents."""
    os.environ.update(env)
    from preflight import create_app, workspaces
    from preflight.connection import set_connection
    from preflight.models import Base, ContactState
    from preflight.readiness import run_check

    app = create_app()
    rt = app.extensions["preflight"]
    Base.metadata.drop_all(rt.engine)
    Base.metadata.create_all(rt.engine)
    now = rt.now()
    with rt.transaction() as s:
        ws_id = workspaces.create_workspace(s, "Bench Outfitters", now).id
        _key, secret = workspaces.create_key(s, ws_id, "sender", "bench", now)
        set_connection(s, rt.cipher, ws_id, account_sid=scenario["account"]["sid"],
                       auth_token=scenario["account"]["auth_token"],
                       phone_number=scenario["incoming_phone_numbers"][0]["phone_number"], now=now, actor="bench")
    with rt.transaction() as s:
        check = run_check(s, rt, ws_id, "bench")
        assert check.complete and check.status.startswith("ready"), check.status
    with rt.engine.begin() as conn:
        conn.execute(insert(ContactState), [
            {"workspace_id": ws_id, "phone_number": n, "marketing": True, "informational": True, "opted_out": False,
             "opted_out_at": None, "last_revoked_scopes": [], "postal_code": None, "updated_at": now}
            for n in numbers])
    rt.close()
    return ws_id, secret


def run_pool(fn, items, concurrency: int) -> tuple[float, list]:
    local = threading.local()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda item: fn(local, item), items))
    return time.perf_counter() - t0, results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sends", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default=os.environ.get("PREFLIGHT_BENCH_DATABASE_URL"))
    parser.add_argument("--direct-client", choices=("twilio", "preflight"), default="twilio",
                        help="the direct side's twilio HttpClient: twilio's own (default) or Preflight's")
    parser.add_argument("--worker-class", default="sync",
                        help="gunicorn worker class (sync, the README's default, measured leanest)")
    parser.add_argument("--threads", type=int, default=1,
                        help="gunicorn gthread threads per worker (1 measured best: the GIL and the write lock)")
    args = parser.parse_args()

    from preflight.sandbox import scenarios

    work = tempfile.mkdtemp(prefix="preflight-send-")
    scenario = scenarios.compliant()
    scenario_path = os.path.join(work, "scenario.json")
    with open(scenario_path, "w") as fh:
        json.dump(scenario, fh)
    sandbox_port, app_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    db_url = args.database_url or f"sqlite:///{work}/bench.sqlite3"
    env = {"PREFLIGHT_DATABASE_URL": db_url, "PREFLIGHT_ENCRYPTION_KEYS": FERNET, "PREFLIGHT_SECRET_KEY": "bench",
           "PREFLIGHT_AUDIT_SIGNING_KEY": SIGNING,
           "PREFLIGHT_TWILIO_HOST_MAP": f"api.twilio.com={sandbox_url},messaging.twilio.com={sandbox_url}"}
    full_env = dict(os.environ, **env)
    full_env.pop("PREFLIGHT_PUBLIC_URL", None)
    bindir = os.path.dirname(sys.executable)
    procs = []
    try:
        procs.append(subprocess.Popen([os.path.join(bindir, "preflight"), "sandbox", "serve", "--scenario",
                                       scenario_path, "--port", str(sandbox_port)], env=full_env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(sandbox_url + "/")
        numbers = [f"+1212555{i:04d}" for i in range(args.sends)]
        warm = [f"+1646555{i:04d}" for i in range(100)]
        ws_id, secret = prepare(env, sandbox_url, scenario, numbers + warm)
        procs.append(subprocess.Popen([os.path.join(bindir, "gunicorn"), "-w", "2", "-k", args.worker_class,
                                       "--threads", str(args.threads), "-b", f"127.0.0.1:{app_port}",
                                       "--log-level", "warning", "wsgi:app"], env=full_env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        app_url = f"http://127.0.0.1:{app_port}"
        wait_for(app_url + "/healthz")

        def via_preflight(local, number):
            session = getattr(local, "session", None) or setattr(local, "session", requests.Session()) \
                or local.session
            resp = session.post(app_url + "/v1/messages", json={"to": number, "body": BODY, "category": "marketing"},
                                headers={"Authorization": f"Bearer {secret}", "Idempotency-Key": f"bench-{number}"})
            return resp.status_code

        from twilio.rest import Client

        from twilio.http.http_client import TwilioHttpClient

        from preflight.twilio.http import PreflightHttpClient, map_url

        host_map = {"api.twilio.com": sandbox_url, "messaging.twilio.com": sandbox_url}

        class MappedTwilioHttpClient(TwilioHttpClient):
            """twilio's own client, its URLs sent to the sandbox."""

            def request(self, method, url, *a, **kw):
                return super().request(method, map_url(url, host_map), *a, **kw)

        def make_direct_http_client():
            if args.direct_client == "preflight":
                return PreflightHttpClient(host_map, 10.0)
            return MappedTwilioHttpClient(timeout=10.0)

        def direct(local, number):
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = Client(scenario["account"]["sid"], scenario["account"]["auth_token"],
                                               http_client=make_direct_http_client())
            msg = client.messages.create(to=number, from_=scenario["incoming_phone_numbers"][0]["phone_number"],
                                         body=BODY)
            return 201 if msg.sid else 0

        # Both sides warm up first (imports, phone data, connection pools): 100 sends each.
        run_pool(direct, [n.replace("+1646", "+1347") for n in warm], args.concurrency)
        run_pool(via_preflight, warm, args.concurrency)
        sandbox_pid, app_pid = procs[0].pid, procs[1].pid

        def cpu() -> tuple[float, float, float, float]:
            return (time.process_time(), cpu_seconds(sandbox_pid), cpu_seconds(app_pid),
                    cpu_by_command("postgres"))

        c0 = cpu()
        direct_s, direct_codes = run_pool(direct, [n.replace("+1212", "+1917") for n in numbers], args.concurrency)
        c1 = cpu()
        pre_s, pre_codes = run_pool(via_preflight, numbers, args.concurrency)
        c2 = cpu()
        bad = [c for c in pre_codes if c != 201]
        direct_rps, pre_rps = args.sends / direct_s, args.sends / pre_s
        ratio = pre_rps / direct_rps
        print(f"database: {db_url.split(':')[0]}   sends: {args.sends}   client concurrency: {args.concurrency}")
        print(f"direct twilio -> sandbox:   {direct_s:6.2f} s   {direct_rps:7.1f} sends/s   "
              f"({args.direct_client}'s HttpClient)")
        print(f"POST /v1/messages (2 wkrs): {pre_s:6.2f} s   {pre_rps:7.1f} sends/s   ({len(bad)} not 201)")
        per_send = [[(b - a) * 1000 / args.sends for a, b in zip(x, y)] for x, y in ((c0, c1), (c1, c2))]
        print("CPU ms per send (client, sandbox, gunicorn, postgres): direct {:.2f} {:.2f} {:.2f} {:.2f}   "
              "preflight {:.2f} {:.2f} {:.2f} {:.2f}".format(*per_send[0], *per_send[1]))
        print(f"throughput ratio {ratio:.2f} (target >= 0.5: {'met' if ratio >= 0.5 else 'MISSED'})")
    finally:
        for proc in reversed(procs):
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
