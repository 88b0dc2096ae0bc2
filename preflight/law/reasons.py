"""Every reason and warning code of the send gate, with its default message and source.

Codes and severities: CONTRACT.md section 5 "Reason codes". Each entry's ``rule``
cites where the rule comes from (statute, regulation, CTIA principle or Twilio error);
callers override it where the source depends on the case (a state's quiet hours, the
consent rule of the message's category).
"""

from __future__ import annotations

from dataclasses import dataclass

from preflight.law.quiet_hours import FEDERAL_RULE, FREQUENCY_CAPS


@dataclass(frozen=True)
class Reason:
    """A reason code's severity, default message and default rule citation."""

    severity: str  # "block" or "warning"
    message: str
    rule: str


_UNREGISTERED = "Twilio error 30034"

REASONS: dict[str, Reason] = {
    # Registration chain (US destinations only).
    "not_connected": Reason("block", "No Twilio account is connected to this workspace.",
                            "Preflight connection"),
    "readiness_unknown": Reason("block", "No readiness check has run for this workspace.",
                                _UNREGISTERED),
    "readiness_stale": Reason("block", "The last readiness check is too old and a fresh one "
                              "could not complete.", _UNREGISTERED),
    "account_not_active": Reason("block", "The Twilio account is not active.",
                                 "Twilio error 30002"),
    "trial_account": Reason("block", "Trial accounts cannot register for A2P 10DLC.",
                            "Twilio error 21608"),
    "number_not_owned": Reason("block", "The sending number is not in the Twilio account.",
                               "Twilio error 21606"),
    "number_not_sms_capable": Reason("block", "The sending number cannot send SMS.",
                                     "Twilio error 21606"),
    "number_not_10dlc": Reason("block", "The sending number is not a local 10DLC number "
                               "(toll-free or short code).", _UNREGISTERED),
    "number_not_in_messaging_service": Reason(
        "block", "The sending number is not in a Messaging Service sender pool.", _UNREGISTERED),
    "campaign_missing": Reason("block", "The Messaging Service has no A2P 10DLC campaign.",
                               _UNREGISTERED),
    "campaign_not_verified": Reason("block", "The A2P 10DLC campaign is not verified.",
                                    _UNREGISTERED),
    "brand_not_approved": Reason("block", "The A2P 10DLC brand is not approved.",
                                 _UNREGISTERED),
    "use_case_mismatch": Reason("block", "The campaign's use case does not allow marketing "
                                "messages.", "Twilio A2P 10DLC campaign use case"),
    "carrier_registration_error": Reason(
        "block", "Twilio reported an unregistered-number error for this sender since the "
        "last readiness check.", _UNREGISTERED),
    # Recipient.
    "invalid_number": Reason("block", "The recipient is not a valid phone number.",
                             "Twilio error 21211"),
    "opted_out": Reason("block", "The recipient has opted out.", "47 CFR 64.1200(a)(10)"),
    "no_consent": Reason("block", "No prior express written consent for marketing messages.",
                         "47 CFR 64.1200(a)(2)"),
    "quiet_hours": Reason("block", "Outside the allowed hours at the recipient's location.",
                          FEDERAL_RULE),
    "frequency_cap": Reason("block", "Three marketing messages already sent to this recipient "
                            "in the last 24 hours.",
                            "; ".join(cap.rule for cap in FREQUENCY_CAPS.values())),
    # Content.
    "content_missing_opt_out": Reason(
        "block", "The first marketing message to this recipient must say how to opt out "
        "(e.g. \"Reply STOP to opt out\").", "CTIA Messaging Principles 5.1.2.1"),
    "content_public_shortener": Reason("block", "The message uses a public URL shortener.",
                                       "Twilio error 30892"),
    # Account.
    "insufficient_credits": Reason("block", "Not enough messaging credits for this message.",
                                   "Preflight credits"),
    "daily_cap_reached": Reason("block", "The brand's T-Mobile daily segment cap is reached "
                                "until midnight Pacific.", "Twilio error 30027"),
    # Warnings (never block).
    "content_insecure_link": Reason("warning", "The message links over http://; use https://.",
                                    "Twilio errors 30963, 30964"),
    "content_undeclared_link": Reason("warning", "The message has a link but the campaign "
                                      "declares none.", "Twilio error 30889"),
    "content_undeclared_phone": Reason("warning", "The message has a phone number but the "
                                       "campaign declares none.", "Twilio error 30889"),
    "content_restricted_topic": Reason("warning", "The message mentions a restricted topic "
                                       "(SHAFT or similar) that carriers filter or age-gate.",
                                       "Twilio errors 30940-30958"),
    "recipient_location_uncertain": Reason(
        "warning", "The number has no geographic location; quiet hours were checked in every "
        "contiguous US time zone.", FEDERAL_RULE),
}

# The consent rule depends on the message category (CONTRACT.md section 5).
NO_CONSENT_RULES = {
    "marketing": "47 CFR 64.1200(a)(2)",
    "informational": "47 CFR 64.1200(a)(1)",
}
NO_CONSENT_MESSAGES = {
    "marketing": "No prior express written consent for marketing messages.",
    "informational": "No prior express consent for informational messages.",
}

BLOCK_CODES = frozenset(code for code, r in REASONS.items() if r.severity == "block")
WARNING_CODES = frozenset(code for code, r in REASONS.items() if r.severity == "warning")


def finding(code: str, message: str | None = None, rule: str | None = None) -> dict[str, str]:
    """A reason or warning as the API shows it: ``{code, message, rule, severity}``.

    ``message`` and ``rule`` default to the catalogue's. An unknown code raises
    KeyError: every code the gate emits must be in the catalogue.
    """
    reason = REASONS[code]
    return {
        "code": code,
        "message": message if message is not None else reason.message,
        "rule": rule if rule is not None else reason.rule,
        "severity": reason.severity,
    }
