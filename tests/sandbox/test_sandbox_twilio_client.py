"""The real twilio library, unchanged, over SandboxHttpClient: every resource, both
paging styles over 2,500 records, and Twilio's errors as TwilioRestException."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from preflight.sandbox import Sandbox, SandboxHttpClient, scenarios

ENV = {"UNUSED": "1"}  # never let twilio read TWILIO_* from the process environment


def make_client(sb, token=None):
    return Client(sb.account_sid, token or sb.auth_token, http_client=SandboxHttpClient(sb), environment=ENV)


def test_reads_every_resource(sandbox, client):
    acct = sandbox.account_sid
    account = client.api.v2010.accounts(acct).fetch()
    assert (account.sid, account.status, account.type) == (acct, "active", "Full")
    assert account.date_created.tzinfo is not None

    numbers = client.incoming_phone_numbers.list(phone_number="+14155550100")
    assert [n.phone_number for n in numbers] == ["+14155550100"]
    assert numbers[0].capabilities == {"fax": False, "mms": True, "sms": True, "voice": True}
    assert client.incoming_phone_numbers.list(phone_number="+19995550100") == []

    (service,) = client.messaging.v1.services.list()
    assert client.messaging.v1.services(service.sid).fetch().friendly_name == "Acme Outfitters"
    assert service.us_app_to_person_registered is True
    pool = client.messaging.v1.services(service.sid).phone_numbers.list()
    assert [(p.sid, p.phone_number, p.country_code) for p in pool] == [(numbers[0].sid, "+14155550100", "US")]
    (campaign,) = client.messaging.v1.services(service.sid).us_app_to_person.list()
    fetched = client.messaging.v1.services(service.sid).us_app_to_person(campaign.sid).fetch()
    assert fetched.campaign_status == "VERIFIED"
    assert fetched.us_app_to_person_usecase == "MARKETING"
    assert fetched.rate_limits == {"att": {"mps": 75, "msg_class": "A"}, "tmobile": {"brand_tier": "TOP"}}
    assert fetched.privacy_policy_url == "https://acme.example.com/privacy"

    (brand,) = client.messaging.v1.brand_registrations.list()
    assert brand.sid == fetched.brand_registration_sid
    again = client.messaging.v1.brand_registrations(brand.sid).fetch()
    assert (again.status, again.identity_status, again.brand_score, again.brand_type) == (
        "APPROVED", "VERIFIED", 80, "STANDARD")


def test_messages_create_list_fetch(sandbox, client):
    first = client.messages.create(to="+14155550111", from_="+14155550100", body="Hello")
    assert first.sid.startswith("SM") and len(first.sid) == 34
    assert (first.status, first.num_segments, first.price, first.direction) == ("queued", "1", None, "outbound-api")
    second = client.messages.create(to="+14155550112", from_="+14155550100", body="ê" * 71)
    assert second.num_segments == "2"  # UCS-2: 70 alone, 67 per part
    assert [m.sid for m in client.messages.list()] == [second.sid, first.sid]  # newest first
    assert [m.sid for m in client.messages.list(to="+14155550111")] == [first.sid]
    assert client.messages(first.sid).fetch().body == "Hello"

    sandbox.flush_callbacks()
    fetched = client.messages(first.sid).fetch()
    assert fetched.status == "delivered" and fetched.date_sent is not None
    today = fetched.date_sent
    assert len(client.messages.list(date_sent=today)) == 2
    assert len(client.messages.list(date_sent_after=today - timedelta(minutes=1))) == 2
    assert client.messages.list(date_sent_before=today - timedelta(days=2)) == []


def _many(n):
    base = scenarios.compliant()
    base["incoming_phone_numbers"] = [{"phone_number": f"+1415{i:07d}"} for i in range(n)]
    base["services"] = [{"friendly_name": f"Service {i}"} for i in range(n)]
    base["brands"] = [{"brand_score": i % 100} for i in range(n)]
    return base


@pytest.fixture(scope="module")
def big():
    return Sandbox(_many(2500))


@pytest.mark.parametrize("page_size", [None, 50, 7, 1000])
def test_paging_2500_numbers_2010_style(big, page_size):
    before = len(big.request_log)
    numbers = make_client(big).incoming_phone_numbers.list(page_size=page_size)
    assert len(numbers) == 2500
    assert len({n.sid for n in numbers}) == 2500
    assert [n.phone_number for n in numbers] == [f"+1415{i:07d}" for i in range(2500)]
    size = page_size or 50
    assert len(big.request_log) - before == -(-2500 // size)


@pytest.mark.parametrize("page_size", [None, 50, 7, 1000])
def test_paging_2500_services_and_brands_v1_style(big, page_size):
    client = make_client(big)
    services = client.messaging.v1.services.list(page_size=page_size)
    assert [s.friendly_name for s in services] == [f"Service {i}" for i in range(2500)]
    assert len({s.sid for s in services}) == 2500
    brands = client.messaging.v1.brand_registrations.list(page_size=page_size)
    assert len({b.sid for b in brands}) == 2500


def test_limit_stops_early(big):
    before = len(big.request_log)
    assert len(make_client(big).incoming_phone_numbers.list(limit=120, page_size=50)) == 120
    assert len(big.request_log) - before == 3


def test_previous_page_links(big):
    client = make_client(big)
    page = client.messaging.v1.services.page(page_size=100)
    third = page.next_page().next_page()
    back = third.previous_page()
    assert [s.sid for s in back] == [s.sid for s in page.next_page()]
    numbers = client.incoming_phone_numbers.page(page_size=100).next_page()
    assert [n.sid for n in numbers.previous_page()] == [n.sid for n in client.incoming_phone_numbers.page(page_size=100)]


def test_paging_messages_while_new_ones_arrive(sandbox, client):
    for i in range(120):
        client.messages.create(to="+14155550111", from_="+14155550100", body=f"m{i}")
    page = client.messages.page(page_size=50)
    client.messages.create(to="+14155550111", from_="+14155550100", body="late")
    seen = [m.body for m in page]
    while (page := page.next_page()) is not None:
        seen += [m.body for m in page]
    # Tokens anchor on sids, so a message created meanwhile neither repeats nor shifts one.
    assert seen == [f"m{i}" for i in reversed(range(120))]


def test_bad_credentials_raise_20003(sandbox):
    client = make_client(sandbox, token="0" * 32)
    with pytest.raises(TwilioRestException) as info:
        client.api.v2010.accounts(sandbox.account_sid).fetch()
    assert (info.value.code, info.value.status) == (20003, 401)


@pytest.mark.parametrize("call", [
    lambda c: c.messages("SM" + "0" * 32).fetch(),
    lambda c: c.messaging.v1.services("MG" + "0" * 32).fetch(),
    lambda c: c.messaging.v1.brand_registrations("BN" + "0" * 32).fetch(),
    lambda c: c.messaging.v1.services(c._mg).us_app_to_person("QE" + "0" * 32).fetch(),
])
def test_unknown_resources_raise_20404(sandbox, client, call):
    client._mg = next(iter(sandbox.state.services))
    with pytest.raises(TwilioRestException) as info:
        call(client)
    assert (info.value.code, info.value.status) == (20404, 404)


def test_last_request_and_response_are_recorded(sandbox):
    http = SandboxHttpClient(sandbox)
    client = Client(sandbox.account_sid, sandbox.auth_token, http_client=http, environment=ENV)
    client.messages.create(to="+14155550111", from_="+14155550100", body="x")
    assert http._test_only_last_request.method == "POST"
    assert http._test_only_last_request.data["To"] == "+14155550111"
    assert http._test_only_last_response.status_code == 201
    assert http._test_only_last_response.headers["content-type"].startswith("application/json")


def test_any_host_is_served(sandbox):
    http = SandboxHttpClient(sandbox)
    response = http.request("GET", "http://127.0.0.1:9/v1/Services",
                            auth=(sandbox.account_sid, sandbox.auth_token))
    assert response.status_code == 200
    assert sandbox.request_log[-1]["host"] == "127.0.0.1:9"


def test_concurrent_clients_share_one_sandbox(sandbox):
    errors = []

    def send(i):
        try:
            make_client(sandbox).messages.create(to="+14155550111", from_="+14155550100", body=str(i))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(m["body"] for m in sandbox.messages.values()) == sorted(str(i) for i in range(40))
    assert len(sandbox.flush_callbacks()) == 0  # no StatusCallback given, yet all move on
    assert {m["status"] for m in sandbox.messages.values()} == {"delivered"}


def test_clock_dates_messages():
    moment = datetime(2025, 5, 1, 12, 0, tzinfo=timezone.utc)
    sb = Sandbox(scenarios.compliant(), callback_sender=lambda *a: None, clock=lambda: moment)
    message = make_client(sb).messages.create(to="+14155550111", from_="+14155550100", body="x")
    assert message.date_created == moment
