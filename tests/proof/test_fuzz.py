"""Fuzzing every /v1 operation from the service's own OpenAPI document (schemathesis,
in-process over WSGI), with a key of each role and with none.

Checks on every response: not a server error (no 5xx; the catch-all's 503
`internal_error` is a 5xx too), the body matches the documented schema, the status is
documented, the content type is documented; without a key every /v1 operation answers
401; no "unhandled error" is logged.

Quick profile (default): FUZZ_EXAMPLES per operation, derandomized (deterministic in CI).
Deep profile: PREFLIGHT_FUZZ_DEEP=1 (500 examples per operation and generation mode;
PREFLIGHT_FUZZ_EXAMPLES=N overrides). Figures go to PREFLIGHT_FUZZ_REPORT (a JSON file) when set.
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from sqlalchemy import create_engine, text

from preflight.api import blueprints
from preflight.api.registry import OPERATIONS
from preflight.models import Base
from tests.conftest import PG_URL, Clock, make_app, make_workspace

from .helpers import connect, seed

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance, response_schema_conformance, status_code_conformance)

DEEP = os.environ.get("PREFLIGHT_FUZZ_DEEP") == "1"
EXAMPLES = int(os.environ.get("PREFLIGHT_FUZZ_EXAMPLES") or (500 if DEEP else 6))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
AUTHS = ("admin", "compliance", "sender", None)

blueprints()
LABELS = sorted({(op.method.upper(), "/v1" + op.path) for op in OPERATIONS} | {("GET", "/healthz")})
STATS: dict = {}

# Inputs that get past validation into the gate, the ledger and the send path (the
# schema's own generators mostly produce strings that are not phone numbers).
phones = st.one_of(
    st.from_regex(r"\A\+1(212|305|512|405|410|702|860|415|800|888|500|416|604)[2-9][0-9]{6}\Z"),
    st.sampled_from(["+12125550123", "+12125550188", "+447700900123", "+61491570156", "+1212555012",
                     "2125550123", "+1 (212) 555-0123", "+0000", "", " ", "+12125550123\x00"]),
    st.text(max_size=20))
bodies = st.one_of(
    st.sampled_from(["Acme: sale today. Reply STOP to opt out.", "Your code is 123456",
                     "See http://bit.ly/x now", "Call 212-555-0100 about your order", "CBD deals! Reply STOP",
                     "x" * 1600, "\u00e9\u4e2d\U0001F600 Reply STOP"]),
    st.text(min_size=1, max_size=400))
categories = st.one_of(st.sampled_from(["marketing", "informational", "security"]), st.text(max_size=12))
instants = st.one_of(
    st.datetimes(timezones=st.timezones(), min_value=__import__("datetime").datetime(2000, 1, 1),
                 max_value=__import__("datetime").datetime(2100, 1, 1)).map(lambda d: d.isoformat()),
    st.sampled_from(["2026-06-02T16:00:00+00:00", "2026-06-07T09:00:00-05:00", "2026-06-02", "not a date",
                     "2026-06-02T16:00:00", "9999-12-31T23:59:59+14:00"]))
SEMANTIC = {
    ("POST", "/v1/messages"): st.fixed_dictionaries(
        {"body": st.fixed_dictionaries({"to": phones, "body": bodies, "category": categories}),
         "headers": st.one_of(st.just({}), st.fixed_dictionaries(
             {"Idempotency-Key": st.text(alphabet="abcdefgh-0123456789", min_size=1, max_size=12)}))}),
    ("POST", "/v1/messages/preflight"): st.fixed_dictionaries(
        {"body": st.fixed_dictionaries({"recipients": st.lists(phones, min_size=1, max_size=20), "body": bodies,
                                        "category": categories},
                                       optional={"send_at": st.one_of(st.none(), instants)})}),
    ("POST", "/v1/consents"): st.fixed_dictionaries({"body": st.fixed_dictionaries(
        {"phone_number": phones, "scope": st.sampled_from(["marketing", "informational", "other"]),
         "written": st.booleans(), "method": st.sampled_from(["web_form", "keyword", "paper", "verbal", "x"]),
         "captured_at": instants, "source": st.text(min_size=1, max_size=50)},
        optional={"disclosure_text": st.one_of(st.none(), st.text(max_size=200)),
                  "postal_code": st.one_of(st.none(), st.from_regex(r"\A[0-9]{5}\Z"), st.text(max_size=8)),
                  "ip": st.one_of(st.none(), st.ip_addresses().map(str), st.text(max_size=8))})}),
    ("POST", "/v1/opt-outs"): st.fixed_dictionaries({"body": st.fixed_dictionaries(
        {"phone_number": phones, "channel": st.sampled_from(["sms", "email", "phone", "web", "twilio", "x"])},
        optional={"text": st.one_of(st.none(), st.text(max_size=50)),
                  "received_at": st.one_of(st.none(), instants)})}),
    ("PUT", "/v1/connection"): st.fixed_dictionaries({"body": st.fixed_dictionaries(
        {"account_sid": st.one_of(st.from_regex(r"\AAC[0-9a-f]{32}\Z"), st.text(max_size=40)),
         "auth_token": st.one_of(st.from_regex(r"\A[0-9a-f]{32}\Z"), st.text(max_size=40)),
         "phone_number": phones})}),
    ("GET", "/v1/messages"): st.fixed_dictionaries({"query": st.fixed_dictionaries({}, optional={
        "from": instants, "to": instants, "decision": st.sampled_from(["allowed", "blocked", "x"]),
        "reason": st.sampled_from(["opted_out", "quiet_hours", "%", "_"]), "phone_number": phones,
        "limit": st.integers(-5, 600).map(str), "cursor": st.text(max_size=30)})}),
    ("GET", "/v1/exports/messages.csv"): st.fixed_dictionaries({"query": st.fixed_dictionaries({}, optional={
        "from": instants, "to": instants, "phone_number": phones})}),
    ("GET", "/v1/reports/audit.pdf"): st.fixed_dictionaries({"query": st.fixed_dictionaries({}, optional={
        "from": instants, "to": instants})}),
}


@pytest.fixture(scope="module")
def fuzz_env(tmp_path_factory):
    """One app for the whole module, seeded with a workspace holding rows of every kind."""
    from datetime import datetime, timezone

    from preflight.sandbox import Sandbox, scenarios

    clock = Clock(datetime(2026, 6, 2, 16, 0, tzinfo=timezone.utc))
    scenario = scenarios.compliant()
    sandbox = Sandbox(scenario, callback_sender=lambda url, params, headers: None, clock=clock)
    if PG_URL:
        engine = create_engine(PG_URL)
        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}"
    app = make_app(url, clock, sandbox)
    rt = app.extensions["preflight"]
    client = app.test_client()
    sandbox.callback_sender = lambda u, p, h: client.post(u.replace("https://preflight.test", ""), data=p,
                                                            headers=h)
    ws = make_workspace(rt)
    ids = seed(client, ws, sandbox, scenario)
    schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", app)
    yield {"app": app, "ws": ws, "ids": ids, "schema": schema, "client": client, "sandbox": sandbox,
           "scenario": scenario}
    rt.close()
    if os.environ.get("PREFLIGHT_FUZZ_REPORT"):
        with open(os.environ["PREFLIGHT_FUZZ_REPORT"], "w") as fh:
            json.dump(STATS, fh, indent=1, sort_keys=True)


class Unhandled(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_openapi_lists_every_operation(fuzz_env):
    doc = fuzz_env["client"].get("/v1/openapi.json").get_json()
    listed = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    assert listed == set(LABELS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("method,path", LABELS, ids=[f"{m} {p}" for m, p in LABELS])
def test_fuzz(fuzz_env, method, path, mode):
    env = fuzz_env
    operation = env["schema"][path][method]
    ids = env["ids"]
    known = {"message_id": ids["message_id"], "check_id": ids["check_id"], "phone_number": ids["phone_number"]}
    wanted = {name: known[name] for name in known if "{" + name + "}" in path}
    strategies = [operation.as_strategy(generation_mode=mode)]
    if wanted:  # some cases aim at rows that exist
        strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=wanted))
    if mode == GenerationMode.POSITIVE and (method, path) in SEMANTIC:
        strategies.append(SEMANTIC[(method, path)].map(lambda kw: operation.Case(
            media_type="application/json" if "body" in kw else None, **kw)))
    statuses: Counter = Counter()
    failures: list[str] = []
    handler = Unhandled()
    logging.getLogger().addHandler(handler)

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies), auth=st.sampled_from(AUTHS))
    def run(case, auth):
        headers = dict(case.headers or {})
        headers.pop("Authorization", None)
        headers.pop("authorization", None)
        case.headers = headers
        if auth is not None:
            case.headers["Authorization"] = f"Bearer {env['ws'].keys[auth]}"
        response = case.call()
        statuses[response.status_code] += 1
        problems = []
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            problems.append(str(exc)[:1500])
        if auth is None and path.startswith("/v1") and path != "/v1/openapi.json" and response.status_code != 401:
            problems.append(f"unauthenticated call answered {response.status_code}")
        if response.status_code >= 500:
            problems.append(f"{response.status_code}: {response.text[:300]}")
        if problems:
            failures.append(f"{method} {path} auth={auth} -> {response.status_code}\n" + "\n".join(problems)
                            + f"\nReproduce: {case.as_curl_command()}")
        if path == "/v1/connection" and response.status_code in (200, 204) and method != "GET":
            # Keep the workspace connected to the sandbox for the other operations.
            connect(env["client"], env["ws"], env["sandbox"], env["scenario"])

    started = time.monotonic()
    try:
        run()
    except Unsatisfiable:
        if mode != GenerationMode.NEGATIVE or statuses:
            raise
        # Nothing to negate (no parameters, no body): the positive run covers it.
    finally:
        logging.getLogger().removeHandler(handler)
    STATS[f"{method} {path} [{mode}]"] = {"requests": sum(statuses.values()),
                                          "statuses": {str(k): v for k, v in sorted(statuses.items())},
                                          "failures": len(failures),
                                          "seconds": round(time.monotonic() - started, 2)}
    unhandled = [f"{r.getMessage()}" for r in handler.records if "unhandled" in r.getMessage()]
    assert not failures, f"{len(failures)} failing cases; first:\n" + "\n\n".join(failures[:3])
    assert not unhandled, unhandled
