"""Every registration reason, from sandbox scenarios through POST /v1/messages, and
30034 from a status callback blocking until the next readiness check."""
from __future__ import annotations

import pytest

from preflight.sandbox import scenarios
from tests.sending.send_helpers import CANADA, NY, consent, send


@pytest.fixture
def scenario(request):
    return getattr(request, "param", None) or scenarios.compliant()


def reasons(resp):
    return [r["code"] for r in resp.get_json().get("reasons", [])]


CASES = [
    ("suspended_account", "marketing", ["account_not_active"]),
    ("trial_account", "marketing", ["trial_account"]),
    ("toll_free_number", "marketing", ["number_not_10dlc"]),
    ("not_sms_capable", "marketing", ["number_not_sms_capable"]),
    ("number_not_in_service", "marketing", ["number_not_in_messaging_service"]),
    ("no_campaign", "marketing", ["campaign_missing"]),
    ("campaign_in_progress", "marketing", ["campaign_not_verified"]),
    ("brand_failed", "marketing", ["campaign_not_verified", "brand_not_approved"]),
    ("notification_use_case", "marketing", ["use_case_mismatch"]),
]


@pytest.mark.parametrize("scenario,category,expected", [
    (scenarios.variants()[name], category, expected) for name, category, expected in CASES
], indirect=["scenario"], ids=[c[0] for c in CASES])
def test_registration_reasons(client, connected, sandbox, scenario, category, expected):
    consent(client, connected, NY)
    resp = send(client, connected, category=category)
    assert resp.status_code == 422, resp.get_json()
    assert reasons(resp) == expected
    assert sandbox.messages == {}


@pytest.mark.parametrize("scenario", [scenarios.variants()["notification_use_case"]], indirect=True)
def test_notification_use_case_still_sends_informational(client, connected, sandbox, scenario):
    consent(client, connected, NY, scope="informational")
    assert send(client, connected, body="Your order has shipped.", category="informational").status_code == 201


@pytest.mark.parametrize("scenario", [scenarios.variants()["suspended_account"]], indirect=True)
def test_canada_skips_the_chain_of_a_broken_account(client, connected, sandbox, scenario):
    consent(client, connected, CANADA)
    resp = send(client, connected, to=CANADA)
    assert "account_not_active" not in reasons(resp)


def test_30034_blocks_until_the_next_readiness_check(client, ready, sandbox, rt):
    campaign_sid = sandbox.state.services[next(iter(sandbox.state.services))]
    qe = next(iter(sandbox.state.campaigns[campaign_sid["sid"]]))
    sandbox.set_campaign_status(qe, "SUSPENDED")  # carriers now refuse; our check still says VERIFIED
    assert send(client, ready).status_code == 201
    callbacks = sandbox.flush_callbacks()
    assert callbacks[-1]["params"]["ErrorCode"] == "30034"
    blocked = send(client, ready, category="security", body="Your code is 123456")
    assert reasons(blocked) == ["carrier_registration_error"]
    assert blocked.get_json()["reasons"][0]["rule"] == "Twilio error 30034"
    # A non-US destination is not affected.
    consent(client, ready, CANADA)
    assert send(client, ready, to=CANADA).status_code == 201
    sandbox.set_campaign_status(qe, "VERIFIED")
    assert client.post("/v1/readiness-checks", headers=ready.headers("admin")).status_code == 201
    assert send(client, ready, category="security", body="Your code is 654321").status_code == 201


def test_readiness_unknown_and_stale_for_sends(client, connected, sandbox, clock):
    consent(client, connected, NY)
    sandbox.add_fault({"path_regex": "/Accounts/AC[0-9a-f]+\\.json$", "status": 503, "count": 1})
    assert reasons(send(client, connected)) == ["readiness_unknown"]
    assert send(client, connected).status_code == 201  # the next send runs a fresh check
    clock.advance(days=1, seconds=1)
    sandbox.add_fault({"path_regex": "/Accounts/AC[0-9a-f]+\\.json$", "status": 503, "count": 1})
    assert reasons(send(client, connected, body="Acme: more deals. Reply STOP to opt out.")) == [
        "readiness_stale"]


def test_a_fresh_check_is_run_only_when_needed(client, ready, sandbox, clock):
    def account_reads():
        return sum(1 for r in sandbox.request_log if r["path"].endswith(f"/Accounts/{sandbox.account_sid}.json"))

    before = account_reads()
    send(client, ready)
    assert account_reads() == before
    clock.advance(days=1)
    send(client, ready, body="Acme: more deals. Reply STOP to opt out.")
    assert account_reads() == before + 1
