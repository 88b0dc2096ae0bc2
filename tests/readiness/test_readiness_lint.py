"""Campaign content lint: each finding names the Twilio rejection code it avoids."""
from __future__ import annotations

import pytest

from preflight.readiness.context import number_kind
from preflight.readiness.lint import has_phone, links, lint_campaign
from preflight.sandbox import scenarios

NAMES = ["Acme Outfitters"]


def _campaign(**changes) -> dict:
    campaign = dict(scenarios.compliant()["services"][0]["campaigns"][0])
    campaign.update(changes)
    return campaign


def _codes(campaign) -> set[str]:
    return {f["code"] for f in lint_campaign(campaign, NAMES)}


def test_compliant_content_has_no_findings():
    assert lint_campaign(_campaign(), NAMES) == []


@pytest.mark.parametrize(("changes", "code"), [
    ({"description": "Deals."}, "30886"),
    ({"description": None}, "30886"),
    ({"description": "x" * 4097}, "30886"),
    ({"message_samples": ["Acme Outfitters: sale today, Reply STOP to opt out."]}, "30893"),
    ({"message_samples": ["Acme Outfitters: hi! Reply STOP"] * 3}, "30893"),
    ({"message_samples": ["Our sale starts today, 20% off everything in store.",
                          "New shoes arrived, come and see them this weekend."]}, "30911"),
    ({"message_flow": "Web form."}, "30909"),
    ({"help_message": "Acme Outfitters: reply to this message for help please."}, "30890"),
    ({"help_message": None}, "30890"),
    ({"help_message": "For help email help@acme.example.com any time."}, "30890"),
    ({"opt_out_keywords": ["END", "QUIT"]}, "30887"),
    ({"opt_out_message": "Bye."}, "30887"),
    ({"has_embedded_links": False}, "30889"),
    ({"has_embedded_phone": True}, "30889"),
    ({"privacy_policy_url": None}, "30908"),
    ({"terms_and_conditions_url": "see our site"}, "30882"),
])
def test_each_defect_is_flagged_with_its_code(changes, code):
    assert code in _codes(_campaign(**changes))


def test_shortener_and_phone_in_samples():
    campaign = _campaign(message_samples=[
        "Acme Outfitters: sale today at https://bit.ly/acme Reply STOP to opt out.",
        "Acme Outfitters: questions? Call (415) 555-0199. Reply STOP to opt out."])
    assert _codes(campaign) == {"30892", "30889"}  # shortener; phone present but not declared
    assert _codes({**campaign, "has_embedded_phone": True}) == {"30892"}


def test_fields_missing_from_the_api_version_are_not_flagged():
    campaign = _campaign()
    del campaign["privacy_policy_url"], campaign["terms_and_conditions_url"]
    assert lint_campaign(campaign, NAMES) == []


def test_no_opt_out_keywords_means_twilio_defaults():
    assert lint_campaign(_campaign(opt_out_keywords=None), NAMES) == []


def test_link_and_phone_detection():
    assert links("see acme.com, www.shop.biz/x, https://a.example.org and e.g. Mr.Smith; mail a@b.com") == [
        "acme.com", "www.shop.biz", "a.example.org"]
    assert has_phone("call +1 415 555 0199 now") and not has_phone("20% off at 10am, 2 for 1")


@pytest.mark.parametrize(("number", "twilio_type", "kind"), [
    ("+14155550100", "local", "local"), ("+18885550100", None, "toll_free"), ("+14155550100", "tollfree", "toll_free"),
    ("12345", None, "short_code"), ("+442071838750", None, "unknown"), ("nonsense", None, "unknown"),
])
def test_number_kind(number, twilio_type, kind):
    assert number_kind(number, twilio_type) == kind
