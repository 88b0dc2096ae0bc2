"""The checks, in chain order: titles, prerequisites, the Twilio errors each prevents.

A check runs only when every prerequisite passed or warned; otherwise it is `skip`
(never `pass`), naming the prerequisite that stopped it. Dependencies follow the chain:

- credentials -> account.full, account.active -> number.owned;
- number.owned -> number.sms_capable, number.local_10dlc, delivery.carrier_errors;
- both number checks -> number.in_messaging_service -> service.* and (with
  account.full, since trial accounts cannot register) campaign.exists;
- campaign.exists -> campaign.verified, campaign.use_case, campaign.content_lint,
  brand.approved -> brand.identity_verified -> brand.throughput.

A sole-proprietor campaign whose service holds more than one number fails
`campaign.use_case` (the registration's scope, RULES.md: one number only).
"""
from __future__ import annotations

from . import checks_chain as c
from . import checks_registration as r
from .context import Context

# id: (title, prerequisites, default `prevents`, function)
CHECKS: dict[str, tuple] = {
    "credentials.valid": ("Twilio credentials are valid", (), ["20003"], c.credentials_valid),
    "account.active": ("Account is active", ("credentials.valid",), ["30002"], c.account_active),
    "account.full": ("Account is upgraded (not trial)", ("credentials.valid",), ["21608"], c.account_full),
    "number.owned": ("Number belongs to the account", ("account.active",), ["21606"], c.number_owned),
    "number.sms_capable": ("Number can send SMS", ("number.owned",), ["21606"], c.number_sms_capable),
    "number.local_10dlc": ("Number is a local 10DLC number", ("number.owned",), ["30034"], c.number_local_10dlc),
    "number.in_messaging_service": ("Number is in a Messaging Service sender pool",
                                    ("number.sms_capable", "number.local_10dlc"), ["30034"],
                                    c.number_in_messaging_service),
    "service.inbound_webhook": ("Replies reach Preflight (inbound webhook)", ("number.in_messaging_service",),
                                ["21610"], c.service_inbound_webhook),
    "service.status_callback": ("Delivery reports reach Preflight (status callback)",
                                ("number.in_messaging_service",), [], c.service_status_callback),
    "campaign.exists": ("Messaging Service has an A2P 10DLC campaign",
                        ("account.full", "number.in_messaging_service"), ["30034"], r.campaign_exists),
    "campaign.verified": ("Campaign is verified", ("campaign.exists",), ["30034"], r.campaign_verified),
    "campaign.use_case": ("Campaign use case fits the traffic", ("campaign.exists",), ["30007"],
                          r.campaign_use_case),
    "campaign.content_lint": ("Campaign content meets review rules", ("campaign.exists",), [],
                              r.campaign_content_lint),
    "brand.approved": ("Brand is approved", ("campaign.exists",), ["30034"], r.brand_approved),
    "brand.identity_verified": ("Brand identity is verified", ("brand.approved",), ["30034"],
                                r.brand_identity_verified),
    "brand.throughput": ("Brand throughput tier and daily cap", ("brand.identity_verified",),
                         ["30022", "30027"], r.brand_throughput),
    "delivery.carrier_errors": ("No carrier registration errors reported", ("number.owned",), ["30034"],
                                r.delivery_carrier_errors),
}
CHECK_IDS: tuple[str, ...] = tuple(CHECKS)
STATUS_ORDER = ("ready", "ready_with_warnings", "not_ready")


def evaluate(ctx: Context) -> list[dict]:
    """Every check, in chain order, as the contract's check dicts."""
    results: dict[str, dict] = {}
    for check_id, (title, requires, prevents, fn) in CHECKS.items():
        blocked = [p for p in requires if results[p]["status"] in ("fail", "skip")]
        if blocked:
            cause = _root_failure(results, blocked[0])
            out = {"status": "skip",
                   "detail": f"Not checked: '{CHECKS[cause][0]}' ({cause}) failed.",
                   "remediation": f"Resolve '{CHECKS[cause][0]}' first, then run the check again.",
                   "evidence": {"blocked_by": blocked, "cause": cause}}
        else:
            out = fn(ctx)
        results[check_id] = {"id": check_id, "status": out["status"], "title": title, "detail": out["detail"],
                             "remediation": out["remediation"], "prevents": list(out.get("prevents", prevents)),
                             "evidence": out["evidence"]}
    return list(results.values())


def _root_failure(results: dict[str, dict], check_id: str) -> str:
    """The failed check a skipped one ultimately waits on."""
    while results[check_id]["status"] == "skip":
        check_id = results[check_id]["evidence"]["cause"]
    return check_id


def overall_status(checks: list[dict]) -> str:
    """not_ready if any check failed; ready_with_warnings if any warned; else ready."""
    statuses = {ch["status"] for ch in checks}
    if "fail" in statuses:
        return "not_ready"
    if "warn" in statuses:
        return "ready_with_warnings"
    return "ready"
