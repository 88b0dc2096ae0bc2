"""One broken link at a time: the exact failing checks, the overall status, and skips."""
from __future__ import annotations

import pytest

from preflight.readiness import CHECK_IDS
from preflight.sandbox import scenarios
from tests.readiness.readiness_helpers import (AFTER_CREDENTIALS, NUMBER_ON, REGISTRATION, SERVICE_ON, by_status,
                                               check, connect, point_webhooks, post_check, sole_proprietor)

C = scenarios.compliant


def _no_campaign():
    sc = C()
    sc["services"][0]["campaigns"] = []
    return sc


CASES = [
    pytest.param(scenarios.load("suspended_account"), {"account.active"},
                 {"number.owned", "delivery.carrier_errors"} | NUMBER_ON, id="suspended-account"),
    pytest.param(scenarios.load("trial_account"), {"account.full"}, REGISTRATION, id="trial-account"),
    pytest.param(scenarios.load("not_sms_capable"), {"number.sms_capable"},
                 {"number.in_messaging_service"} | SERVICE_ON, id="number-without-sms"),
    pytest.param(scenarios.load("toll_free_number"), {"number.local_10dlc"},
                 {"number.in_messaging_service"} | SERVICE_ON, id="toll-free-number"),
    pytest.param(scenarios.load("number_not_in_service"), {"number.in_messaging_service"}, SERVICE_ON,
                 id="number-in-no-service"),
    pytest.param(scenarios.load("no_service"), {"number.in_messaging_service"}, SERVICE_ON, id="no-service-at-all"),
    pytest.param(_no_campaign(), {"campaign.exists"}, REGISTRATION - {"campaign.exists"},
                 id="service-without-campaign"),
    pytest.param(C(campaign={"campaign_status": "PENDING"}), {"campaign.verified"}, set(), id="campaign-pending"),
    pytest.param(C(campaign={"campaign_status": "IN_PROGRESS"}), {"campaign.verified"}, set(),
                 id="campaign-in-progress"),
    pytest.param(scenarios.load("campaign_failed"), {"campaign.verified"}, set(), id="campaign-failed"),
    pytest.param(C(campaign={"campaign_status": "SUSPENDED"}), {"campaign.verified"}, set(), id="campaign-suspended"),
    pytest.param(C(brand={"status": "PENDING"}), {"brand.approved"},
                 {"brand.identity_verified", "brand.throughput"}, id="brand-pending"),
    pytest.param(C(brand={"status": "IN_REVIEW"}), {"brand.approved"},
                 {"brand.identity_verified", "brand.throughput"}, id="brand-in-review"),
    pytest.param(scenarios.load("brand_failed"), {"campaign.verified", "brand.approved"},
                 {"brand.identity_verified", "brand.throughput"}, id="brand-failed"),
    pytest.param(C(brand={"status": "SUSPENDED"}), {"brand.approved"},
                 {"brand.identity_verified", "brand.throughput"}, id="brand-suspended"),
    pytest.param(C(brand={"identity_status": "UNVERIFIED"}), {"brand.identity_verified"}, {"brand.throughput"},
                 id="identity-unverified"),
    pytest.param(sole_proprietor(second_number=True), {"campaign.use_case"}, set(),
                 id="sole-proprietor-second-number"),
]


@pytest.mark.parametrize(("scenario", "failing", "skipped"), CASES, indirect=["scenario"])
def test_one_broken_link(client, connected, sandbox, failing, skipped):
    point_webhooks(sandbox, connected.id)
    result = post_check(client, connected)
    assert [c["id"] for c in result["checks"]] == list(CHECK_IDS)
    assert by_status(result, "fail") == failing
    assert by_status(result, "skip") == skipped
    assert by_status(result, "warn") == set()
    assert result["status"] == "not_ready"
    for item in result["checks"]:
        assert item["title"] and item["detail"]
        if item["status"] in ("fail", "skip"):
            assert item["remediation"]
        if item["status"] == "skip":
            assert item["evidence"]["cause"] in failing


def test_fully_compliant_account_is_ready(client, connected, sandbox):
    point_webhooks(sandbox, connected.id)
    result = post_check(client, connected)
    assert result["status"] == "ready"
    assert by_status(result, "pass") == set(CHECK_IDS)
    assert set(result) == {"id", "status", "started_at", "finished_at", "twilio_requests", "chain", "checks"}
    assert set(result["chain"]) == {"account", "number", "messaging_service", "campaign", "brand"}
    assert "auth_token" not in result["chain"]["account"]
    assert result["twilio_requests"] == 6  # account, number, services, pool, campaigns, brand
    assert set(check(result, "campaign.verified")) == {"id", "status", "title", "detail", "remediation",
                                                        "prevents", "evidence"}
    assert check(result, "campaign.verified")["prevents"] == ["30034"]
    assert check(result, "campaign.verified")["evidence"]["campaign_sid"].startswith("QE")
    throughput = check(result, "brand.throughput")["evidence"]
    assert (throughput["tier"], throughput["daily_cap"], throughput["att_class"]) == ("TOP", 200_000, "A")


def test_wrong_credentials_complete_a_failed_run(client, ws, sandbox, scenario):
    connect(client, ws, sandbox, scenario["incoming_phone_numbers"][0]["phone_number"], auth_token="x" * 32)
    result = post_check(client, ws)
    assert result["status"] == "not_ready"
    assert by_status(result, "fail") == {"credentials.valid"}
    assert by_status(result, "skip") == AFTER_CREDENTIALS
    assert "20003" in check(result, "credentials.valid")["detail"]
    latest = client.get("/v1/readiness-checks/latest", headers=ws.headers("admin"))
    assert latest.get_json()["id"] == result["id"]


def test_number_not_on_the_account(client, ws, sandbox):
    connect(client, ws, sandbox, "+14155550177")
    point_webhooks(sandbox, ws.id)
    result = post_check(client, ws)
    assert by_status(result, "fail") == {"number.owned"}
    assert by_status(result, "skip") == NUMBER_ON | {"delivery.carrier_errors"}
    assert result["chain"]["number"] == {"phone_number": "+14155550177", "owned": False, "kind": "local",
                                         "sms_capable": None}
    assert result["chain"]["messaging_service"] is None


@pytest.mark.parametrize("scenario", [scenarios.load("campaign_failed")], indirect=True)
def test_campaign_failure_quotes_twilio_errors(client, connected):
    item = check(post_check(client, connected), "campaign.verified")
    assert "30909: The campaign's opt-in flow could not be verified. (fields: message_flow)" in item["remediation"]
    assert item["evidence"]["errors"][0]["error_code"] == 30909


@pytest.mark.parametrize("scenario", [scenarios.load("brand_failed")], indirect=True)
def test_brand_failure_quotes_reason_and_errors(client, connected):
    result = post_check(client, connected)
    fix = check(result, "brand.approved")["remediation"]
    assert "Tax ID does not match the legal business name." in fix
    assert "30794: EIN and legal name mismatch. (fields: business_name, business_registration_number)" in fix
    assert "brand" in check(result, "campaign.verified")["remediation"]


@pytest.mark.parametrize("scenario", [sole_proprietor(second_number=False)], indirect=True)
def test_sole_proprietor_with_one_number_is_ready_at_1000_a_day(client, connected, sandbox):
    point_webhooks(sandbox, connected.id)
    result = post_check(client, connected)
    assert result["status"] == "ready"
    assert check(result, "brand.throughput")["evidence"]["daily_cap"] == 1000


@pytest.mark.parametrize("scenario", [sole_proprietor(second_number=True)], indirect=True)
def test_sole_proprietor_second_number_names_the_extra_number(client, connected, sandbox):
    item = check(post_check(client, connected), "campaign.use_case")
    assert "+14155550101" in item["remediation"] and item["prevents"] == ["30034"]


@pytest.mark.parametrize("scenario", [scenarios.load("weak_campaign")], indirect=True)
def test_weak_campaign_content_is_a_warning(client, connected, sandbox):
    point_webhooks(sandbox, connected.id)
    result = post_check(client, connected)
    assert result["status"] == "ready_with_warnings"
    assert by_status(result, "warn") == {"campaign.content_lint"}
    lint = check(result, "campaign.content_lint")
    codes = {f["code"] for f in lint["evidence"]["findings"]}
    assert codes == {"30886", "30893", "30911", "30889", "30892", "30909", "30890", "30908", "30882"}
    assert lint["prevents"] == sorted(codes)


@pytest.mark.parametrize("scenario", [scenarios.load("notification_use_case")], indirect=True)
def test_notification_use_case_warns(client, connected, sandbox):
    point_webhooks(sandbox, connected.id)
    result = post_check(client, connected)
    assert result["status"] == "ready_with_warnings"
    assert by_status(result, "warn") == {"campaign.use_case"}


def test_shipped_compliant_scenario_warns_about_webhooks_of_another_workspace(client, connected):
    result = post_check(client, connected)
    assert result["status"] == "ready_with_warnings"
    assert by_status(result, "warn") == {"service.inbound_webhook", "service.status_callback"}
    fix = check(result, "service.inbound_webhook")["remediation"]
    assert f"https://preflight.test/webhooks/twilio/{connected.id}/inbound" in fix
