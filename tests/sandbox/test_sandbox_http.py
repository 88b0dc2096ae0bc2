"""HTTP mode: `serve` on an ephemeral port, the twilio library over a real socket, and
status callbacks posted by the background pump to a real receiver."""
from __future__ import annotations

import queue
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from preflight.sandbox import Sandbox, scenarios, serve

ENV = {"UNUSED": "1"}


class LocalHostClient(TwilioHttpClient):
    """Sends every Twilio host to one local base URL (a test stand-in for the
    service's own host-map client)."""

    def __init__(self, port, **kwargs):
        super().__init__(**kwargs)
        self.port = port
        self.hosts = []

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        self.hosts.append(parts.netloc)
        local = urlunsplit(("http", f"127.0.0.1:{self.port}", parts.path, parts.query, ""))
        return super().request(method, local, *args, **kwargs)


@pytest.fixture
def served():
    sb = Sandbox(scenarios.compliant())
    ready = queue.Queue()
    thread = threading.Thread(target=serve, args=(sb, "127.0.0.1", 0), kwargs={"on_ready": ready.put},
                              daemon=True)
    thread.start()
    server = ready.get(timeout=5)
    clients = []

    def client(**kwargs):
        http = LocalHostClient(server.port, **kwargs)
        clients.append(http)
        return Client(sb.account_sid, sb.auth_token, http_client=http, environment=ENV), http

    yield sb, server, client
    server.shutdown()
    thread.join(timeout=5)
    for http in clients:
        http.session.close()


@pytest.fixture
def receiver():
    """A real HTTP endpoint recording what is posted to it."""
    got = queue.Queue()

    def app(environ, start_response):
        request = Request(environ)
        got.put((request.url, request.form.to_dict(), dict(request.headers)))
        return Response("", status=204)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/webhooks/twilio/1/status", got
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_both_hosts_over_http(served):
    sb, server, make = served
    client, http = make()
    assert client.api.v2010.accounts(sb.account_sid).fetch().status == "active"
    (service,) = client.messaging.v1.services.list()
    assert client.messaging.v1.services(service.sid).us_app_to_person.list()[0].campaign_status == "VERIFIED"
    assert client.incoming_phone_numbers.list()[0].phone_number == "+14155550100"
    assert {"api.twilio.com", "messaging.twilio.com"} <= set(http.hosts)
    assert {e["host"] for e in sb.request_log} == {f"127.0.0.1:{server.port}"}


def test_paging_follows_absolute_links_over_http(served):
    sb, _, make = served
    client, http = make()
    for i in range(30):
        client.messages.create(to="+14155550111", from_="+14155550100", body=f"m{i}")
    assert len(client.messages.list(page_size=7)) == 30
    assert len(client.messaging.v1.services.list(page_size=1)) == 1


def test_bad_credentials_over_http(served):
    sb, server, _ = served
    client = Client(sb.account_sid, "1" * 32, http_client=LocalHostClient(server.port), environment=ENV)
    try:
        with pytest.raises(TwilioRestException) as info:
            client.api.v2010.accounts(sb.account_sid).fetch()
        assert (info.value.code, info.value.status) == (20003, 401)
    finally:
        client.http_client.session.close()


def test_callbacks_are_posted_in_the_background(served, receiver):
    sb, _, make = served
    url, got = receiver
    client, _ = make()
    message = client.messages.create(to="+14155550111", from_="+14155550100", body="Hi", status_callback=url)
    posted = [got.get(timeout=5), got.get(timeout=5)]
    assert [p["MessageStatus"] for _, p, _ in posted] == ["sent", "delivered"]
    for seen_url, params, headers in posted:
        assert seen_url == url
        assert RequestValidator(sb.auth_token).validate(seen_url, params, headers["X-Twilio-Signature"])
        assert params["MessageSid"] == message.sid
    deadline = time.monotonic() + 5
    while client.messages(message.sid).fetch().status != "delivered":
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_connection_error_over_http(served):
    sb, _, make = served
    client, _ = make()
    sb.add_fault({"method": "POST", "path_regex": "/Messages.json$", "kind": "connection_error", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.messages.create(to="+14155550111", from_="+14155550100", body="x")
    assert sb.messages == {}
    client.messages.create(to="+14155550111", from_="+14155550100", body="x")
    assert len(sb.messages) == 1


def test_timeout_over_http(served):
    sb, _, make = served
    client, _ = make(timeout=0.5)
    sb.add_fault({"method": "POST", "path_regex": "/Messages.json$", "kind": "timeout", "count": 1,
                  "hold_ms": 1500})
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.messages.create(to="+14155550111", from_="+14155550100", body="x")
    assert len(sb.messages) == 1
