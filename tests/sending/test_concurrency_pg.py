"""Concurrent sends on PostgreSQL: one Idempotency-Key makes exactly one Twilio
message, and the per-workspace lock keeps the frequency cap under races."""
from __future__ import annotations

import os
import threading
from collections import Counter

import pytest

from tests.sending.send_helpers import FL, MARKETING_BODY, NY, consent

pytestmark = pytest.mark.skipif(
    not os.environ.get("PREFLIGHT_TEST_DATABASE_URL"),
    reason="needs PostgreSQL: set PREFLIGHT_TEST_DATABASE_URL (real row locks and concurrent transactions)")


def hammer(app, ws, bodies, key=None, threads=20):
    barrier = threading.Barrier(threads)
    results: list = [None] * threads

    def worker(i):
        client = app.test_client()
        headers = ws.headers("sender")
        if key is not None:
            headers["Idempotency-Key"] = key
        barrier.wait()
        resp = client.post("/v1/messages", headers=headers, json=bodies(i))
        results[i] = (resp.status_code, resp.headers.get("Idempotent-Replayed"), resp.get_json())

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(60)
    return results


def test_twenty_concurrent_requests_with_one_key_send_once(app, client, ready, sandbox):
    sandbox.set_latency(30)  # widen the window in which the first request is in flight
    results = hammer(app, ready, lambda i: {"to": NY, "body": MARKETING_BODY, "category": "marketing"},
                     key="same-key")
    assert len(sandbox.messages) == 1
    statuses = Counter(code for code, _replayed, _body in results)
    assert set(statuses) <= {201, 409}, results
    fresh = [r for r in results if r[0] == 201 and r[1] is None]
    assert len(fresh) == 1
    for code, replayed, body in results:
        if code == 201:
            assert body["twilio_sid"] == fresh[0][2]["twilio_sid"]
        else:
            assert body["error"]["code"] == "idempotency_in_progress"


def test_concurrent_sends_respect_the_frequency_cap(app, client, ready, sandbox):
    consent(client, ready, FL)
    results = hammer(app, ready, lambda i: {"to": FL, "body": MARKETING_BODY + f" #{i}", "category": "marketing"},
                     threads=10)
    codes = Counter(code for code, _r, _b in results)
    assert codes == {201: 3, 422: 7}, results
    assert len(sandbox.messages) == 3
