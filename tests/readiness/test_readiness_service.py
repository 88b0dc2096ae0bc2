"""The domain functions the gate uses (ensure_fresh, chain_facts, latest), carrier
errors, webhook matching and the concurrent walk."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from preflight import readiness
from preflight.models import CarrierError
from preflight.readiness.walk import walk
from preflight.sandbox import Sandbox, SandboxHttpClient, scenarios
from preflight.sending.callbacks import record_carrier_error
from preflight.twilio import TwilioGateway
from tests.conftest import make_app, make_workspace
from tests.readiness.readiness_helpers import by_status, check, connect, many_services, point_webhooks, post_check


def _requests(sandbox) -> int:
    return len(sandbox.request_log)


def test_ensure_fresh_reuses_a_young_result(client, connected, sandbox, rt, clock):
    first = post_check(client, connected)
    clock.advance(hours=23)
    before = _requests(sandbox)
    with rt.transaction() as s:
        found, error = readiness.ensure_fresh(s, rt, connected.id, 86400)
        assert (found.id, error) == (first["id"], None)
    assert _requests(sandbox) == before


def test_ensure_fresh_runs_again_when_old(client, connected, sandbox, rt, clock):
    first = post_check(client, connected)
    clock.advance(days=2)
    with rt.transaction() as s:
        found, error = readiness.ensure_fresh(s, rt, connected.id, timedelta(days=1))
        assert error is None and found.id != first["id"] and found.complete
    with rt.transaction() as s:
        assert readiness.latest(s, connected.id).id == found.id


def test_ensure_fresh_stale_when_twilio_is_down(client, connected, sandbox, rt, clock):
    post_check(client, connected)
    clock.advance(days=2)
    sandbox.add_fault({"path_regex": ".", "status": 503})
    with rt.transaction() as s:
        assert readiness.ensure_fresh(s, rt, connected.id, 86400) == (None, "readiness_stale")


def test_ensure_fresh_unknown_when_none_ever_completed(connected, sandbox, rt):
    sandbox.add_fault({"path_regex": ".", "kind": "timeout"})
    with rt.transaction() as s:
        assert readiness.ensure_fresh(s, rt, connected.id, 86400) == (None, "readiness_unknown")
    with rt.transaction() as s:
        assert readiness.latest(s, connected.id) is None
        assert [c.status for c in readiness.history(s, connected.id)[0]] == ["incomplete"]


def test_ensure_fresh_not_connected(ws, rt):
    with rt.transaction() as s:
        assert readiness.ensure_fresh(s, rt, ws.id, 86400) == (None, "not_connected")


def test_chain_facts_compliant(client, connected, rt):
    post_check(client, connected)
    with rt.transaction() as s:
        facts = readiness.chain_facts(readiness.latest(s, connected.id))
    assert facts == {
        "credentials_valid": True, "account_status": "active", "account_type": "Full", "number_owned": True,
        "sms_capable": True, "number_kind": "local", "in_service": True,
        "service_sid": scenarios.sid("MG", "acme"), "campaign_sid": scenarios.sid("QE", "acme"),
        "campaign_status": "VERIFIED", "use_case": "MARKETING", "brand_sid": scenarios.sid("BN", "acme"),
        "brand_status": "APPROVED", "brand_type": "STANDARD", "brand_score": 80, "tier": "TOP",
        "daily_cap": 200_000, "has_embedded_links": True, "has_embedded_phone": False}


@pytest.mark.parametrize("scenario", [scenarios.load("toll_free_number")], indirect=True)
def test_chain_facts_toll_free(client, connected):
    facts = readiness.chain_facts(post_check(client, connected))
    assert (facts["number_kind"], facts["number_owned"], facts["in_service"]) == ("toll_free", True, True)


@pytest.mark.parametrize("scenario", [scenarios.load("low_score_brand")], indirect=True)
def test_chain_facts_low_score_brand_tier(client, connected):
    facts = readiness.chain_facts(post_check(client, connected))
    assert (facts["tier"], facts["daily_cap"], facts["brand_score"]) == ("LOW", 2000, 20)


def test_chain_facts_bad_credentials(client, ws, sandbox, scenario):
    connect(client, ws, sandbox, scenario["incoming_phone_numbers"][0]["phone_number"], auth_token="y" * 32)
    facts = readiness.chain_facts(post_check(client, ws))
    assert facts["credentials_valid"] is False
    assert facts["number_owned"] is None and facts["in_service"] is None and facts["number_kind"] == "unknown"


def test_carrier_errors_since_the_previous_check(client, connected, sandbox, rt, clock):
    point_webhooks(sandbox, connected.id)
    phone = "+14155550100"
    assert post_check(client, connected)["status"] == "ready"
    clock.advance(minutes=10)
    with rt.transaction() as s:
        s.add(CarrierError(workspace_id=connected.id, sender=phone, error_code="30034", message_id="msg_1",
                           occurred_at=rt.now()))
        s.add(CarrierError(workspace_id=connected.id, sender="+14155550999", error_code="30034",
                           occurred_at=rt.now()))
    clock.advance(minutes=10)
    result = post_check(client, connected)
    assert result["status"] == "not_ready"
    assert by_status(result, "fail") == {"delivery.carrier_errors"}
    item = check(result, "delivery.carrier_errors")
    assert item["evidence"]["count"] == 1 and item["evidence"]["errors"][0]["message_id"] == "msg_1"
    assert item["prevents"] == ["30034"]
    clock.advance(minutes=10)
    assert post_check(client, connected)["status"] == "ready"  # reported before the previous check


def test_webhooks_on_the_number(client, connected, sandbox):
    point_webhooks(sandbox, connected.id)
    with sandbox.lock:
        service = next(iter(sandbox.state.services.values()))
        service["use_inbound_webhook_on_number"] = True
        number = next(iter(sandbox.state.numbers.values()))
    assert check(post_check(client, connected), "service.inbound_webhook")["status"] == "warn"
    with sandbox.lock:
        number["sms_url"] = f"https://preflight.test/webhooks/twilio/{connected.id}/inbound"
    assert check(post_check(client, connected), "service.inbound_webhook")["status"] == "pass"


def test_webhooks_without_public_url_compare_the_path(tmp_path, clock, sandbox, scenario):
    app = make_app(f"sqlite:///{tmp_path / 'nopublic.sqlite3'}", clock, sandbox, PREFLIGHT_PUBLIC_URL=None)
    try:
        rt, client = app.extensions["preflight"], app.test_client()
        ws = make_workspace(rt)
        connect(client, ws, sandbox, scenario["incoming_phone_numbers"][0]["phone_number"])
        point_webhooks(sandbox, ws.id, base="https://anywhere.example.net/prefix")
        result = post_check(client, ws)
        assert by_status(result, "warn") == set()
        point_webhooks(sandbox, "ws_someone_else")
        result = post_check(client, ws)
        assert by_status(result, "warn") == {"service.inbound_webhook", "service.status_callback"}
        assert f"/webhooks/twilio/{ws.id}/inbound" in check(result, "service.inbound_webhook")["remediation"]
    finally:
        app.extensions["preflight"].close()


def _gateway(sandbox) -> TwilioGateway:
    return TwilioGateway(sandbox.account_sid, sandbox.auth_token, SandboxHttpClient(sandbox))


def test_walk_finds_the_number_in_the_last_of_many_services():
    sandbox = Sandbox(many_services(40, holder_index=39))
    for workers in (1, 16):
        gateway = _gateway(sandbox)
        chain = walk(gateway, "+14155550100", workers)
        assert chain.service["sid"] == scenarios.sid("MG", "acme")
        assert chain.services_scanned == 40 and chain.campaign is not None
        assert gateway.request_count == 40 + 5


def test_walk_is_deterministic_when_two_services_hold_the_number():
    scenario = many_services(30, holder_index=20)
    pn = scenario["incoming_phone_numbers"][0]["sid"]
    scenario["services"][25]["phone_numbers"] = [pn]
    scenario["services"][5]["phone_numbers"] = [pn]
    sandbox = Sandbox(scenario)
    sandbox.set_latency(2)
    found = {walk(_gateway(sandbox), "+14155550100", 16).service["sid"] for _ in range(5)}
    assert found == {scenarios.sid("MG", "extra-5")}


def test_walk_is_concurrent():
    sandbox = Sandbox(many_services(32, holder_index=31, latency_ms=25))
    started = time.perf_counter()
    walk(_gateway(sandbox), "+14155550100", 1)
    sequential = time.perf_counter() - started
    started = time.perf_counter()
    walk(_gateway(sandbox), "+14155550100", 16)
    concurrent = time.perf_counter() - started
    assert concurrent * 2 < sequential, (concurrent, sequential)


def test_carrier_error_at_the_same_instant_as_the_previous_check(client, connected, sandbox, rt):
    point_webhooks(sandbox, connected.id)
    assert post_check(client, connected)["status"] == "ready"
    with rt.transaction() as s:  # the clock has not moved: same instant, later in the audit chain
        record_carrier_error(s, connected.id, "+14155550100", "30034", None, rt.now())
    assert by_status(post_check(client, connected), "fail") == {"delivery.carrier_errors"}
    assert post_check(client, connected)["status"] == "ready"
