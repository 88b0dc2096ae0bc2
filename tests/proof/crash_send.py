"""Run one POST /v1/messages in a fresh process and kill the process (os._exit(17)) at a
named step of the send. Used by test_crash.py; configuration comes from PREFLIGHT_*
environment variables (database, keys, PREFLIGHT_TWILIO_HOST_MAP to an HTTP sandbox).

usage: python crash_send.py STEP API_KEY IDEMPOTENCY_KEY TO BODY
STEP: after_claim | after_decision | after_twilio | before_final_commit | none
"""
from __future__ import annotations

import json
import os
import sys


def die(*_args, **_kwargs):
    sys.stdout.flush()
    os._exit(17)  # distinguishable from an exception (exit 1)


def main() -> int:
    step, api_key, idem_key, to, body = sys.argv[1:6]
    from preflight import create_app
    from preflight.sending import idempotency, outcome, submit

    if step == "after_claim":
        original = idempotency.claim

        def claim(*args, **kwargs):
            original(*args, **kwargs)
            die()
        idempotency.claim = claim
    elif step == "after_decision":
        original_decide = submit.record_decision

        def record_decision(*args, **kwargs):
            original_decide(*args, **kwargs)
            die()
        submit.record_decision = record_decision
    elif step == "after_twilio":
        original_call = submit.call_twilio

        def call_twilio(*args, **kwargs):
            result = original_call(*args, **kwargs)
            print(json.dumps({"twilio": bool(result.resource)}), flush=True)
            die()
        submit.call_twilio = call_twilio
    elif step == "before_final_commit":
        # idempotency.store is the last statement of outcome.record's transaction:
        # the message row and its audit event are written, not yet committed.
        def store(*args, **kwargs):
            die()
        outcome.idempotency.store = store
    elif step != "none":
        raise SystemExit(f"unknown step {step}")

    app = create_app()
    resp = app.test_client().post("/v1/messages", headers={"Authorization": f"Bearer {api_key}",
                                                           "Idempotency-Key": idem_key},
                                  json={"to": to, "body": body, "category": "marketing"})
    print(json.dumps({"status": resp.status_code, "body": resp.get_json()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
