"""Load on the real stack: gunicorn (2 workers) + PostgreSQL + the sandbox over HTTP.

Everything on 127.0.0.1. The load generator shares the machine's two cores with
gunicorn, PostgreSQL and the sandbox, so the figures are the whole box's. It is wrk
(Debian's `wrk`, C, `--client wrk`, the default when installed): duration-bound runs
(--seconds) over requests built here beforehand (each gated send with its own
Idempotency-Key, each webhook signed), so the client costs little CPU. Without wrk,
or with `--client python`, threads with one requests.Session each send a fixed
number of requests (--requests); that client takes about a core of its own, and
its figures are lower for that reason alone. The fault run always uses the Python
client (it reads every answer).

    /work/venv/bin/python bench/load.py [--client auto|wrk|python] [--seconds 10]
                                        [--db proof_load] [--requests 3000] [--concurrency 16]
                                        [--fault-seconds 60] [--time-cap 120]

Steps: recreate the database, `preflight db upgrade`, seed a workspace (CLI + API:
keys, connection, readiness check, consents), start `preflight sandbox serve` and
`gunicorn -w 2 wsgi:app`; then bounded runs (fixed request counts, a time cap) of the
dry run (1 recipient), the contact read, the gated send (own Idempotency-Key each)
and the signed inbound webhook; then a --fault-seconds send run with the sandbox
failing 5% of message creates with 503, checked for duplicates (the sandbox's message
list vs our rows), lost decisions (every answered request has its Message row) and
the audit chain (`preflight audit verify`). Prints a table and writes JSON (--json).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from procstat import cpu_by_command, cpu_seconds, own_cpu
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PREFLIGHT = str(VENV_BIN / "preflight")
GUNICORN = str(VENV_BIN / "gunicorn")
SCENARIO = ROOT / "preflight" / "sandbox" / "scenarios" / "compliant.json"
FERNET = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="
BODY = "Acme: spring sale today. Reply STOP to opt out."
TARGETS = {"dry run": (800, 50), "contact read": (800, 50), "gated send": (150, 150), "inbound webhook": (400, None),
           "gated send, 5% 503": (None, None)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def cpu_split(stack) -> dict[str, float]:
    """CPU seconds so far of each part of the box's load: the client (this process and
    wrk), gunicorn (master and workers), the sandbox and PostgreSQL's backends."""
    return {"client": own_cpu(), "gunicorn": cpu_seconds(stack.gunicorn_proc.pid),
            "sandbox": cpu_seconds(stack.sandbox_proc.pid), "postgres": cpu_by_command("postgres")}


class Stack:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="preflight-load-"))
        self.port, self.sandbox_port = free_port(), free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.sandbox_base = f"http://127.0.0.1:{self.sandbox_port}"
        self.db_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{args.db}"
        self.env = {**os.environ, "PREFLIGHT_DATABASE_URL": self.db_url, "PREFLIGHT_SECRET_KEY": "load-secret",
                    "PREFLIGHT_ENCRYPTION_KEYS": FERNET, "PREFLIGHT_AUDIT_SIGNING_KEY": "22" * 32,
                    "PREFLIGHT_PUBLIC_URL": self.base,
                    "PREFLIGHT_TWILIO_HOST_MAP": f"api.twilio.com={self.sandbox_base},"
                                                 f"messaging.twilio.com={self.sandbox_base}"}
        self.procs: list[subprocess.Popen] = []
        self.sandbox_proc = None
        self.scenario = json.loads(SCENARIO.read_text())
        self.scenario["latency_ms"] = 0

    def cli(self, *argv) -> str:
        out = subprocess.run([PREFLIGHT, *argv], env=self.env, cwd=ROOT, capture_output=True, text=True)
        if out.returncode not in (0, 1) or (out.returncode == 1 and argv[0] != "audit"):
            raise SystemExit(f"preflight {' '.join(argv)} failed: {out.stdout}\n{out.stderr}")
        return out.stdout

    def start_sandbox(self, faults=()) -> None:
        if self.sandbox_proc is not None:
            self.sandbox_proc.terminate()
            self.sandbox_proc.wait(10)
            self.procs.remove(self.sandbox_proc)
        scenario = dict(self.scenario, faults=list(faults))
        path = self.tmp / f"scenario-{len(faults)}.json"
        path.write_text(json.dumps(scenario))
        self.sandbox_proc = subprocess.Popen(
            [PREFLIGHT, "sandbox", "serve", "--scenario", str(path), "--host", "127.0.0.1",
             "--port", str(self.sandbox_port)], env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
            stderr=open(self.tmp / "sandbox.log", "a"))
        self.procs.append(self.sandbox_proc)
        wait_http(self.sandbox_base + "/")

    def start(self) -> None:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {self.args.db}",
                        "-c", f"CREATE DATABASE {self.args.db}"], check=True, capture_output=True)
        self.cli("db", "upgrade")
        self.start_sandbox()
        gunicorn = subprocess.Popen(
            [GUNICORN, "-w", str(self.args.workers), "-k", self.args.worker_class, "--threads", str(self.args.threads),
             "-b", f"127.0.0.1:{self.port}",
             "--error-logfile", str(self.tmp / "gunicorn.log"),
             "wsgi:app" if (ROOT / "wsgi.py").exists() else "preflight:create_app()"], env=self.env, cwd=ROOT)
        self.procs.append(gunicorn)
        self.gunicorn_proc = gunicorn
        wait_http(self.base + "/healthz")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    def seed(self, recipients: int) -> dict:
        ws = json.loads(self.cli("workspaces", "create", "Load Test Co"))
        keys = {role: json.loads(self.cli("keys", "create", "--workspace", ws["id"], "--role", role))["key"]
                for role in ("admin", "sender")}
        s = requests.Session()
        admin = {"Authorization": f"Bearer {keys['admin']}"}
        account = self.scenario["account"]
        r = s.put(self.base + "/v1/connection", headers=admin, json={
            "account_sid": account["sid"], "auth_token": account["auth_token"],
            "phone_number": self.scenario["incoming_phone_numbers"][0]["phone_number"]})
        r.raise_for_status()
        r = s.post(self.base + "/v1/readiness-checks", headers=admin)
        assert r.status_code == 201, r.text
        numbers = [f"+1212555{1000 + i:04d}" for i in range(recipients)]
        for n in numbers:
            r = s.post(self.base + "/v1/consents", headers={"Authorization": f"Bearer {keys['sender']}"}, json={
                "phone_number": n, "scope": "marketing", "written": True, "method": "web_form",
                "captured_at": "2026-01-05T10:00:00+00:00", "source": "https://acme.example.com/join",
                "disclosure_text": "I agree to receive recurring marketing texts from Acme. Reply STOP to cancel."})
            assert r.status_code == 201, r.text
        return {"workspace": ws["id"], "keys": keys, "numbers": numbers, "token": account["auth_token"],
                "account_sid": account["sid"]}


def run(name, make_request, total: int, concurrency: int, time_cap: float) -> dict:
    """`total` requests from `concurrency` threads (stopping at time_cap); latency per request."""
    counter = iter(range(total))
    lock = threading.Lock()
    latencies, statuses, results = [], {}, []
    deadline = time.monotonic() + time_cap

    def worker():
        session = requests.Session()
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            method, url, kwargs = make_request(i)
            t0 = time.perf_counter()
            try:
                resp = session.request(method, url, timeout=30, **kwargs)
                status = resp.status_code
                body = resp.text
            except requests.RequestException as exc:
                status, body = f"exc:{type(exc).__name__}", ""
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                statuses[status] = statuses.get(status, 0) + 1
                results.append((i, status, body))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [lat[0]] * 99
    out = {"name": name, "requests": len(lat), "seconds": round(wall, 2), "rps": round(len(lat) / wall, 1),
           "p50_ms": round(q[49] * 1000, 1), "p99_ms": round(q[98] * 1000, 1),
           "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)}, "concurrency": concurrency}
    out["_results"] = results
    return out


WRK_SCRIPT = r"""
local reqs = dofile(os.getenv("PREFLIGHT_WRK_REQUESTS"))
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  local n = #reqs
  local tid = wrk.thread:get("id")
  local nthreads = tonumber(os.getenv("PREFLIGHT_WRK_THREADS"))
  -- Each thread walks its own share; past it, it wraps (counted, never silently).
  first = math.floor((tid - 1) * n / nthreads) + 1
  last = math.floor(tid * n / nthreads)
  i = first - 1
  wrapped = 0
  counts = {}
end
function request()
  i = i + 1
  if i > last then i = first; wrapped = wrapped + 1 end
  return reqs[i]
end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local statuses, wraps = {}, 0
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do statuses[tostring(k)] = (statuses[tostring(k)] or 0) + v end
    wraps = wraps + t:get("wrapped")
  end
  local parts = {}
  for k, v in pairs(statuses) do table.insert(parts, string.format('"%s": %d', k, v)) end
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "wrapped": %d, "statuses": {%s}}\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    wraps, table.concat(parts, ", ")))
end
"""


def _lua_string(raw: str) -> str:
    return '"' + raw.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n") + '"'


def raw_request(base: str, method: str, url: str, kwargs: dict) -> str:
    """The request `requests` would send, as bytes on the wire (HTTP/1.1)."""
    prepared = requests.Request(method, url, **kwargs).prepare()
    host = base.split("://", 1)[1]
    path = prepared.path_url
    headers = {"Host": host, **{k: v for k, v in prepared.headers.items()}}
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    if body:
        headers["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head + body.decode()


def run_wrk(name, make_request, count: int, concurrency: int, seconds: float, base: str, tmp: Path) -> dict:
    """A duration-bound wrk run over `count` pre-built requests (a thread that uses up
    its share starts it again; the figures say how often)."""
    threads = min(2, concurrency)
    req_file, script = tmp / f"{name.replace(' ', '_')}.lua", tmp / "wrk_driver.lua"
    with open(req_file, "w") as fh:
        fh.write("return {\n")
        for i in range(count):
            method, url, kwargs = make_request(i)
            fh.write(_lua_string(raw_request(base, method, url, kwargs)) + ",\n")
        fh.write("}\n")
    script.write_text(WRK_SCRIPT)
    env = {**os.environ, "PREFLIGHT_WRK_REQUESTS": str(req_file), "PREFLIGHT_WRK_THREADS": str(threads)}
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(concurrency), "-d", f"{int(seconds)}s", "--timeout", "30s",
                          "-s", str(script), base + "/"], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"wrk failed: {out.stdout}\n{out.stderr}")
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("WRK "))
    got = json.loads(line[4:])
    secs = got["duration_us"] / 1e6
    return {"name": name, "requests": got["requests"], "seconds": round(secs, 2),
            "rps": round(got["requests"] / secs, 1), "p50_ms": round(got["p50_us"] / 1000, 1),
            "p99_ms": round(got["p99_us"] / 1000, 1), "statuses": dict(sorted(got["statuses"].items())),
            "socket_errors": got["errors"], "wrapped": got["wrapped"], "concurrency": concurrency,
            "client": "wrk"}


def run_open(name, make_request, rate: float, seconds: float, max_in_flight: int = 64) -> dict:
    """Open loop: request i is due at t0 + i / rate whether or not earlier ones have
    answered, and its latency counts from when it was due (so a stall is charged to
    every request it delayed, not hidden by a closed loop slowing down)."""
    from concurrent.futures import ThreadPoolExecutor

    local = threading.local()
    total = int(rate * seconds)
    latencies, statuses, lock = [], {}, threading.Lock()

    def job(i, due):
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        method, url, kwargs = make_request(i)
        try:
            status = session.request(method, url, timeout=30, **kwargs).status_code
        except requests.RequestException as exc:
            status = f"exc:{type(exc).__name__}"
        done = time.perf_counter()
        with lock:
            latencies.append(done - due)
            statuses[status] = statuses.get(status, 0) + 1
        return done

    with ThreadPoolExecutor(max_in_flight) as pool:
        t0 = time.perf_counter() + 0.2
        futures = []
        for i in range(total):
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(job, i, due))
        end = max(f.result() for f in futures)
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100)
    return {"name": name, "requests": total, "offered_rps": rate, "seconds": round(end - t0, 2),
            "rps": round(total / (end - t0), 1), "p50_ms": round(q[49] * 1000, 1), "p99_ms": round(q[98] * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1), "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
            "client": "python, open loop"}


def sandbox_messages(stack: Stack, seed: dict) -> list[dict]:
    auth = (seed["account_sid"], seed["token"])
    url = f"{stack.sandbox_base}/2010-04-01/Accounts/{seed['account_sid']}/Messages.json?PageSize=1000"
    items = []
    while url:
        page = requests.get(url, auth=auth, timeout=30).json()
        items += page["messages"]
        nxt = page.get("next_page_uri")
        url = stack.sandbox_base + nxt if nxt else None
    return items


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--client", choices=("auto", "wrk", "python"), default="auto",
                   help="load generator: wrk when installed (auto), or Python threads")
    p.add_argument("--seconds", type=float, default=10, help="length of each wrk run")
    p.add_argument("--db", default="proof_load")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync, gthread)")
    p.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    p.add_argument("--requests", type=int, default=3000)
    p.add_argument("--send-requests", type=int, default=1500)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--time-cap", type=float, default=120)
    p.add_argument("--fault-seconds", type=float, default=60)
    p.add_argument("--recipients", type=int, default=200)
    p.add_argument("--json", default=None, help="write the figures here")
    p.add_argument("--open-rate", type=float, default=150,
                   help="also offer gated sends at this fixed rate (open loop; 0: skip)")
    p.add_argument("--open-seconds", type=float, default=20)
    p.add_argument("--only", default=None, help="comma-separated run names (e.g. 'dry run,contact read')")
    p.add_argument("--py-spy", dest="py_spy", default=None,
                   help="directory: profile the gunicorn workers with py-spy during each run (collapsed stacks)")
    args = p.parse_args()
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk") is not None)
    if args.client == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    stack = Stack(args)
    figures = []
    try:
        stack.start()
        seed = stack.seed(args.recipients)
        print(f"stack up: gunicorn {stack.base} ({args.workers} workers), sandbox {stack.sandbox_base}, "
              f"db {args.db}; {len(seed['numbers'])} consented recipients", flush=True)
        sender = {"Authorization": f"Bearer {seed['keys']['sender']}"}
        numbers = seed["numbers"]
        validator = RequestValidator(seed["token"])
        inbound_path = f"/webhooks/twilio/{seed['workspace']}/inbound"

        def dry(i):
            return "POST", stack.base + "/v1/messages/preflight", {"headers": sender, "json": {
                "recipients": [numbers[i % len(numbers)]], "body": BODY, "category": "marketing"}}

        def contact(i):
            return "GET", f"{stack.base}/v1/contacts/{numbers[i % len(numbers)]}", {"headers": sender}

        def send(i, tag="s"):
            return "POST", stack.base + "/v1/messages", {
                "headers": {**sender, "Idempotency-Key": f"{tag}-{i}-{uuid.uuid4().hex[:8]}"},
                "json": {"to": numbers[i % len(numbers)], "body": f"{BODY} [{tag}{i}]", "category": "informational"}}

        def inbound(i):
            params = {"MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": seed["account_sid"],
                      "From": numbers[i % len(numbers)], "To": "+14155550100", "Body": f"thanks {i}"}
            sig = validator.compute_signature(stack.base + inbound_path, params)
            return "POST", stack.base + inbound_path, {"data": params, "headers": {"X-Twilio-Signature": sig}}

        # Warm-up (connections, caches), not measured.
        run("warm-up", dry, 200, args.concurrency, 30)
        only = set(args.only.split(",")) if args.only else None
        for name, fn, n in (("dry run", dry, args.requests), ("contact read", contact, args.requests),
                            ("gated send", send, args.send_requests), ("inbound webhook", inbound, args.requests)):
            if only and name not in only:
                continue
            spy = None
            if args.py_spy:
                Path(args.py_spy).mkdir(parents=True, exist_ok=True)
                spy = subprocess.Popen([str(VENV_BIN / "py-spy"), "record", "--subprocesses", "--nonblocking",
                                        "-r", "200", "-f", "raw", "-o",
                                        str(Path(args.py_spy) / (name.replace(" ", "_") + ".txt")),
                                        "--pid", str(stack.procs[-1].pid)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1)
            cpu_before = cpu_split(stack)
            if use_wrk:
                # Enough distinct requests for the run at well over the targets.
                fig = run_wrk(name, fn, max(n, int(args.seconds * 1200)), args.concurrency, args.seconds,
                              stack.base, stack.tmp)
            else:
                fig = run(name, fn, n, args.concurrency, args.time_cap)
                fig["client"] = "python"
            if spy is not None:
                spy.send_signal(2)
                spy.wait(30)
            fig["cpu_ms_per_request"] = {
                part: round((after - before) * 1000 / max(1, fig["requests"]), 2)
                for (part, before), after in zip(cpu_before.items(), cpu_split(stack).values())}
            fig.pop("_results", None)
            figures.append(fig)
            print(json.dumps(fig), flush=True)

        if args.open_rate > 0 and (not only or "open loop" in only):
            fig = run_open(f"gated send, open loop at {args.open_rate:g}/s", lambda i: send(i, "o"),
                           args.open_rate, args.open_seconds)
            figures.append(fig)
            print(json.dumps(fig), flush=True)

        if args.fault_seconds <= 0:
            return 0
        # The fault run: 5% of message creates answer 503 (every 20th).
        before = len(sandbox_messages(stack, seed))
        stack.start_sandbox(faults=[{"method": "POST", "path_regex": "/Messages.json$", "status": 503,
                                     "after": 20 * k + 19, "count": 1} for k in range(1500)])
        fig = run("gated send, 5% 503", lambda i: send(i, "f"), 10**9, args.concurrency, args.fault_seconds)
        results = fig.pop("_results")
        time.sleep(3)  # let the sandbox's status callbacks drain
        held = sandbox_messages(stack, seed)  # the restarted sandbox holds only this run's messages
        from sqlalchemy import create_engine, text

        engine = create_engine(stack.db_url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, body, status, twilio_sid, decision FROM messages "
                                     "WHERE body LIKE :p"), {"p": "%[f%"}).all()
        engine.dispose()
        answered_ids = set()
        unanswered = 0
        for _i, status, body in results:
            try:
                data = json.loads(body)
                mid = data.get("id") or data["error"]["details"].get("message_id")
            except (ValueError, KeyError, TypeError, AttributeError):
                mid = None
            if mid:
                answered_ids.add(mid)
            else:
                unanswered += 1
        row_ids = {r.id for r in rows}
        bodies_at_twilio = [m["body"] for m in held]
        dupes = len(bodies_at_twilio) - len(set(bodies_at_twilio))
        ours_sent = {r.twilio_sid for r in rows if r.twilio_sid}
        twilio_sids = {m["sid"] for m in held}
        verify = subprocess.run([PREFLIGHT, "audit", "verify", "--workspace", seed["workspace"]], env=stack.env,
                                cwd=ROOT, capture_output=True, text=True)
        fig.update({
            "sandbox_messages_before": before, "sandbox_messages": len(held), "duplicates_at_twilio": dupes,
            "message_rows": len(rows), "rows_with_sid": len(ours_sent),
            "sandbox_sids_without_row": len(twilio_sids - ours_sent),
            "answered_without_row": len(answered_ids - row_ids), "responses_without_message_id": unanswered,
            "statuses_in_db": dict(sorted({s: sum(1 for r in rows if r.status == s)
                                           for s in {r.status for r in rows}}.items())),
            "audit_verify": f"exit {verify.returncode}: " + " ".join(verify.stdout.split())[:200],
        })
        figures.append(fig)
        print(json.dumps(fig), flush=True)
    finally:
        stack.stop()

    print("\n| run | requests | req/s | p50 ms | p99 ms | target | met | statuses |")
    print("|---|---|---|---|---|---|---|---|")
    for f in figures:
        rps_t, p99_t = TARGETS.get(f["name"], (None, None))
        target = " & ".join(x for x in ((f">= {rps_t}/s" if rps_t else ""), (f"p99 < {p99_t} ms" if p99_t else "")) if x)
        met = (rps_t is None or f["rps"] >= rps_t) and (p99_t is None or f["p99_ms"] < p99_t)
        print(f"| {f['name']} | {f['requests']} | {f['rps']} | {f['p50_ms']} | {f['p99_ms']} | {target or '-'} | "
              f"{'yes' if met else 'NO' if target else '-'} | {f['statuses']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
