"""Message create checks, segments, status callbacks and the registration outcome."""
from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from preflight.sandbox import Sandbox, SandboxHttpClient, scenarios
from preflight.sandbox.messages import count_segments
from tests.sandbox.sandbox_helpers import Callbacks

ENV = {"UNUSED": "1"}
HOOK = "https://hooks.example.com/twilio/status?ws=1"


def client_for(sb):
    return Client(sb.account_sid, sb.auth_token, http_client=SandboxHttpClient(sb), environment=ENV)


def create_error(sb, **kwargs):
    with pytest.raises(TwilioRestException) as info:
        client_for(sb).messages.create(**kwargs)
    return info.value


@pytest.mark.parametrize("body, segments", [
    ("", 1), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("[" * 80, 1), ("[" * 81, 2),          # extension characters take two septets
    ("ê" * 70, 1), ("ê" * 71, 2), ("ê" * 134, 2), ("ê" * 135, 3),
    ("😀" * 35, 1), ("😀" * 36, 2),        # an emoji is two UTF-16 units
])
def test_segments(body, segments):
    assert count_segments(body) == segments


@pytest.mark.parametrize("kwargs, code, status", [
    ({"to": "+1415", "from_": "+14155550100", "body": "x"}, 21211, 400),
    ({"to": "not a number", "from_": "+14155550100", "body": "x"}, 21211, 400),
    ({"to": "+14155550111", "from_": "+14155550100", "body": ""}, 21602, 400),
    ({"to": "+14155550111", "from_": "+14155550100", "body": "x" * 1601}, 21617, 400),
    ({"to": "+14155550111", "body": "x"}, 21603, 400),
    ({"to": "+14155550111", "from_": "+14155550999", "body": "x"}, 21606, 400),
    ({"to": "+14155550111", "from_": "ACME!!", "body": "x"}, 21212, 400),
    ({"to": "+14155550111", "messaging_service_sid": "MG" + "0" * 32, "body": "x"}, 21701, 400),
])
def test_create_validation(sandbox, kwargs, code, status):
    error = create_error(sandbox, **kwargs)
    assert (error.code, error.status) == (code, status)
    assert sandbox.messages == {}


def test_missing_to_is_21604(sandbox, raw):
    status, body, _ = raw.post(f"/2010-04-01/Accounts/{sandbox.account_sid}/Messages.json",
                               {"From": "+14155550100", "Body": "x"})
    assert (status, body["code"]) == (400, 21604)


def test_opted_out_recipient_is_21610_at_create(sandbox):
    sandbox.opt_out("+14155550123")
    error = create_error(sandbox, to="+14155550123", from_="+14155550100", body="x")
    assert (error.code, error.status) == (21610, 400)
    assert sandbox.messages == {}
    assert Sandbox(scenarios.load("opted_out")).state.opted_out == {"+14155550123"}


def test_trial_account_is_21608():
    sb = Sandbox(scenarios.load("trial_account"))
    assert create_error(sb, to="+14155550111", from_="+14155550100", body="x").code == 21608


def test_suspended_account_reads_but_cannot_send():
    sb = Sandbox(scenarios.load("suspended_account"))
    client = client_for(sb)
    assert client.api.v2010.accounts(sb.account_sid).fetch().status == "suspended"
    error = create_error(sb, to="+14155550111", from_="+14155550100", body="x")
    assert (error.code, error.status) == (20005, 401)


def test_number_without_sms_cannot_send():
    sb = Sandbox(scenarios.load("not_sms_capable"))
    assert create_error(sb, to="+14155550111", from_="+14155550100", body="x").code == 21606


def test_service_without_senders_is_21704():
    sb = Sandbox(scenarios.load("number_not_in_service"))
    mg = next(iter(sb.state.services))
    assert create_error(sb, to="+14155550111", messaging_service_sid=mg, body="x").code == 21704


def _verify(sb, url, params, headers):
    assert RequestValidator(sb.auth_token).validate(url, params, headers["X-Twilio-Signature"])
    assert not RequestValidator("f" * 32).validate(url, params, headers["X-Twilio-Signature"])


def test_delivered_callbacks_are_signed_like_twilio(sandbox, callbacks):
    message = client_for(sandbox).messages.create(to="+14155550111", from_="+14155550100", body="Hi",
                                                  status_callback=HOOK)
    assert callbacks == []  # nothing before the flush
    delivered = sandbox.flush_callbacks()
    assert [c["params"]["MessageStatus"] for c in delivered] == ["sent", "delivered"]
    assert [(u, p["MessageStatus"]) for u, p, _ in callbacks] == [(HOOK, "sent"), (HOOK, "delivered")]
    for url, params, headers in callbacks:
        _verify(sandbox, url, params, headers)
        assert params["MessageSid"] == params["SmsSid"] == message.sid
        assert params["SmsStatus"] == params["MessageStatus"]
        assert (params["AccountSid"], params["From"], params["To"], params["ApiVersion"]) == (
            sandbox.account_sid, "+14155550100", "+14155550111", "2010-04-01")
        assert "ErrorCode" not in params
        assert headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    fetched = sandbox.messages[message.sid]
    assert (fetched["status"], fetched["error_code"], fetched["price"]) == ("delivered", None, "-0.00790")
    assert sandbox.flush_callbacks() == []


@pytest.mark.parametrize("change", [
    lambda sb: sb.set_campaign_status(next(iter(next(iter(sb.state.campaigns.values())))), "IN_PROGRESS"),
    lambda sb: sb.set_brand_status(next(iter(sb.state.brands)), "SUSPENDED"),
])
def test_unregistered_sender_gets_30034(sandbox, callbacks, change):
    change(sandbox)
    message = client_for(sandbox).messages.create(to="+14155550111", from_="+14155550100", body="Hi",
                                                  status_callback=HOOK)
    assert message.status == "queued"  # carriers block it later, not at create
    sandbox.flush_callbacks()
    url, params, headers = callbacks[-1]
    assert (params["MessageStatus"], params["ErrorCode"]) == ("undelivered", "30034")
    _verify(sandbox, url, params, headers)
    fetched = client_for(sandbox).messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code) == ("undelivered", 30034)


@pytest.mark.parametrize("name", ["campaign_in_progress", "no_campaign", "number_not_in_service",
                                  "brand_pending", "brand_failed", "campaign_failed"])
def test_shipped_unregistered_scenarios_fail_us_sends(name):
    sb = Sandbox(scenarios.load(name), callback_sender=Callbacks())
    sid = client_for(sb).messages.create(to="+12125550111", from_="+14155550100", body="x").sid
    sb.flush_callbacks()
    assert (sb.messages[sid]["status"], sb.messages[sid]["error_code"]) == ("undelivered", 30034)


@pytest.mark.parametrize("to", ["+14165550123", "+16045551234"])  # Toronto, Vancouver: +1 but not US
def test_canadian_recipients_are_not_held_to_10dlc(to):
    sb = Sandbox(scenarios.load("campaign_in_progress"), callback_sender=Callbacks())
    sid = client_for(sb).messages.create(to=to, from_="+14155550100", body="x").sid
    sb.flush_callbacks()
    assert sb.messages[sid]["status"] == "delivered"


def test_messaging_service_send_uses_pool_and_service_callback(sandbox, callbacks):
    mg = next(iter(sandbox.state.services))
    message = client_for(sandbox).messages.create(to="+14155550111", messaging_service_sid=mg, body="Hi")
    assert (message.status, message.from_, message.messaging_service_sid) == ("accepted", None, mg)
    sandbox.flush_callbacks()
    service_hook = sandbox.state.services[mg]["status_callback"]
    assert [u for u, _, _ in callbacks] == [service_hook, service_hook]
    assert callbacks[-1][1]["MessagingServiceSid"] == mg
    assert callbacks[-1][1]["From"] == "+14155550100"
    assert sandbox.messages[message.sid]["from"] == "+14155550100"


def test_callback_url_query_is_part_of_the_signature(sandbox, callbacks):
    client_for(sandbox).messages.create(to="+14155550111", from_="+14155550100", body="x", status_callback=HOOK)
    sandbox.flush_callbacks()
    url, params, headers = callbacks[0]
    other = HOOK.replace("ws=1", "ws=2")
    assert not RequestValidator(sandbox.auth_token).validate(other, params, headers["X-Twilio-Signature"])


def test_a_failing_receiver_keeps_later_callbacks_queued(sandbox):
    client = client_for(sandbox)
    client.messages.create(to="+14155550111", from_="+14155550100", body="x", status_callback=HOOK)

    def down(url, params, headers):
        raise ConnectionError("receiver down")

    sandbox.callback_sender = down
    with pytest.raises(ConnectionError):
        sandbox.flush_callbacks()
    assert sandbox.pending_callbacks == 1
    sandbox.callback_sender = Callbacks()
    assert [c["params"]["MessageStatus"] for c in sandbox.flush_callbacks()] == ["delivered"]


def test_request_log_counts_requests(sandbox, client):
    client.messages.create(to="+14155550111", from_="+14155550100", body="x")
    client.messages.list(to="+14155550111", page_size=5)
    log = sandbox.request_log
    assert [(e["method"], e["path"].rsplit("/", 1)[-1], e["status"]) for e in log] == [
        ("POST", "Messages.json", 201), ("GET", "Messages.json", 200)]
    assert log[1]["query"] == {"To": "+14155550111", "PageSize": "5"}


def test_date_sent_filters_by_day_and_refuse_garbage(sandbox, raw):
    path = f"/2010-04-01/Accounts/{sandbox.account_sid}/Messages.json"
    raw.post(path, {"To": "+14155550111", "From": "+14155550100", "Body": "x"})
    _, unsent, _ = raw.get(path, {"DateSent": "2000-01-01"})
    assert unsent["messages"] == []
    sandbox.flush_callbacks()
    day = sandbox.clock().strftime("%Y-%m-%d")
    for query, count in [({"DateSent": day}, 1), ({"DateSent<": day}, 1), ({"DateSent>": day}, 1),
                         ({"DateSent<": "2000-01-01"}, 0), ({"DateSent>": "2999-01-01"}, 0)]:
        _, body, _ = raw.get(path, query)
        assert len(body["messages"]) == count, query
    status, body, _ = raw.get(path, {"DateSent": "yesterday"})
    assert (status, body["status"]) == (400, 400)
