"""The Twilio gateway: explicit credentials only, the host map, error translation."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from preflight.sandbox import Sandbox, SandboxHttpClient, scenarios
from preflight.twilio import TwilioAuthError, TwilioError, TwilioGateway, TwilioUnavailable
from preflight.twilio.http import HostMapHttpClient, HostNotMapped, map_url


def test_empty_credentials_never_fall_back_to_environment(monkeypatch):
    sb = Sandbox(scenarios.compliant())
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", sb.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", sb.auth_token)
    for sid, token in (("", ""), (sb.account_sid, ""), ("", sb.auth_token), (None, None)):
        with pytest.raises(TwilioError):
            TwilioGateway(sid, token, SandboxHttpClient(sb))
    assert not sb.request_log


def test_wrong_token_is_auth_error_not_env(monkeypatch):
    sb = Sandbox(scenarios.compliant())
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", sb.auth_token)
    gw = TwilioGateway(sb.account_sid, "x" * 32, SandboxHttpClient(sb))
    with pytest.raises(TwilioAuthError) as info:
        gw.fetch_account()
    assert info.value.code == 20003
    assert "x" * 32 not in str(info.value)


def test_reads_through_the_real_library():
    sb = Sandbox(scenarios.compliant())
    gw = TwilioGateway(sb.account_sid, sb.auth_token, SandboxHttpClient(sb))
    assert gw.fetch_account()["status"] == "active"
    number = scenarios.compliant()["incoming_phone_numbers"][0]["phone_number"]
    assert gw.find_incoming_number(number)["phone_number"] == number
    assert gw.find_incoming_number("+14155559999") is None
    services = gw.list_services()
    assert services and gw.list_campaigns(services[0]["sid"])
    assert gw.request_count >= 4


def test_faults_become_service_errors():
    sb = Sandbox(scenarios.compliant())
    gw = TwilioGateway(sb.account_sid, sb.auth_token, SandboxHttpClient(sb))
    sb.add_fault({"method": "GET", "path_regex": "/Services$", "status": 503, "count": 1})
    with pytest.raises(TwilioUnavailable) as info:
        gw.list_services()
    assert info.value.status == 503 and not info.value.maybe_sent
    sb.add_fault({"method": "POST", "path_regex": "/Messages.json$", "kind": "timeout", "count": 1})
    number = scenarios.compliant()["incoming_phone_numbers"][0]["phone_number"]
    with pytest.raises(TwilioUnavailable) as info:
        gw.create_message(to="+14045550123", from_=number, body="hi", status_callback=None)
    assert info.value.maybe_sent is True
    sb.add_fault({"method": "POST", "path_regex": "/Messages.json$", "status": 429, "retry_after": 3, "count": 1})
    with pytest.raises(TwilioUnavailable) as info:
        gw.create_message(to="+14045550123", from_=number, body="hi", status_callback=None)
    assert info.value.status == 429 and info.value.retry_after == 3 and not info.value.maybe_sent


def test_map_url_rewrites_absolute_urls_and_refuses_unlisted_hosts():
    m = {"api.twilio.com": "http://127.0.0.1:4011", "messaging.twilio.com": "http://127.0.0.1:4010/base"}
    assert map_url("https://messaging.twilio.com/v1/Services?PageSize=50&Page=1&PageToken=PT1", m) == \
        "http://127.0.0.1:4010/base/v1/Services?PageSize=50&Page=1&PageToken=PT1"
    with pytest.raises(HostNotMapped):
        map_url("https://conversations.twilio.com/v1/x", m)


def test_host_map_over_loopback_pages_through_both_apis():
    scenario = scenarios.compliant()
    for i in range(120):
        scenario["services"].append({"sid": "MG" + f"{i:032x}", "friendly_name": f"svc {i}",
                                     "phone_numbers": [], "campaigns": []})
    sb = Sandbox(scenario)
    server = make_server("127.0.0.1", 0, sb.wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        client = HostMapHttpClient({"api.twilio.com": base, "messaging.twilio.com": base}, timeout=5)
        gw = TwilioGateway(sb.account_sid, sb.auth_token, client)
        assert len(gw.list_services()) == len(scenario["services"])  # follows absolute next_page_url
        assert gw.fetch_account()["sid"] == sb.account_sid
    finally:
        server.shutdown()
