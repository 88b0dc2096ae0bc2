"""Checks on the registration: campaign, brand, throughput and reported carrier errors."""
from __future__ import annotations

from ..law.registration import (ATT_MESSAGES_PER_MINUTE, IDENTITY_VERIFIED_STATUSES, MARKETING_USE_CASES,
                                NOTIFICATION_USE_CASES, brand_tier)
from .context import CONSOLE_BRANDS, CONSOLE_CAMPAIGNS, CONSOLE_SERVICES, Context, outcome, twilio_errors_text
from .lint import ALL_CODES, lint_campaign

SOLE_PROPRIETOR = "SOLE_PROPRIETOR"


def _quoted(errors, failure_reason: str | None = None) -> str:
    text = "; ".join(t for t in (failure_reason, twilio_errors_text(errors)) if t)
    return f" Twilio reported: {text}." if text else ""


def campaign_exists(ctx: Context) -> dict:
    """The service holding the number has a US A2P 10DLC campaign."""
    chain = ctx.chain
    service_sid = (chain.service or {}).get("sid")
    campaign = chain.campaign
    if campaign is not None:
        return outcome("pass", f"Messaging Service {ctx.service_label} has US A2P campaign {campaign.get('sid')}.",
                       evidence={"service_sid": service_sid, "campaign_sid": campaign.get("sid"),
                                 "tcr_campaign_id": campaign.get("campaign_id")})
    return outcome(
        "fail", f"Messaging Service {ctx.service_label} has no US A2P 10DLC campaign, so its numbers are "
        "unregistered and US messages are blocked (30034).",
        f"Register a campaign for this service: {CONSOLE_CAMPAIGNS} > Register a campaign, choose the approved "
        f"brand and Messaging Service {service_sid}, then wait for it to be VERIFIED.",
        {"service_sid": service_sid, "campaigns": 0})


def campaign_verified(ctx: Context) -> dict:
    """The campaign's status is VERIFIED."""
    campaign = ctx.chain.campaign or {}
    sid, status = campaign.get("sid"), campaign.get("campaign_status")
    evidence = {"campaign_sid": sid, "campaign_status": status, "errors": campaign.get("errors") or []}
    if status == "VERIFIED":
        return outcome("pass", f"Campaign {sid} is VERIFIED.", evidence=evidence)
    detail = f"Campaign {sid} is {status}: until it is VERIFIED carriers block US messages from its numbers (30034)."
    quoted = _quoted(campaign.get("errors"))
    if status in ("PENDING", "IN_PROGRESS"):
        fix = ("The campaign is still in review (usually a few business days); nothing to submit. Keep US "
               "marketing paused and run this check again later." + quoted)
    elif status == "FAILED":
        fix = (f"Correct what the reviewers rejected and resubmit: {CONSOLE_CAMPAIGNS} > {sid} > Edit." + quoted
               if quoted else f"Open {CONSOLE_CAMPAIGNS} > {sid} to read the rejection, correct it and resubmit.")
    elif status == "SUSPENDED":
        fix = (f"The campaign was suspended (often after carrier complaints). Open a ticket with Twilio Support "
               f"(Console > Help > Create a ticket) quoting campaign {sid} to learn the cause and appeal." + quoted)
    else:
        fix = f"Open {CONSOLE_CAMPAIGNS} > {sid} to see why it is not verified." + quoted
    brand = ctx.chain.brand
    if brand is not None and brand.get("status") != "APPROVED":
        fix += (f" Its brand {brand.get('sid')} is {brand.get('status')}: the campaign cannot be verified "
                "before the brand is APPROVED (see brand.approved).")
    return outcome("fail", detail, fix, evidence)


def campaign_use_case(ctx: Context) -> dict:
    """The use case allows what will be sent, and a sole-proprietor campaign holds one number only."""
    campaign, brand = ctx.chain.campaign or {}, ctx.chain.brand or {}
    use_case = (campaign.get("us_app_to_person_usecase") or "").upper() or None
    pool = [p.get("phone_number") for p in ctx.chain.service_pool]
    sole = brand.get("brand_type") == SOLE_PROPRIETOR or use_case == SOLE_PROPRIETOR
    evidence = {"campaign_sid": campaign.get("sid"), "use_case": use_case, "brand_type": brand.get("brand_type"),
                "sender_pool": pool}
    if sole and len(pool) > 1:
        others = ", ".join(p for p in pool if p != ctx.phone) or "the other numbers"
        return outcome(
            "fail", f"A sole-proprietor campaign may register one number only, but Messaging Service "
            f"{ctx.service_label} holds {len(pool)}: carriers treat the extra numbers as unregistered (30034).",
            f"In {CONSOLE_SERVICES} > {ctx.service_label} > Sender Pool, remove {others} and keep only "
            f"{ctx.phone}; move other numbers to a service with a standard-brand campaign.",
            evidence, prevents=["30034"])
    if use_case is None:
        return outcome("warn", f"Campaign {campaign.get('sid')} has no use case; marketing sends will be blocked.",
                       f"Check the campaign's use case in {CONSOLE_CAMPAIGNS} > {campaign.get('sid')}.", evidence)
    if use_case in MARKETING_USE_CASES:
        return outcome("pass", f"Use case {use_case} allows marketing and informational messages.",
                       evidence=evidence)
    kind = "notification-only" if use_case in NOTIFICATION_USE_CASES else "not known to allow marketing"
    return outcome(
        "warn", f"Use case {use_case} is {kind}: informational and security messages are fine, but marketing "
        "sends are blocked (use_case_mismatch) and carriers filter off-use-case traffic (30007).",
        f"To send marketing, register a MARKETING or MIXED campaign for this service ({CONSOLE_CAMPAIGNS} > "
        "Register a campaign); Twilio allows one campaign per Messaging Service, so use a second service "
        "and number for it.", evidence)


def campaign_content_lint(ctx: Context) -> dict:
    """The campaign's registered content passes the reviewers' checklist."""
    campaign = ctx.chain.campaign or {}
    findings = lint_campaign(campaign, ctx.brand_names)
    evidence = {"campaign_sid": campaign.get("sid"), "findings": findings}
    if not findings:
        return outcome("pass", "The campaign's description, samples, opt-in flow and replies meet the "
                       "reviewers' checklist.", evidence=evidence, prevents=ALL_CODES)
    listing = " ".join(f"[{f['code']}] {f['field']}: {f['message']}" for f in findings)
    return outcome(
        "warn", f"{len(findings)} item(s) in the campaign's registered content would be rejected on a new or "
        "resubmitted registration.",
        f"Fix these in {CONSOLE_CAMPAIGNS} > {campaign.get('sid')} before the next (re)submission: {listing}",
        evidence, prevents=sorted({f["code"] for f in findings}))


def brand_approved(ctx: Context) -> dict:
    """The campaign's brand is APPROVED."""
    chain = ctx.chain
    brand_sid = (chain.campaign or {}).get("brand_registration_sid")
    brand = chain.brand
    if brand is None:
        why = f"names brand {brand_sid}, which Twilio does not know" if brand_sid else "names no brand"
        return outcome("fail", f"Campaign {(chain.campaign or {}).get('sid')} {why}.",
                       f"Register the brand in {CONSOLE_BRANDS} > Register a brand, then register the campaign "
                       "under it.", {"brand_sid": brand_sid})
    sid, status = brand.get("sid"), brand.get("status")
    evidence = {"brand_sid": sid, "status": status, "tcr_id": brand.get("tcr_id"),
                "failure_reason": brand.get("failure_reason"), "errors": brand.get("errors") or []}
    if status == "APPROVED":
        return outcome("pass", f"Brand {sid} is APPROVED.", evidence=evidence)
    quoted = _quoted(brand.get("errors"), brand.get("failure_reason"))
    detail = f"Brand {sid} is {status}: only an APPROVED brand's campaigns may send (30034)."
    if status in ("PENDING", "IN_REVIEW"):
        fix = "The brand is still in review (minutes to a few days); nothing to submit yet. Run this check again later."
    elif status == "FAILED":
        fix = (f"Correct the business details in {CONSOLE_BRANDS} > {sid} (legal name, EIN and address must match "
               "the IRS records exactly), or in Console > Trust Hub > Customer profiles, then resubmit.")
    elif status == "SUSPENDED":
        fix = (f"Open a ticket with Twilio Support (Console > Help > Create a ticket) quoting brand {sid} and its "
               "TCR id to learn why it was suspended and appeal.")
    else:
        fix = f"The brand is being deleted; register a new brand in {CONSOLE_BRANDS} and a campaign under it."
    return outcome("fail", detail, fix + quoted, evidence)


def brand_identity_verified(ctx: Context) -> dict:
    """The brand's identity was verified (EIN and legal name checked)."""
    brand = ctx.chain.brand or {}
    sid, identity, brand_type = brand.get("sid"), brand.get("identity_status"), brand.get("brand_type")
    evidence = {"brand_sid": sid, "identity_status": identity, "brand_type": brand_type}
    if identity in IDENTITY_VERIFIED_STATUSES or (identity == "SELF_DECLARED" and brand_type == SOLE_PROPRIETOR):
        return outcome("pass", f"Brand {sid} identity is {identity}.", evidence=evidence)
    fix = (f"Make the Customer Profile match the IRS records exactly (Console > Trust Hub > Customer profiles), "
           f"then resubmit brand {sid} ({CONSOLE_BRANDS})." + _quoted(brand.get("errors"), brand.get("failure_reason")))
    if identity == "UNVERIFIED":
        return outcome("fail", f"Brand {sid} identity is UNVERIFIED: the business could not be matched to its "
                       "tax records, so carriers treat its traffic as unregistered (30034).", fix, evidence)
    return outcome("warn", f"Brand {sid} identity is {identity or 'not reported'}: carriers give unvetted brands "
                   "the lowest throughput.", f"Request secondary vetting in {CONSOLE_BRANDS} > {sid} > Vetting, "
                   "or " + fix[0].lower() + fix[1:], evidence)


def brand_throughput(ctx: Context) -> dict:
    """Informational: the brand's T-Mobile tier and daily cap, the campaign's AT&T class."""
    brand, campaign = ctx.chain.brand or {}, ctx.chain.campaign or {}
    facts = throughput_facts(brand, campaign)
    per_min = facts["att_messages_per_minute"]
    att = (f"; AT&T class {facts['att_class']}: {per_min:,} messages per minute for this campaign"
           if per_min else "")
    detail = (f"T-Mobile tier {facts['tier']}: up to {facts['daily_cap']:,} segments a day for the brand, reset at "
              f"midnight Pacific (30027 beyond it){att}.")
    fix = "" if facts["tier"] == "TOP" else (
        f"To raise the cap, request secondary vetting for brand {brand.get('sid')} in {CONSOLE_BRANDS} > Vetting."
        if brand.get("brand_type") != SOLE_PROPRIETOR else
        "A sole-proprietor brand is capped at 1,000 segments a day; register a standard brand for more.")
    return outcome("pass", detail, fix, {"brand_sid": brand.get("sid"), **facts})


def throughput_facts(brand: dict, campaign: dict) -> dict:
    """Tier, daily cap and AT&T class from the brand and the campaign's `rate_limits`."""
    rate_limits = campaign.get("rate_limits") if isinstance(campaign.get("rate_limits"), dict) else {}
    tier, cap = brand_tier(brand.get("brand_type"), brand.get("brand_score"), rate_limits)
    att = rate_limits.get("att") if isinstance(rate_limits.get("att"), dict) else {}
    att_class = str(att.get("msg_class") or "").upper() or None
    tmobile = rate_limits.get("tmobile") if isinstance(rate_limits.get("tmobile"), dict) else {}
    return {"tier": tier, "daily_cap": cap, "brand_score": brand.get("brand_score"),
            "brand_type": brand.get("brand_type"), "tmobile_brand_tier": tmobile.get("brand_tier"),
            "att_class": att_class, "att_messages_per_minute": ATT_MESSAGES_PER_MINUTE.get(att_class or "")}


def delivery_carrier_errors(ctx: Context) -> dict:
    """No 30034 was reported for the number since the previous complete check."""
    since = ctx.carrier_since.isoformat() if ctx.carrier_since else None
    errors = ctx.carrier_errors
    evidence = {"phone_number": ctx.phone, "since": since, "count": len(errors),
                "errors": errors[:20]}
    window = f"since the previous check ({since})" if since else "so far"
    if not errors:
        return outcome("pass", f"Twilio reported no registration errors for {ctx.phone} {window}.", evidence=evidence)
    codes = sorted({e["error_code"] for e in errors})
    pool = (f"{CONSOLE_SERVICES} > {ctx.service_label} > Sender Pool" if ctx.chain.service
            else "the sender pool of the Messaging Service that holds the campaign")
    return outcome(
        "fail", f"Twilio reported {len(errors)} undelivered message(s) from {ctx.phone} with error "
        f"{', '.join(codes)} (unregistered 10DLC number) {window}.",
        "Fix any failing check above. If every other check passes, the number may still be joining the "
        f"campaign: confirm in {pool} that {ctx.phone} is listed, "
        "wait until the campaign shows it as registered, then run this check again.", evidence)
