"""Injected faults and latency, seen through the real twilio library."""
from __future__ import annotations

import threading
import time

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from preflight.sandbox import Sandbox, SandboxHttpClient, scenarios

ENV = {"UNUSED": "1"}
SEND = {"to": "+14155550111", "from_": "+14155550100", "body": "x"}


def client_for(sb):
    return Client(sb.account_sid, sb.auth_token, http_client=SandboxHttpClient(sb), environment=ENV)


def test_503_twice_then_success(sandbox, client):
    sandbox.add_fault({"method": "POST", "path_regex": "/Messages.json$", "status": 503, "count": 2})
    for _ in range(2):
        with pytest.raises(TwilioRestException) as info:
            client.messages.create(**SEND)
        assert (info.value.status, info.value.code) == (503, 20503)
    assert client.messages.create(**SEND).status == "queued"
    assert len(sandbox.messages) == 1
    assert [e["status"] for e in sandbox.request_log] == [503, 503, 201]
    assert [e["fault"] for e in sandbox.request_log] == ["http", "http", None]


def test_faults_from_the_scenario_file():
    sb = Sandbox(scenarios.load("flaky"))
    client = client_for(sb)
    with pytest.raises(TwilioRestException):
        client.messages.create(**SEND)
    with pytest.raises(TwilioRestException):
        client.messages.create(**SEND)
    client.messages.create(**SEND)
    assert sb.latency_ms == 20


def test_429_carries_retry_after_and_code(sandbox):
    sandbox.add_fault({"path_regex": "/IncomingPhoneNumbers.json$", "status": 429, "retry_after": 7,
                       "code": 20429, "count": 1})
    http = SandboxHttpClient(sandbox)
    client = Client(sandbox.account_sid, sandbox.auth_token, http_client=http, environment=ENV)
    with pytest.raises(TwilioRestException) as info:
        client.api.v2010.accounts(sandbox.account_sid).fetch()  # other paths untouched
        client.incoming_phone_numbers("PN" + "0" * 32).fetch()  # different path: 404, not 429
    assert info.value.status == 404
    response = http.request("GET", f"https://api.twilio.com/2010-04-01/Accounts/{sandbox.account_sid}"
                                   "/IncomingPhoneNumbers.json", auth=(sandbox.account_sid, sandbox.auth_token))
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")
    assert response.text.startswith('{"code": 20429')
    assert len(client.incoming_phone_numbers.list()) == 1


def test_count_null_means_forever_and_method_filters(sandbox, client):
    sandbox.add_fault({"method": "GET", "path_regex": "/Services", "status": 500, "count": None})
    for _ in range(3):
        with pytest.raises(TwilioRestException):
            client.messaging.v1.services(next(iter(sandbox.state.services))).fetch()
    assert client.messages.create(**SEND).sid  # other paths untouched


def test_after_skips_the_first_matches(sandbox, client):
    sandbox.add_fault({"path_regex": "/Messages.json$", "status": 500, "after": 2, "count": 1})
    client.messages.create(**SEND)
    client.messages.create(**SEND)
    with pytest.raises(TwilioRestException):
        client.messages.create(**SEND)
    client.messages.create(**SEND)
    assert len(sandbox.messages) == 3


def test_timeout_raises_read_timeout_after_the_message_is_recorded(sandbox, client):
    sandbox.add_fault({"method": "POST", "path_regex": "/Messages.json$", "kind": "timeout", "count": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.messages.create(**SEND, status_callback="https://hooks.example.com/s")
    # The request left and Twilio acted on it: only the answer was lost.
    (message,) = sandbox.messages.values()
    assert message["to"] == "+14155550111"
    assert len(sandbox.flush_callbacks()) == 2
    assert sandbox.request_log[-1]["fault"] == "timeout"


def test_connection_error_records_nothing(sandbox, client):
    sandbox.add_fault({"method": "POST", "path_regex": "/Messages.json$", "kind": "connection_error", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.messages.create(**SEND)
    assert sandbox.messages == {}
    assert sandbox.pending_callbacks == 0
    assert sandbox.request_log[-1]["status"] is None
    client.messages.create(**SEND)
    assert len(sandbox.messages) == 1


def test_latency_overlaps_across_threads(sandbox):
    sandbox.set_latency(200)
    errors = []

    def fetch():
        try:
            client_for(sandbox).api.v2010.accounts(sandbox.account_sid).fetch()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert errors == []
    assert 0.2 <= elapsed < 1.0  # 8 x 200 ms serialised would be 1.6 s


def test_latency_spike_fault(sandbox, client):
    sandbox.add_fault({"path_regex": "/v1/Services$", "latency_ms": 150, "count": 1})
    started = time.monotonic()
    client.messaging.v1.services.list()
    assert time.monotonic() - started >= 0.15
    started = time.monotonic()
    client.messaging.v1.services.list()
    assert time.monotonic() - started < 0.15


@pytest.mark.parametrize("spec", [
    {"path_regex": "x", "status": 200},
    {"path_regex": "x", "kind": "explode"},
    {"path_regex": "x", "kind": "timeout", "status": 503},
    {"path_regex": "x", "status": 503, "count": -1},
    {"path_regex": "x", "status": 503, "colour": "red"},
    {"path_regex": "(", "status": 503},
])
def test_bad_fault_specs_are_refused(sandbox, spec):
    with pytest.raises(ValueError):
        sandbox.add_fault(spec)
