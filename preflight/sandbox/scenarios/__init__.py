"""Scenario builders and the scenario files shipped beside this module.

`compliant()` is a fully registered business whose campaign passes strict lint;
`variants()` derives the failing cases from it, one defect each, and the JSON files
in this folder are exactly `variants()` (a test keeps them in step: regenerate with
`python -m preflight.sandbox.scenarios`).
"""
from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def sid(prefix: str, seed: str) -> str:
    """A deterministic Twilio-shaped sid: `prefix` + 32 hex digits from `seed`."""
    return prefix + hashlib.sha256(f"{prefix}:{seed}".encode()).hexdigest()[:32]


def token(seed: str) -> str:
    """A deterministic 32-character auth token."""
    return hashlib.sha256(f"token:{seed}".encode()).hexdigest()[:32]


def _campaign_text(name: str, domain: str, phone: str) -> dict:
    """Campaign content that satisfies the reviewers' checklist (RULES.md, campaign lint)."""
    return {
        "description": (
            f"{name} sends recurring marketing texts about sales, new arrivals and store events "
            f"to customers who opted in at online checkout on {domain} or by texting JOIN to our number."
        ),
        "message_samples": [
            f"{name}: Our spring sale starts today - 20% off tents and packs through Sunday. "
            f"Shop https://{domain}/sale Reply STOP to opt out, HELP for help.",
            f"{name}: New trail shoes just arrived in store. Show this text for 10% off until "
            "the end of the month. Reply STOP to unsubscribe.",
            f"{name}: Join us Saturday at 10am for a free camp-stove workshop. Msg & data rates "
            "may apply. Reply STOP to opt out.",
        ],
        "has_embedded_links": True,
        "has_embedded_phone": False,
        "message_flow": (
            f"Customers opt in by ticking an unticked box at online checkout on https://{domain}/checkout "
            f"or by texting JOIN to {phone}. The disclosure next to the box reads: 'I agree to receive "
            f"recurring marketing texts from {name} at the number provided, up to 4 msgs/month. "
            "Consent is not a condition of purchase. Msg & data rates may apply. Reply HELP for help, "
            f"STOP to cancel. Privacy: https://{domain}/privacy Terms: https://{domain}/sms-terms'"
        ),
        "opt_in_message": (
            f"{name}: You are subscribed to marketing texts, up to 4 msgs/month. Msg & data rates "
            "may apply. Reply HELP for help, STOP to cancel."
        ),
        "opt_out_message": (
            f"{name}: You are unsubscribed and will receive no more messages. Reply START to resubscribe."
        ),
        "help_message": (
            f"{name}: For help email support@{domain} or call (415) 555-0199. Msg & data rates "
            "may apply. Reply STOP to cancel."
        ),
        "opt_in_keywords": ["JOIN", "START"],
        "opt_out_keywords": ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"],
        "help_keywords": ["HELP", "INFO"],
        "privacy_policy_url": f"https://{domain}/privacy",
        "terms_and_conditions_url": f"https://{domain}/sms-terms",
    }


def compliant(*, name: str = "Acme Outfitters", seed: str = "acme", phone_number: str = "+14155550100",
              domain: str = "acme.example.com", account: dict | None = None, number: dict | None = None,
              brand: dict | None = None, service: dict | None = None, campaign: dict | None = None,
              **top) -> dict:
    """A fully compliant business: Full active account, one local 10DLC number with SMS,
    an APPROVED STANDARD brand (VERIFIED, score 80), one Messaging Service holding the
    number with a VERIFIED MARKETING campaign and both webhooks set.

    `account`, `number`, `brand`, `service` and `campaign` are merged into that
    resource; any other keyword (`opted_out`, `faults`, `latency_ms`, ...) sets that
    top-level scenario key."""
    pn, bn, mg, qe = (sid(p, seed) for p in ("PN", "BN", "MG", "QE"))
    scenario = {
        "account": {"sid": sid("AC", seed), "auth_token": token(seed), "status": "active",
                    "type": "Full", "friendly_name": name, **(account or {})},
        "incoming_phone_numbers": [{"sid": pn, "phone_number": phone_number,
                                    "capabilities": {"sms": True, "mms": True, "voice": True},
                                    **(number or {})}],
        "brands": [{"sid": bn, "status": "APPROVED", "brand_type": "STANDARD",
                    "identity_status": "VERIFIED", "brand_score": 80, **(brand or {})}],
        "services": [{
            "sid": mg, "friendly_name": name,
            "inbound_request_url": f"https://preflight.{domain}/webhooks/twilio/1/inbound",
            "status_callback": f"https://preflight.{domain}/webhooks/twilio/1/status",
            "phone_numbers": [pn],
            "campaigns": [{"sid": qe, "brand_registration_sid": bn, "campaign_status": "VERIFIED",
                           "us_app_to_person_usecase": "MARKETING",
                           **_campaign_text(name, domain, phone_number), **(campaign or {})}],
            **(service or {}),
        }],
        "opted_out": [],
        "latency_ms": 0,
        "faults": [],
    }
    scenario.update(copy.deepcopy(top))
    return scenario


def _campaign_of(scenario: dict) -> dict:
    return scenario["services"][0]["campaigns"][0]


def demo_scenarios() -> dict[str, dict]:
    """The demo's two businesses: "acme" (compliant) and "blue" (campaign still
    IN_PROGRESS, so its US sends come back undelivered with 30034)."""
    return {
        "acme": compliant(),
        "blue": compliant(name="Bluebird Bakery", seed="blue", phone_number="+12125550142",
                          domain="bluebird.example.com",
                          campaign={"campaign_status": "IN_PROGRESS", "us_app_to_person_usecase": "MIXED"}),
    }


def variants() -> dict[str, dict]:
    """Every shipped scenario by file stem: compliant plus one defect per variant."""
    out = {"compliant": compliant()}
    out["campaign_in_progress"] = compliant(campaign={"campaign_status": "IN_PROGRESS"})
    out["campaign_failed"] = compliant(campaign={
        "campaign_status": "FAILED",
        "errors": [{"error_code": 30909, "description": "The campaign's opt-in flow could not be verified.",
                    "fields": ["message_flow"]}],
    })
    out["brand_pending"] = compliant(brand={"status": "IN_REVIEW", "identity_status": "UNVERIFIED",
                                            "brand_score": None},
                                     campaign={"campaign_status": "PENDING"})
    out["brand_failed"] = compliant(
        brand={"status": "FAILED", "identity_status": "UNVERIFIED", "brand_score": None,
               "failure_reason": "Tax ID does not match the legal business name.",
               "errors": [{"error_code": 30794, "description": "EIN and legal name mismatch.",
                           "fields": ["business_name", "business_registration_number"]}]},
        campaign={"campaign_status": "FAILED"})
    out["low_score_brand"] = compliant(brand={"identity_status": "UNVERIFIED", "brand_score": 20})
    no_campaign = compliant()
    no_campaign["services"][0]["campaigns"] = []
    out["no_campaign"] = no_campaign
    detached = compliant()
    detached["services"][0]["phone_numbers"] = []
    out["number_not_in_service"] = detached
    no_service = compliant()
    no_service["services"] = []
    out["no_service"] = no_service
    out["no_webhooks"] = compliant(service={"inbound_request_url": None, "status_callback": None})
    out["trial_account"] = compliant(account={"type": "Trial"})
    out["suspended_account"] = compliant(account={"status": "suspended"})
    out["not_sms_capable"] = compliant(number={"capabilities": {"sms": False, "mms": False, "voice": True}})
    out["toll_free_number"] = compliant(phone_number="+18885550100")
    out["notification_use_case"] = compliant(campaign={"us_app_to_person_usecase": "ACCOUNT_NOTIFICATION"})
    weak = compliant()
    _campaign_of(weak).update({
        "description": "Promotions.",
        "message_samples": ["Big sale today! https://bit.ly/3xYz"],
        "has_embedded_links": False,
        "message_flow": "Website.",
        "help_message": "Text us.",
        "opt_out_message": None,
        "privacy_policy_url": None,
        "terms_and_conditions_url": None,
    })
    out["weak_campaign"] = weak
    out["opted_out"] = compliant(opted_out=["+14155550123"])
    out["flaky"] = compliant(latency_ms=20, faults=[
        {"method": "POST", "path_regex": "/Messages.json$", "status": 503, "count": 2},
        {"method": "GET", "path_regex": "/IncomingPhoneNumbers.json$", "status": 429, "retry_after": 1,
         "count": 1},
    ])
    return out


def path(name: str) -> Path:
    """The shipped file for a variant name, e.g. path("compliant")."""
    return HERE / f"{name}.json"


def load(name: str) -> dict:
    """A shipped scenario by name."""
    return json.loads(path(name).read_text(encoding="utf-8"))


def write_files(directory: Path = HERE) -> list[Path]:
    """Write every variant as `<name>.json` into `directory`."""
    written = []
    for name, scenario in variants().items():
        target = Path(directory) / f"{name}.json"
        target.write_text(json.dumps(scenario, indent=2) + "\n", encoding="utf-8")
        written.append(target)
    return written
