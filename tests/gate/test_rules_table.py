"""The gate's decision, table-driven, at fixed instants: every reason code produced
and not produced at its edges. Pure: contexts are built directly, no database."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from preflight.gate.context import (READINESS_OK, READINESS_STALE, READINESS_UNKNOWN, AccountFacts, ConsentView,
                                    GateContext, MessageFacts, RecipientFacts)
from preflight.gate.decide import decide
from preflight.gate.places import classify, places_for
from preflight.law.reasons import REASONS

ET, CT, PT = ZoneInfo("America/New_York"), ZoneInfo("America/Chicago"), ZoneInfo("America/Los_Angeles")
UTC = timezone.utc
OK_BODY = "Acme: spring sale today. Reply STOP to opt out."

COMPLIANT_CHAIN = {
    "credentials_valid": True, "account_status": "active", "account_type": "Full", "number_owned": True,
    "sms_capable": True, "number_kind": "local", "in_service": True, "campaign_status": "VERIFIED",
    "use_case": "MARKETING", "brand_status": "APPROVED", "brand_type": "STANDARD", "tier": "TOP",
    "daily_cap": 200_000, "has_embedded_links": True, "has_embedded_phone": False,
}

NY, TX, CTN, FL, OK, MD, GA = ("+12125550123", "+15125550123", "+12035550123", "+13055550123",
                               "+14055550123", "+14105550123", "+14045550123")
TWO_ZONE = "+14485550123"  # FL panhandle overlay: Eastern and Central
TOLL_FREE = "+18885550100"
CANADA = "+14165550123"


def local(zone, *parts) -> datetime:
    return datetime(*parts, tzinfo=zone)


def account(**kw) -> AccountFacts:
    chain = dict(COMPLIANT_CHAIN, **kw.pop("chain", {}))
    base = dict(workspace_id="ws_test", connected=True, sender="+14155550100", readiness=READINESS_OK,
                chain=chain, check_id="rc_1", mode="send")
    base.update(kw)
    return AccountFacts(**base)


def context(to=NY, *, at, body=OK_BODY, category="marketing", consent=None, postal_code=None, sent=(),
            first=False, acct=None) -> GateContext:
    info = classify(to)
    view = consent if consent is not None else ConsentView(marketing=True, informational=True,
                                                           postal_code=postal_code)
    if postal_code and consent is not None:
        view = ConsentView(consent.marketing, consent.informational, consent.opted_out, postal_code)
    rec = RecipientFacts(info=info, places=places_for(info, view.postal_code), consent=view,
                         sent_times=tuple(sent), first_marketing=first)
    return GateContext(acct or account(), MessageFacts.analyse(body, category), rec, at)


def codes(ctx) -> list[str]:
    return decide(ctx).codes


def warning_codes(ctx) -> list[str]:
    return [w["code"] for w in decide(ctx).warnings]


# -- quiet hours: (number, local instant, allowed?, expected next_allowed_at) ----------------------
QUIET = [
    ("federal 20:59", NY, local(ET, 2026, 6, 2, 20, 59), True, None),
    ("federal 21:00", NY, local(ET, 2026, 6, 2, 21, 0), False, local(ET, 2026, 6, 3, 8, 0)),
    ("federal 07:59", NY, local(ET, 2026, 6, 2, 7, 59), False, local(ET, 2026, 6, 2, 8, 0)),
    ("federal 08:00", NY, local(ET, 2026, 6, 2, 8, 0), True, None),
    ("spring-forward day 07:59 EDT", NY, local(ET, 2026, 3, 8, 7, 59), False,
     datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
    ("spring-forward day 08:00 EDT", NY, local(ET, 2026, 3, 8, 8, 0), True, None),
    ("spring-forward night 02:30 UTC-gap", NY, datetime(2026, 3, 8, 7, 30, tzinfo=UTC), False,
     datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
    ("fall-back day 07:59 EST", NY, local(ET, 2026, 11, 1, 7, 59), False,
     datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
    ("fall-back day 08:00 EST", NY, local(ET, 2026, 11, 1, 8, 0), True, None),
    ("fall-back repeated 01:30", NY, datetime(2026, 11, 1, 6, 30, tzinfo=UTC), False,
     datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
    ("fall-back day 20:59 EST", NY, local(ET, 2026, 11, 1, 20, 59), True, None),
    ("TX Sunday 11:59", TX, local(CT, 2026, 6, 7, 11, 59), False, local(CT, 2026, 6, 7, 12, 0)),
    ("TX Sunday 12:00", TX, local(CT, 2026, 6, 7, 12, 0), True, None),
    ("TX Saturday 08:59", TX, local(CT, 2026, 6, 6, 8, 59), False, local(CT, 2026, 6, 6, 9, 0)),
    ("TX Saturday 09:00", TX, local(CT, 2026, 6, 6, 9, 0), True, None),
    ("TX Saturday 21:00 -> Sunday noon", TX, local(CT, 2026, 6, 6, 21, 0), False, local(CT, 2026, 6, 7, 12, 0)),
    ("CT 08:59", CTN, local(ET, 2026, 6, 2, 8, 59), False, local(ET, 2026, 6, 2, 9, 0)),
    ("CT 09:00", CTN, local(ET, 2026, 6, 2, 9, 0), True, None),
    ("CT 19:59", CTN, local(ET, 2026, 6, 2, 19, 59), True, None),
    ("CT 20:00", CTN, local(ET, 2026, 6, 2, 20, 0), False, local(ET, 2026, 6, 3, 9, 0)),
    ("FL 19:59", FL, local(ET, 2026, 6, 2, 19, 59), True, None),
    ("FL 20:00", FL, local(ET, 2026, 6, 2, 20, 0), False, local(ET, 2026, 6, 3, 8, 0)),
    ("two zones, Central 07:30 (Eastern 08:30)", TWO_ZONE, local(CT, 2026, 6, 2, 7, 30), False,
     local(CT, 2026, 6, 2, 8, 0)),
    ("two zones, Central 08:00", TWO_ZONE, local(CT, 2026, 6, 2, 8, 0), True, None),
    ("two zones, Eastern 20:00 (Central 19:00)", TWO_ZONE, local(ET, 2026, 6, 2, 20, 0), False,
     local(CT, 2026, 6, 3, 8, 0)),
    ("two zones, Eastern 19:59", TWO_ZONE, local(ET, 2026, 6, 2, 19, 59), True, None),
    ("toll-free, Pacific 07:59", TOLL_FREE, local(PT, 2026, 6, 2, 7, 59), False, local(PT, 2026, 6, 2, 8, 0)),
    ("toll-free, Pacific 08:00 (Eastern 11:00)", TOLL_FREE, local(PT, 2026, 6, 2, 8, 0), True, None),
    ("toll-free, Eastern 21:00", TOLL_FREE, local(ET, 2026, 6, 2, 21, 0), False, local(PT, 2026, 6, 3, 8, 0)),
    ("Canada at 03:00 local: no US quiet hours", CANADA, local(ET, 2026, 6, 2, 3, 0), True, None),
]


@pytest.mark.parametrize("name,to,at,allowed,expected_next", QUIET, ids=[q[0] for q in QUIET])
def test_quiet_hours_edges(name, to, at, allowed, expected_next):
    decision = decide(context(to, at=at))
    assert decision.allowed is allowed, decision.reasons
    if allowed:
        assert "quiet_hours" not in decision.codes
        assert decision.next_allowed_at is None
    else:
        assert decision.codes == ["quiet_hours"]
        assert decision.next_allowed_at == expected_next.astimezone(UTC)
        assert decide(context(to, at=decision.next_allowed_at)).allowed


@pytest.mark.parametrize("category", ["informational", "security"])
def test_quiet_hours_are_for_marketing_only(category):
    assert decide(context(NY, at=local(ET, 2026, 6, 2, 23, 0), category=category)).allowed


def test_quiet_hours_reason_cites_the_state_rule():
    reason = decide(context(FL, at=local(ET, 2026, 6, 2, 20, 30))).reasons[0]
    assert reason["rule"] == "Fla. Stat. 501.616(6)(a)"
    assert reason["severity"] == "block"
    assert "20:30" in reason["message"]


def test_postal_code_in_another_state_adds_its_rules():
    at = local(ET, 2026, 6, 2, 20, 30)
    assert decide(context(NY, at=at)).allowed
    moved = decide(context(NY, at=at, postal_code="33101"))  # Miami, FL: 08:00-20:00
    assert moved.codes == ["quiet_hours"]
    assert moved.reasons[0]["rule"] == "Fla. Stat. 501.616(6)(a)"
    # ... and Florida's frequency cap follows the postal code too.
    base = local(ET, 2026, 6, 2, 12, 0)
    sent = [base - timedelta(hours=h) for h in (1, 2, 3)]
    assert decide(context(NY, at=base, sent=sent)).allowed
    assert decide(context(NY, at=base, sent=sent, postal_code="33101")).codes == ["frequency_cap"]


# -- frequency caps ----------------------------------------------------------------------------------
NOON_ET = local(ET, 2026, 6, 2, 12, 0)


@pytest.mark.parametrize("to,rule", [(FL, "Fla. Stat. 501.616(6)(b)"), (OK, "Okla. Stat. tit. 15, 775C.4"),
                                     (MD, "Md. Code, Com. Law 14-4503")])
def test_fourth_marketing_text_in_24h_is_capped(to, rule):
    sent = [NOON_ET - timedelta(hours=h) for h in (20, 5, 1)]
    decision = decide(context(to, at=NOON_ET, sent=sent))
    assert decision.codes == ["frequency_cap"]
    assert decision.reasons[0]["rule"] == rule
    assert decision.next_allowed_at == (NOON_ET - timedelta(hours=20) + timedelta(hours=24)).astimezone(UTC)
    # The third is still allowed.
    assert decide(context(to, at=NOON_ET, sent=sent[1:])).allowed


def test_fourth_marketing_text_to_georgia_is_allowed():
    sent = [NOON_ET - timedelta(hours=h) for h in (20, 5, 1)]
    assert decide(context(GA, at=NOON_ET, sent=sent)).allowed


def test_a_send_exactly_24h_old_no_longer_counts():
    sent = [NOON_ET - timedelta(hours=24), NOON_ET - timedelta(hours=5), NOON_ET - timedelta(hours=1)]
    assert decide(context(FL, at=NOON_ET, sent=sent)).allowed
    sent[0] += timedelta(seconds=1)
    assert decide(context(FL, at=NOON_ET, sent=sent)).codes == ["frequency_cap"]


def test_cap_is_marketing_only():
    sent = [NOON_ET - timedelta(hours=h) for h in (3, 2, 1)]
    assert decide(context(FL, at=NOON_ET, sent=sent, category="informational")).allowed


def test_next_allowed_at_satisfies_both_cap_and_quiet_hours():
    # The cap frees at 21:00 Eastern, when Florida's window (08:00-20:00) is closed.
    at = local(ET, 2026, 6, 2, 19, 0)
    sent = [local(ET, 2026, 6, 1, 21, 0), local(ET, 2026, 6, 2, 10, 0), local(ET, 2026, 6, 2, 11, 0)]
    decision = decide(context(FL, at=at, sent=sent))
    assert decision.codes == ["frequency_cap"]
    assert decision.next_allowed_at == local(ET, 2026, 6, 3, 8, 0).astimezone(UTC)


def test_quiet_hours_and_cap_both_listed():
    at = local(ET, 2026, 6, 2, 21, 30)
    sent = [at - timedelta(hours=h) for h in (3, 2, 1)]
    decision = decide(context(FL, at=at, sent=sent))
    assert decision.codes == ["quiet_hours", "frequency_cap"]
    # 08:00 the next morning is inside the window but still capped: the oldest send frees at 18:30.
    assert decision.next_allowed_at == local(ET, 2026, 6, 3, 18, 30).astimezone(UTC)


# -- consent and opt-out ----------------------------------------------------------------------------
CONSENT = [
    ("marketing with marketing scope", "marketing", ConsentView(marketing=True), []),
    ("marketing with informational only", "marketing", ConsentView(informational=True), ["no_consent"]),
    ("marketing with nothing", "marketing", ConsentView(), ["no_consent"]),
    ("informational with informational", "informational", ConsentView(informational=True), []),
    ("informational with marketing", "informational", ConsentView(marketing=True), []),
    ("informational with nothing", "informational", ConsentView(), ["no_consent"]),
    ("security with nothing", "security", ConsentView(), []),
    ("security opted out", "security", ConsentView(opted_out=True), ["opted_out"]),
    ("informational opted out", "informational", ConsentView(opted_out=True), ["opted_out", "no_consent"]),
    ("marketing opted out", "marketing", ConsentView(opted_out=True), ["opted_out", "no_consent"]),
]


@pytest.mark.parametrize("name,category,consent,expected", CONSENT, ids=[c[0] for c in CONSENT])
def test_consent_by_category(name, category, consent, expected):
    assert codes(context(NY, at=NOON_ET, category=category, consent=consent)) == expected


def test_no_consent_cites_the_category_rule():
    marketing = decide(context(NY, at=NOON_ET, consent=ConsentView())).reasons[0]
    informational = decide(context(NY, at=NOON_ET, category="informational", consent=ConsentView())).reasons[0]
    assert marketing["rule"] == "47 CFR 64.1200(a)(2)"
    assert informational["rule"] == "47 CFR 64.1200(a)(1)"


def test_canada_skips_registration_and_hours_but_not_consent_content_or_credits():
    broken = account(readiness=READINESS_UNKNOWN, chain={}, credit_balance=5)
    night = local(ET, 2026, 6, 2, 23, 30)
    assert decide(context(CANADA, at=night, acct=broken)).allowed
    assert codes(context(CANADA, at=night, acct=broken, consent=ConsentView())) == ["no_consent"]
    assert codes(context(CANADA, at=night, acct=broken, consent=ConsentView(opted_out=True),
                         category="security")) == ["opted_out"]
    assert codes(context(CANADA, at=night, acct=broken, first=True, body="Sale today")) == [
        "content_missing_opt_out"]
    assert codes(context(CANADA, at=night, acct=account(credit_balance=0))) == ["insufficient_credits"]
    assert "quiet_hours" not in codes(context(CANADA, at=night))


def test_invalid_number():
    decision = decide(context("+1555", at=NOON_ET))
    assert decision.codes == ["invalid_number"]
    assert decide(context("hello", at=NOON_ET)).codes == ["invalid_number"]


# -- content -----------------------------------------------------------------------------------------
def test_first_marketing_message_needs_opt_out_instructions():
    assert codes(context(NY, at=NOON_ET, body="Acme: spring sale today!", first=True)) == ["content_missing_opt_out"]
    assert decide(context(NY, at=NOON_ET, body="Acme: spring sale today!", first=False)).allowed
    assert decide(context(NY, at=NOON_ET, body=OK_BODY, first=True)).allowed
    assert decide(context(NY, at=NOON_ET, body="Your order shipped", first=True, category="informational")).allowed


def test_public_shortener_blocks_and_links_warn():
    ctx = context(NY, at=NOON_ET, body=OK_BODY + " https://bit.ly/3xYz")
    assert codes(ctx) == ["content_public_shortener"]
    warn = warning_codes(context(NY, at=NOON_ET, body=OK_BODY + " http://acme.example.com/sale"))
    assert warn == ["content_insecure_link"]
    assert decide(context(NY, at=NOON_ET, body=OK_BODY + " https://acme.example.com/sale")).warnings == []


def test_undeclared_link_and_phone_warn_for_us_only():
    acct = account(chain={"has_embedded_links": False, "has_embedded_phone": False})
    body = OK_BODY + " https://acme.example.com/sale or call (415) 555-0199"
    ctx = context(NY, at=NOON_ET, body=body, acct=acct)
    assert decide(ctx).allowed
    assert warning_codes(ctx) == ["content_undeclared_link", "content_undeclared_phone"]
    assert warning_codes(context(CANADA, at=NOON_ET, body=body, acct=acct)) == []


def test_restricted_topic_and_uncertain_location_warn():
    ctx = context(TOLL_FREE, at=local(ET, 2026, 6, 2, 14, 0), body=OK_BODY + " Craft beer night!")
    decision = decide(ctx)
    assert decision.allowed
    assert [w["code"] for w in decision.warnings] == ["content_restricted_topic", "recipient_location_uncertain"]
    assert all(w["severity"] == "warning" for w in decision.warnings)


# -- account -----------------------------------------------------------------------------------------
LONG = "Acme: " + "x" * 200 + " Reply STOP to opt out."  # 2 segments


@pytest.mark.parametrize("balance,body,expected", [
    (None, OK_BODY, []), (1, OK_BODY, []), (0, OK_BODY, ["insufficient_credits"]),
    (1, LONG, ["insufficient_credits"]), (2, LONG, []),
])
def test_credits(balance, body, expected):
    assert codes(context(NY, at=NOON_ET, body=body, acct=account(credit_balance=balance))) == expected


@pytest.mark.parametrize("used,expected", [(1999, []), (2000, ["daily_cap_reached"])])
def test_daily_cap_edges(used, expected):
    acct = account(chain={"tier": "LOW", "daily_cap": 2000}, us_segments_today=used)
    assert codes(context(NY, at=NOON_ET, acct=acct)) == expected
    assert decide(context(CANADA, at=NOON_ET, acct=acct)).allowed


# -- registration chain ------------------------------------------------------------------------------
REGISTRATION = [
    ("suspended account", {"chain": {"account_status": "suspended"}}, ["account_not_active"]),
    ("credentials refused", {"chain": {"credentials_valid": False, "account_status": None}},
     ["account_not_active"]),
    ("trial account", {"chain": {"account_type": "Trial"}}, ["trial_account"]),
    ("number not owned", {"chain": {"number_owned": False, "sms_capable": None, "in_service": None,
                                    "campaign_status": None, "brand_status": None}}, ["number_not_owned"]),
    ("not sms capable", {"chain": {"sms_capable": False}}, ["number_not_sms_capable"]),
    ("toll-free sender", {"chain": {"number_kind": "toll_free"}}, ["number_not_10dlc"]),
    ("short code sender", {"chain": {"number_kind": "short_code"}}, ["number_not_10dlc"]),
    ("not in a service", {"chain": {"in_service": False, "campaign_status": None, "use_case": None,
                                    "brand_status": None}}, ["number_not_in_messaging_service"]),
    ("no campaign", {"chain": {"campaign_status": None, "use_case": None, "brand_status": None}},
     ["campaign_missing"]),
    ("campaign in progress", {"chain": {"campaign_status": "IN_PROGRESS"}}, ["campaign_not_verified"]),
    ("brand failed", {"chain": {"brand_status": "FAILED", "campaign_status": "FAILED"}},
     ["campaign_not_verified", "brand_not_approved"]),
    ("notification use case", {"chain": {"use_case": "ACCOUNT_NOTIFICATION"}}, ["use_case_mismatch"]),
    ("carrier error", {"carrier_error": True}, ["carrier_registration_error"]),
    ("readiness unknown", {"readiness": READINESS_UNKNOWN, "chain": {}}, ["readiness_unknown"]),
    ("readiness stale", {"readiness": READINESS_STALE}, ["readiness_stale"]),
    ("not connected", {"connected": False, "sender": None, "readiness": READINESS_UNKNOWN},
     ["not_connected"]),
]


@pytest.mark.parametrize("name,overrides,expected", REGISTRATION, ids=[r[0] for r in REGISTRATION])
def test_registration_chain(name, overrides, expected):
    decision = decide(context(NY, at=NOON_ET, acct=account(**overrides)))
    assert decision.codes == expected
    for reason in decision.reasons:
        assert reason["severity"] == "block" and reason["rule"] and reason["message"]
    # Canada skips the chain entirely (a send without a connection aside).
    if name != "not connected":
        assert decide(context(CANADA, at=NOON_ET, acct=account(**overrides))).allowed


def test_use_case_only_matters_for_marketing():
    acct = account(chain={"use_case": "ACCOUNT_NOTIFICATION"})
    assert decide(context(NY, at=NOON_ET, category="informational", acct=acct)).allowed


def test_not_connected_to_canada_blocks_a_send_but_not_a_dry_run():
    off = dict(connected=False, sender=None, readiness=READINESS_UNKNOWN, chain={})
    assert codes(context(CANADA, at=NOON_ET, acct=account(mode="send", **off))) == ["not_connected"]
    assert decide(context(CANADA, at=NOON_ET, acct=account(mode="dry_run", **off))).allowed


def test_every_blocking_rule_is_listed():
    acct = account(chain={"campaign_status": "IN_PROGRESS"}, carrier_error=True, credit_balance=0)
    at = local(ET, 2026, 6, 2, 22, 0)
    sent = [at - timedelta(hours=h) for h in (3, 2, 1)]
    decision = decide(context(FL, at=at, acct=acct, consent=ConsentView(opted_out=True), sent=sent, first=True,
                              body="Sale! https://bit.ly/x"))
    assert decision.codes == ["campaign_not_verified", "carrier_registration_error", "opted_out", "no_consent",
                              "quiet_hours", "frequency_cap", "content_missing_opt_out",
                              "content_public_shortener", "insufficient_credits"]
    assert decision.next_allowed_at is not None


def test_every_code_comes_from_the_catalogue():
    seen = set()
    for _name, overrides, expected in REGISTRATION:
        seen.update(expected)
    for _name, _c, _consent, expected in CONSENT:
        seen.update(expected)
    seen.update(["quiet_hours", "frequency_cap", "invalid_number", "content_missing_opt_out",
                 "content_public_shortener", "insufficient_credits", "daily_cap_reached"])
    blocking = {c for c, r in REASONS.items() if r.severity == "block"}
    assert seen == blocking


def test_shared_cache_gives_the_same_answers():
    shared: dict = {}
    acct = account(chain={"campaign_status": "IN_PROGRESS"})
    for to in (NY, CANADA, FL, NY, "bad"):
        ctx = context(to, at=NOON_ET, acct=acct)
        assert decide(ctx, shared) == decide(ctx)
