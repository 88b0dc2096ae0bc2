"""US A2P 10DLC registration facts: use cases, statuses, carrier throughput.

Sources: Twilio A2P 10DLC docs (BrandRegistrations, Usa2p campaign resource, "A2P
10DLC throughput and volume limits"), the twilio-oai OpenAPI documents and RULES.md:

- Use cases that allow marketing: MARKETING, MIXED, LOW_VOLUME (low-volume mixed) and
  the special cases AGENTS_FRANCHISES, POLITICAL, CHARITY, SWEEPSTAKE; SOLE_PROPRIETOR
  campaigns are mixed-content by definition. Notification-only: 2FA,
  ACCOUNT_NOTIFICATION, CUSTOMER_CARE, DELIVERY_NOTIFICATION, FRAUD_ALERT,
  SECURITY_ALERT, HIGHER_EDUCATION, POLLING_VOTING, PUBLIC_SERVICE_ANNOUNCEMENT. Any
  use case not listed is treated as not allowing marketing.
- Brand status: only APPROVED may send. Campaign status: only VERIFIED is ready.
- T-Mobile daily cap per brand, in segments, reset at midnight America/Los_Angeles:
  TOP 200,000; HIGH_MID 40,000; LOW_MID 10,000; LOW (and low-volume standard) 2,000;
  sole proprietor 1,000. Tiers follow the brand score: 75+, 50-74, 25-49, below 25.
- AT&T per-campaign messages per minute by class: A/B 4,500; C/D 2,400; E/F 240; T 75.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MARKETING_USE_CASES = frozenset(
    {"MARKETING", "MIXED", "LOW_VOLUME", "AGENTS_FRANCHISES", "POLITICAL", "CHARITY",
     "SWEEPSTAKE", "SOLE_PROPRIETOR"}
)
NOTIFICATION_USE_CASES = frozenset(
    {"2FA", "ACCOUNT_NOTIFICATION", "CUSTOMER_CARE", "DELIVERY_NOTIFICATION",
     "FRAUD_ALERT", "SECURITY_ALERT", "HIGHER_EDUCATION", "POLLING_VOTING",
     "PUBLIC_SERVICE_ANNOUNCEMENT"}
)

BRAND_STATUSES = ("PENDING", "IN_REVIEW", "APPROVED", "FAILED", "SUSPENDED",
                  "DELETION_PENDING", "DELETION_FAILED")
BRAND_SENDABLE_STATUS = "APPROVED"
IDENTITY_STATUSES = ("SELF_DECLARED", "UNVERIFIED", "VERIFIED", "VETTED_VERIFIED")
IDENTITY_VERIFIED_STATUSES = frozenset({"VERIFIED", "VETTED_VERIFIED"})
BRAND_TYPES = ("STANDARD", "SOLE_PROPRIETOR")
CAMPAIGN_STATUSES = ("PENDING", "IN_PROGRESS", "VERIFIED", "FAILED", "SUSPENDED")
CAMPAIGN_READY_STATUS = "VERIFIED"

TMOBILE_DAILY_CAPS: dict[str, int] = {
    "TOP": 200_000,
    "HIGH_MID": 40_000,
    "LOW_MID": 10_000,
    "LOW": 2_000,
    "SOLE_PROPRIETOR": 1_000,
}
# (minimum brand score, tier), highest first.
SCORE_TIERS: tuple[tuple[int, str], ...] = ((75, "TOP"), (50, "HIGH_MID"), (25, "LOW_MID"), (0, "LOW"))

ATT_MESSAGES_PER_MINUTE: dict[str, int] = {
    "A": 4_500, "B": 4_500, "C": 2_400, "D": 2_400, "E": 240, "F": 240, "T": 75,
}


def allows_marketing(use_case: str | None) -> bool:
    """Whether a campaign use case may carry marketing messages."""
    return (use_case or "").upper() in MARKETING_USE_CASES


def brand_tier(
    brand_type: str | None,
    brand_score: int | None,
    rate_limits: Mapping[str, Any] | None = None,
) -> tuple[str, int]:
    """The brand's T-Mobile tier and daily segment cap.

    A sole-proprietor brand is capped at 1,000. Otherwise the tier Twilio reports in
    the campaign's ``rate_limits`` (``{"tmobile": {"brand_tier": "TOP"}}``) wins; without
    it the brand score decides, and a brand without a score (low-volume standard, not
    vetted) is LOW.
    """
    if (brand_type or "").upper() == "SOLE_PROPRIETOR":
        return "SOLE_PROPRIETOR", TMOBILE_DAILY_CAPS["SOLE_PROPRIETOR"]
    tmobile = (rate_limits or {}).get("tmobile") if isinstance(rate_limits, Mapping) else None
    reported = tmobile.get("brand_tier") if isinstance(tmobile, Mapping) else None
    if isinstance(reported, str) and reported.upper() in TMOBILE_DAILY_CAPS:
        tier = reported.upper()
        return tier, TMOBILE_DAILY_CAPS[tier]
    score = brand_score if isinstance(brand_score, int) and not isinstance(brand_score, bool) else 0
    for minimum, tier in SCORE_TIERS:
        if score >= minimum:
            return tier, TMOBILE_DAILY_CAPS[tier]
    return "LOW", TMOBILE_DAILY_CAPS["LOW"]
