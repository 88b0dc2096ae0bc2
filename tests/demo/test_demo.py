"""`preflight demo` end to end: served over loopback, answering /healthz, with an admin key
that sets a connection and reads it back masked; `preflight check` from another process
against the demo's simulated Twilio shows one workspace ready and one not ready."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import TEST_FERNET_KEY, TEST_SIGNING_KEY

pytestmark = pytest.mark.skipif(bool(os.environ.get("PREFLIGHT_TEST_DATABASE_URL")),
                                reason="the demo is SQLite-only by design; it runs in the SQLite pass")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFLIGHT_", "TWILIO_"))}
    env.update(PREFLIGHT_ENCRYPTION_KEYS=TEST_FERNET_KEY, PREFLIGHT_SECRET_KEY="demo-test",
               PREFLIGHT_AUDIT_SIGNING_KEY=TEST_SIGNING_KEY, **extra)
    return env


def _preflight(*args, env):
    return subprocess.run([sys.executable, "-m", "preflight.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_demo_serves_and_check_runs_against_its_sandbox(tmp_path):
    port, sandbox_port = _free_port(), _free_port()
    db = tmp_path / "demo.sqlite3"
    proc = subprocess.Popen([sys.executable, "-m", "preflight.cli", "demo", "--port", str(port),
                             "--sandbox-port", str(sandbox_port), "--db", str(db)],
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            output.append(line)
            if line.startswith("Serving on"):
                break
        text = "".join(output)
        assert "Serving on" in text, text
        base = f"http://127.0.0.1:{port}"
        assert requests.get(f"{base}/healthz", timeout=5).json() == {"status": "ok", "database": "ok"}
        blocks = re.findall(r"^\{.*?^\}", text, flags=re.S | re.M)
        acme, blue = (json.loads(b) for b in blocks[:2])
        host_map = (f"api.twilio.com=http://127.0.0.1:{sandbox_port},"
                    f"messaging.twilio.com=http://127.0.0.1:{sandbox_port}")
        env = _env(PREFLIGHT_DATABASE_URL=f"sqlite:///{db}", PREFLIGHT_TWILIO_HOST_MAP=host_map)
        acme_check = _preflight("check", "--workspace", acme["workspace"]["id"], env=env)
        assert acme_check.returncode == 0, acme_check.stdout + acme_check.stderr
        blue_check = _preflight("check", "--workspace", blue["workspace"]["id"], env=env)
        assert blue_check.returncode == 1, blue_check.stdout + blue_check.stderr
        assert "campaign" in blue_check.stdout.lower() and "IN_PROGRESS" in blue_check.stdout
        admin = {"Authorization": f"Bearer {acme['keys']['admin']}"}
        token = "f" * 28 + "abcd"
        put = requests.put(f"{base}/v1/connection", headers=admin, timeout=5, json={
            "account_sid": "AC" + "1" * 32, "auth_token": token, "phone_number": "+14155550100"})
        assert put.status_code == 200, put.text
        got = requests.get(f"{base}/v1/connection", headers=admin, timeout=5)
        assert got.json()["auth_token_last4"] == "abcd" and token not in got.text

        contact = requests.get(f"{base}/v1/contacts/+14045550111", headers=admin, timeout=5).json()
        assert contact["state"]["opted_out"] is True  # the seeded STOP reply
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()


def test_demo_seed_only_prints_keys_and_ready_states(tmp_path):
    out = _preflight("demo", "--seed-only", "--db", str(tmp_path / "d.sqlite3"), env=_env())
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Acme Outfitters: readiness ready" in out.stdout
    assert "Bluebird Bakery: readiness not_ready" in out.stdout
    assert "console_users" in out.stdout
