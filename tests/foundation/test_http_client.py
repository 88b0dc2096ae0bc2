"""PreflightHttpClient over real sockets: what reaches the server, what comes back,
how failures are classified, proxies resolved once per host, and no secret in logs."""
from __future__ import annotations

import base64
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
from twilio.http.http_client import TwilioHttpClient

from preflight.twilio import TwilioGateway, TwilioUnavailable, build_http_client
from preflight.twilio.http import HostMapHttpClient, HostNotMapped, PreflightHttpClient

SID = "AC" + "a" * 32
TOKEN = "s3cr3t-auth-token-" + "b" * 14
MESSAGE = {"sid": "SM" + "c" * 32, "account_sid": SID, "status": "queued", "to": "+14045550123",
           "from": "+14155550100", "body": "hi", "date_created": "Thu, 30 Jul 2015 20:12:31 +0000"}
PROXY_ENV = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy",
             "NO_PROXY", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append({"method": self.command, "target": self.path,
                                 "headers": dict(self.headers), "body": body})
        time.sleep(self.server.delay)
        status, headers, payload = self.server.reply(self.path, body)
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(payload))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_GET

    def log_message(self, *args):
        pass


class Recorder(ThreadingHTTPServer):
    """A loopback HTTP server that records every request and answers with `reply`.
    Requests through it as a proxy show up with an absolute URL as `target`."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[dict] = []
        self.delay = 0.0
        self.reply = lambda path, body: (201, {"Content-Type": "application/json"}, json.dumps(MESSAGE).encode())

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


@pytest.fixture(autouse=True)
def no_ambient_proxy(monkeypatch):
    for name in PROXY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def serve():
    servers = []

    def start() -> Recorder:
        server = Recorder()
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def make_client():
    clients = []

    def make(*args, **kwargs):
        client = PreflightHttpClient(*args, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.session.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gateway(client, timeout=10.0) -> TwilioGateway:
    return TwilioGateway(SID, TOKEN, client, timeout=timeout)


def create(gw: TwilioGateway) -> dict:
    return gw.create_message(to="+14045550123", from_="+14155550100", body="hi", status_callback=None)


def get(client, url, **kwargs):
    return client.request("GET", url, auth=(SID, TOKEN), **kwargs)


def test_form_post_arrives_with_body_basic_auth_and_headers(serve, make_client):
    server = serve()
    msg = create(gateway(make_client({"api.twilio.com": server.base}, 5)))
    assert msg["sid"] == MESSAGE["sid"] and msg["date_created"].startswith("2015-07-30T20:12:31")
    (seen,) = server.seen
    assert seen["method"] == "POST"
    assert seen["target"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert parse_qs(seen["body"].decode()) == {"To": ["+14045550123"], "From": ["+14155550100"], "Body": ["hi"]}
    headers = seen["headers"]
    assert headers["Authorization"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["Accept"] == "application/json" and headers["User-Agent"].startswith("twilio-python/")


def test_sends_exactly_what_twilios_own_client_sends(serve, make_client):
    server = serve()
    twilio_client = TwilioHttpClient(timeout=5)
    try:
        for client in (twilio_client, make_client(timeout=5)):
            client.request("POST", server.base + "/2010-04-01/Accounts/x/Messages.json", params={"A": "1"},
                           data={"To": "+14045550123", "Body": "hé"}, auth=(SID, TOKEN),
                           headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Client": "py"})
    finally:
        twilio_client.session.close()
    theirs, ours = server.seen
    assert ours == theirs


@pytest.mark.parametrize("content_type", ["application/json", "application/scim+json"])
def test_json_content_types_send_json(serve, make_client, content_type):
    server = serve()
    make_client(timeout=5).request("POST", server.base + "/v1/x", data={"a": [1, 2], "b": "é"},
                                   headers={"Content-Type": content_type}, auth=(SID, TOKEN))
    (seen,) = server.seen
    assert json.loads(seen["body"]) == {"a": [1, 2], "b": "é"}
    assert seen["headers"]["Content-Type"] == content_type


def test_status_text_and_headers_come_back(serve, make_client):
    server = serve()
    server.reply = lambda path, body: (418, {"X-Thing": "yes", "Content-Type": "text/plain; charset=utf-8"},
                                       "short and stout ☕".encode())
    response = get(make_client(timeout=5), server.base + "/teapot")
    assert (response.status_code, response.text, response.ok) == (418, "short and stout ☕", False)
    assert response.headers["x-thing"] == "yes"


def test_429_reaches_the_gateway_with_retry_after(serve, make_client):
    server = serve()
    server.reply = lambda path, body: (429, {"Retry-After": "7", "Content-Type": "application/json"},
                                       b'{"code": 20429, "message": "Too Many Requests", "status": 429}')
    with pytest.raises(TwilioUnavailable) as info:
        create(gateway(make_client({"api.twilio.com": server.base}, 5)))
    assert (info.value.status, info.value.code, info.value.retry_after) == (429, 20429, 7.0)
    assert not info.value.maybe_sent


def test_redirects_are_returned_not_followed_unless_asked(serve, make_client):
    server = serve()
    server.reply = lambda path, body: ((302, {"Location": "/there"}, b"") if path == "/here"
                                       else (200, {}, b"arrived"))
    client = make_client(timeout=5)
    assert get(client, server.base + "/here").status_code == 302
    followed = get(client, server.base + "/here", allow_redirects=True)
    assert (followed.status_code, followed.text) == (200, "arrived")
    assert [s["target"] for s in server.seen] == ["/here", "/here", "/there"]


def test_refused_connection_is_a_connection_error_and_never_maybe_sent(make_client):
    base = f"http://127.0.0.1:{closed_port()}"
    client = make_client({"api.twilio.com": base}, 5)
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        client.request("POST", "https://api.twilio.com/x", data={}, auth=(SID, TOKEN))
    assert not isinstance(info.value, requests.exceptions.Timeout)
    with pytest.raises(TwilioUnavailable) as info:
        create(gateway(client))
    assert info.value.maybe_sent is False


def test_read_timeout_is_maybe_sent_for_a_create_only(serve, make_client):
    server = serve()
    server.delay = 0.5
    client = make_client({"api.twilio.com": server.base}, 0.1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        client.request("GET", "https://api.twilio.com/slow", auth=(SID, TOKEN))  # timeout=None: the client's
    with pytest.raises(TwilioUnavailable) as info:
        create(gateway(client, timeout=0.1))
    assert info.value.maybe_sent is True
    with pytest.raises(TwilioUnavailable) as info:
        gateway(client, timeout=0.1).fetch_account()
    assert info.value.maybe_sent is False


@pytest.mark.parametrize("timeout", [0, -1])
def test_non_positive_timeout_is_refused(make_client, timeout):
    with pytest.raises(ValueError):
        get(make_client(timeout=5), "http://127.0.0.1:9/", timeout=timeout)


def test_unmapped_host_is_refused_before_any_request(make_client):
    client = HostMapHttpClient({"api.twilio.com": "http://127.0.0.1:9"}, 5)
    with pytest.raises(HostNotMapped):
        get(client, "https://conversations.twilio.com/v1/x")


def test_build_http_client_uses_one_client_for_twilio_and_the_host_map():
    real = build_http_client({"PREFLIGHT_TWILIO_TIMEOUT": 3.0})
    mapped = build_http_client({"PREFLIGHT_TWILIO_HOST_MAP": {"api.twilio.com": "http://127.0.0.1:9"}})
    assert isinstance(real, PreflightHttpClient) and real.host_map is None and real.timeout == 3.0
    assert isinstance(mapped, PreflightHttpClient) and mapped.host_map == {"api.twilio.com": "http://127.0.0.1:9"}


def test_proxy_environment_is_honoured_including_no_proxy(serve, make_client, monkeypatch):
    origin, proxy = serve(), serve()
    monkeypatch.setenv("HTTP_PROXY", proxy.base)
    get(make_client(timeout=5), origin.base + "/via-proxy")
    assert [s["target"] for s in proxy.seen] == [origin.base + "/via-proxy"] and not origin.seen
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    get(make_client(timeout=5), origin.base + "/direct")
    assert [s["target"] for s in origin.seen] == ["/direct"] and len(proxy.seen) == 1


def test_explicit_proxy_wins_over_the_environment(serve, make_client, monkeypatch):
    origin, proxy = serve(), serve()
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    get(make_client(timeout=5, proxy={"http": proxy.base}), origin.base + "/x")
    assert [s["target"] for s in proxy.seen] == [origin.base + "/x"]


def test_environment_is_read_once_per_host_not_per_request(serve, make_client, monkeypatch):
    origin, proxy = serve(), serve()
    calls = []
    real = requests.utils.get_environ_proxies
    for module in (requests.utils, requests.sessions):
        monkeypatch.setattr(module, "get_environ_proxies", lambda *a, **k: calls.append(a) or real(*a, **k))
    monkeypatch.setenv("HTTP_PROXY", proxy.base)
    client = make_client(timeout=5)
    get(client, origin.base + "/1")
    monkeypatch.delenv("HTTP_PROXY")  # seen only after a restart
    get(client, origin.base + "/2")
    get(client, origin.base + "/3", params={"p": "q"})
    assert len(calls) == 1
    assert len(proxy.seen) == 3 and not origin.seen
    get(client, f"http://localhost:{origin.server_port}/other-host")  # a new host: resolved afresh
    assert len(calls) == 2 and [s["target"] for s in origin.seen] == ["/other-host"]


@pytest.mark.parametrize("env, verify", [({}, True), ({"CURL_CA_BUNDLE": "/curl.pem"}, "/curl.pem"),
                                         ({"REQUESTS_CA_BUNDLE": "/req.pem", "CURL_CA_BUNDLE": "/curl.pem"},
                                          "/req.pem")])
def test_verify_follows_the_ca_bundle_environment_like_requests(serve, make_client, monkeypatch, env, verify):
    server = serve()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sent = []
    real_send = requests.adapters.HTTPAdapter.send
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send",
                        lambda self, request, **kw: sent.append(kw) or real_send(self, request, **kw))
    get(make_client(timeout=5), server.base + "/")
    assert sent[0]["verify"] == verify
    expected = requests.Session().merge_environment_settings(server.base, {}, None, None, None)["verify"]
    assert sent[0]["verify"] == expected


def test_concurrent_requests_each_get_their_own_response(serve, make_client):
    server = serve()
    server.reply = lambda path, body: (200, {}, path.encode())
    client = make_client(timeout=5)
    results = {}

    def work(n):
        results[n] = [get(client, f"{server.base}/{n}/{i}").text for i in range(5)]

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: [f"/{n}/{i}" for i in range(5)] for n in range(8)}


def test_auth_token_never_reaches_the_logs(serve, make_client, caplog):
    server = serve()
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="twilio.http_client")
    create(gateway(make_client({"api.twilio.com": server.base}, 5)))
    assert "BEGIN Twilio API Request" in caplog.text and "Response Status Code: 201" in caplog.text
    encoded = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert TOKEN not in caplog.text and encoded not in caplog.text
    assert server.seen[0]["headers"]["Authorization"] == "Basic " + encoded


def test_nothing_is_formatted_for_a_disabled_logger(serve, make_client, caplog, monkeypatch):
    server = serve()
    caplog.set_level(logging.WARNING, logger="twilio.http_client")
    client = make_client({"api.twilio.com": server.base}, 5)
    for name in ("log_request", "log_response"):
        monkeypatch.setattr(client, name, lambda *a: pytest.fail("logged while disabled"))
    create(gateway(client))
    assert len(server.seen) == 1
