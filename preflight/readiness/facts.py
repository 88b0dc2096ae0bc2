"""The stored chain snapshot (JSON, no secrets) and the facts the send gate reads from it."""
from __future__ import annotations

from .checks_registration import throughput_facts
from .context import number_kind, sms_capable
from .walk import Chain

_ACCOUNT = ("sid", "friendly_name", "status", "type")
_NUMBER = ("sid", "phone_number", "friendly_name", "capabilities", "type", "status", "sms_url", "sms_method")
_SERVICE = ("sid", "friendly_name", "inbound_request_url", "inbound_method", "use_inbound_webhook_on_number",
            "status_callback", "usecase", "us_app_to_person_registered")
_CAMPAIGN = ("sid", "campaign_id", "campaign_status", "us_app_to_person_usecase", "brand_registration_sid",
             "messaging_service_sid", "description", "message_samples", "message_flow", "has_embedded_links",
             "has_embedded_phone", "opt_in_keywords", "opt_out_keywords", "help_keywords", "opt_in_message",
             "opt_out_message", "help_message", "privacy_policy_url", "terms_and_conditions_url",
             "rate_limits", "errors")
_BRAND = ("sid", "tcr_id", "status", "brand_type", "identity_status", "brand_score", "failure_reason", "errors")


def _pick(resource: dict | None, keys) -> dict | None:
    if resource is None:
        return None
    return {k: resource.get(k) for k in keys}


def snapshot(chain: Chain) -> dict:
    """The chain as stored and returned: {account, number, messaging_service, campaign,
    brand}, each a dict of what was read or None (not found, or not read). The account
    dict never carries the Auth Token Twilio returns with it."""
    number = None
    if chain.number_looked_up:
        number = _pick(chain.number, _NUMBER) or {"phone_number": chain.phone_number}
        number.update(owned=chain.number is not None,
                      kind=number_kind(chain.phone_number, (chain.number or {}).get("type")),
                      sms_capable=sms_capable(chain.number))
    service = _pick(chain.service, _SERVICE)
    if service is not None:
        service.update(phone_numbers=[p.get("phone_number") for p in chain.service_pool],
                       services_scanned=chain.services_scanned)
    brand = _pick(chain.brand, _BRAND)
    if brand is not None:
        facts = throughput_facts(chain.brand, chain.campaign or {})
        brand.update(tier=facts["tier"], daily_cap=facts["daily_cap"])
    return {"account": _pick(chain.account, _ACCOUNT), "number": number, "messaging_service": service,
            "campaign": _pick(chain.campaign, _CAMPAIGN), "brand": brand}


def chain_facts(check) -> dict:
    """What the send gate needs from a readiness check (a ReadinessCheck or its dict).

    Keys: credentials_valid, account_status, account_type, number_owned, sms_capable,
    number_kind ("local" | "toll_free" | "short_code" | "unknown"), in_service,
    service_sid, campaign_sid, campaign_status, use_case, brand_sid, brand_status,
    brand_type, brand_score, tier, daily_cap, has_embedded_links, has_embedded_phone.
    A value the check could not read is None (booleans: None = unknown).
    """
    chain = (check.get("chain") if isinstance(check, dict) else check.chain) or {}
    checks = (check.get("checks") if isinstance(check, dict) else check.checks) or []
    statuses = {c["id"]: c["status"] for c in checks}
    account = chain.get("account") or {}
    number = chain.get("number") or {}
    service = chain.get("messaging_service") or {}
    campaign = chain.get("campaign") or {}
    brand = chain.get("brand") or {}
    credentials = statuses.get("credentials.valid")
    number_read = bool(number)
    return {
        "credentials_valid": None if credentials is None else credentials != "fail",
        "account_status": account.get("status"),
        "account_type": account.get("type"),
        "number_owned": number.get("owned") if number_read else None,
        "sms_capable": number.get("sms_capable") if number_read else None,
        "number_kind": number.get("kind") or "unknown",
        "in_service": bool(service) if number_read else None,
        "service_sid": service.get("sid"),
        "campaign_sid": campaign.get("sid"),
        "campaign_status": campaign.get("campaign_status"),
        "use_case": campaign.get("us_app_to_person_usecase"),
        "brand_sid": brand.get("sid"),
        "brand_status": brand.get("status"),
        "brand_type": brand.get("brand_type"),
        "brand_score": brand.get("brand_score"),
        "tier": brand.get("tier"),
        "daily_cap": brand.get("daily_cap"),
        "has_embedded_links": campaign.get("has_embedded_links"),
        "has_embedded_phone": campaign.get("has_embedded_phone"),
    }
