"""The law data modules: catalogue completeness, lookups, and their isolation."""
from __future__ import annotations

import ast
from datetime import time, timedelta
from pathlib import Path

import pytest

from preflight.law import RULESET_VERSION
from preflight.law.geo_corrections import corrected_zones
from preflight.law.keywords import HELP_WORDS, OPT_IN_WORDS, OPT_OUT_WORDS
from preflight.law.quiet_hours import FEDERAL_RULE, cap_for, windows_for
from preflight.law.reasons import BLOCK_CODES, REASONS, WARNING_CODES, finding
from preflight.law.registration import allows_marketing, brand_tier
from preflight.law.twilio_errors import lookup

CONTRACT_BLOCKS = {
    "not_connected", "readiness_unknown", "readiness_stale", "account_not_active",
    "trial_account", "number_not_owned", "number_not_sms_capable", "number_not_10dlc",
    "number_not_in_messaging_service", "campaign_missing", "campaign_not_verified",
    "brand_not_approved", "use_case_mismatch", "carrier_registration_error",
    "invalid_number", "opted_out", "no_consent", "quiet_hours", "frequency_cap",
    "content_missing_opt_out", "content_public_shortener", "insufficient_credits",
    "daily_cap_reached",
}
CONTRACT_WARNINGS = {
    "content_insecure_link", "content_undeclared_link", "content_undeclared_phone",
    "content_restricted_topic", "recipient_location_uncertain",
}


def test_ruleset_version():
    assert RULESET_VERSION == "2026.12.1"


def test_catalogue_matches_contract_codes_and_severities():
    assert BLOCK_CODES == CONTRACT_BLOCKS
    assert WARNING_CODES == CONTRACT_WARNINGS
    assert all(r.message and r.rule for r in REASONS.values())


@pytest.mark.parametrize("code, rule", [
    ("campaign_not_verified", "Twilio error 30034"),
    ("opted_out", "47 CFR 64.1200(a)(10)"),
    ("no_consent", "47 CFR 64.1200(a)(2)"),
    ("quiet_hours", "47 CFR 64.1200(c)(1)"),
    ("content_missing_opt_out", "CTIA Messaging Principles 5.1.2.1"),
    ("content_public_shortener", "Twilio error 30892"),
    ("insufficient_credits", "Preflight credits"),
    ("daily_cap_reached", "Twilio error 30027"),
])
def test_default_rules(code, rule):
    assert finding(code)["rule"] == rule


def test_finding_shape_and_overrides():
    assert finding("quiet_hours", "late", "Fla. Stat. 501.616(6)(a)") == {
        "code": "quiet_hours", "message": "late", "rule": "Fla. Stat. 501.616(6)(a)",
        "severity": "block",
    }
    assert finding("content_insecure_link")["severity"] == "warning"
    with pytest.raises(KeyError):
        finding("no_such_code")


@pytest.mark.parametrize("state, weekday, start, end", [
    (None, 0, 8, 21), ("GA", 6, 8, 21), ("FL", 2, 8, 20), ("WA", 5, 8, 20),
    ("CT", 0, 9, 20), ("NV", 6, 9, 20), ("TX", 5, 9, 21), ("TX", 6, 12, 21),
])
def test_state_windows(state, weekday, start, end):
    window = windows_for(state).on(weekday)
    assert (window.start, window.end) == (time(start), time(end))


def test_federal_rule_and_caps():
    assert windows_for("GA").rule == FEDERAL_RULE == "47 CFR 64.1200(c)(1)"
    assert windows_for("TX").rule == "Tex. Bus. & Com. Code 301.051"
    for state in ("FL", "OK", "MD"):
        cap = cap_for(state)
        assert cap.limit == 3 and cap.period == timedelta(hours=24) and cap.rule
    assert cap_for("GA") is None and cap_for(None) is None


def test_keywords():
    assert OPT_OUT_WORDS == {"stop", "stopall", "unsubscribe", "cancel", "end", "quit",
                             "revoke", "optout"}
    assert OPT_IN_WORDS == {"start", "yes", "unstop"}
    assert HELP_WORDS == {"help", "info"}


@pytest.mark.parametrize("brand_type, score, limits, expected", [
    ("SOLE_PROPRIETOR", 90, None, ("SOLE_PROPRIETOR", 1_000)),
    ("STANDARD", 80, None, ("TOP", 200_000)),
    ("STANDARD", 75, None, ("TOP", 200_000)),
    ("STANDARD", 74, None, ("HIGH_MID", 40_000)),
    ("STANDARD", 50, None, ("HIGH_MID", 40_000)),
    ("STANDARD", 49, None, ("LOW_MID", 10_000)),
    ("STANDARD", 25, None, ("LOW_MID", 10_000)),
    ("STANDARD", 24, None, ("LOW", 2_000)),
    ("STANDARD", None, None, ("LOW", 2_000)),
    ("STANDARD", 10, {"tmobile": {"brand_tier": "TOP"}}, ("TOP", 200_000)),
    ("STANDARD", 80, {"tmobile": {"brand_tier": "bogus"}}, ("TOP", 200_000)),
])
def test_brand_tier(brand_type, score, limits, expected):
    assert brand_tier(brand_type, score, limits) == expected


def test_use_cases():
    assert allows_marketing("MARKETING") and allows_marketing("mixed")
    assert allows_marketing("LOW_VOLUME")
    assert not allows_marketing("ACCOUNT_NOTIFICATION")
    assert not allows_marketing("2FA") and not allows_marketing(None)


def test_twilio_error_mapping():
    assert lookup(21610).maps_to == "opted_out"
    assert lookup("21211").maps_to == "invalid_number"
    assert lookup(30034).maps_to == "carrier_registration_error"
    assert lookup(30027).maps_to == "daily_cap_reached"
    assert lookup(30022).retryable and not lookup(21610).retryable
    assert lookup(99999) is None and lookup("x") is None and lookup(None) is None
    assert all(e.maps_to is None or e.maps_to in REASONS for e in
               (lookup(c) for c in (20003, 20404, 21211, 21408, 21606, 21608, 21610,
                                    21612, 30003, 30005, 30006, 30007, 30024, 30035)))


def test_geo_corrections():
    assert corrected_zones("6895551234") == ("America/New_York",)
    assert corrected_zones("3645551234") == ("America/Chicago",)
    assert corrected_zones("4045551234") is None


def test_law_imports_nothing_else_from_the_project():
    law_dir = Path(__file__).resolve().parents[2] / "preflight" / "law"
    for path in law_dir.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not name.startswith("preflight") or name.startswith("preflight.law"), (
                    f"{path.name} imports {name}")
