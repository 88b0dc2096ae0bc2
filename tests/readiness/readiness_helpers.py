"""Helpers shared by the readiness tests."""
from __future__ import annotations

from preflight.readiness import CHECK_IDS
from preflight.sandbox import scenarios

PUBLIC_URL = "https://preflight.test"

REGISTRATION = {"campaign.exists", "campaign.verified", "campaign.use_case", "campaign.content_lint",
                "brand.approved", "brand.identity_verified", "brand.throughput"}
SERVICE_ON = {"service.inbound_webhook", "service.status_callback"} | REGISTRATION
NUMBER_ON = {"number.sms_capable", "number.local_10dlc", "number.in_messaging_service"} | SERVICE_ON
AFTER_CREDENTIALS = set(CHECK_IDS) - {"credentials.valid"}


def point_webhooks(sandbox, workspace_id: str, base: str = PUBLIC_URL) -> None:
    """Set every service's webhooks to this workspace's Preflight URLs."""
    with sandbox.lock:
        for service in sandbox.state.services.values():
            service["inbound_request_url"] = f"{base}/webhooks/twilio/{workspace_id}/inbound"
            service["status_callback"] = f"{base}/webhooks/twilio/{workspace_id}/status"


def connect(client, ws, sandbox, phone_number: str, auth_token: str | None = None):
    resp = client.put("/v1/connection", headers=ws.headers("admin"), json={
        "account_sid": sandbox.account_sid, "auth_token": auth_token or sandbox.auth_token,
        "phone_number": phone_number})
    assert resp.status_code == 200, resp.get_json()


def post_check(client, ws, expect: int = 201) -> dict:
    resp = client.post("/v1/readiness-checks", headers=ws.headers("admin"))
    assert resp.status_code == expect, resp.get_json()
    return resp.get_json()


def by_status(result: dict, status: str) -> set[str]:
    return {c["id"] for c in result["checks"] if c["status"] == status}


def check(result: dict, check_id: str) -> dict:
    return next(c for c in result["checks"] if c["id"] == check_id)


def sole_proprietor(second_number: bool) -> dict:
    """A sole-proprietor brand and campaign; optionally a second number in the service."""
    scenario = scenarios.compliant(
        brand={"brand_type": "SOLE_PROPRIETOR", "identity_status": "SELF_DECLARED", "brand_score": None},
        campaign={"us_app_to_person_usecase": "SOLE_PROPRIETOR"})
    if second_number:
        pn = scenarios.sid("PN", "second")
        scenario["incoming_phone_numbers"].append({"sid": pn, "phone_number": "+14155550101"})
        scenario["services"][0]["phone_numbers"].append(pn)
    return scenario


def many_services(count: int, holder_index: int, latency_ms: int = 0) -> dict:
    """`count` Messaging Services; only the one at `holder_index` holds the number and the campaign."""
    scenario = scenarios.compliant(latency_ms=latency_ms)
    holder = scenario["services"][0]
    services = []
    for i in range(count):
        if i == holder_index:
            services.append(holder)
        else:
            services.append({"sid": scenarios.sid("MG", f"extra-{i}"), "friendly_name": f"Other {i}",
                             "phone_numbers": [], "campaigns": []})
    scenario["services"] = services
    return scenario
