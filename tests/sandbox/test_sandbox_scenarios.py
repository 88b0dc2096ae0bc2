"""Scenario builders, shipped files, loading rules and pass-through of scenario fields."""
from __future__ import annotations

import json
import re

import pytest

from preflight.sandbox import Sandbox, scenarios
from tests.sandbox.sandbox_helpers import Raw

SHORTENERS = ("bit.ly", "tinyurl.com", "goo.gl", "ow.ly", "t.co", "is.gd")


def test_shipped_files_are_the_builders_output(tmp_path):
    shipped = sorted(p.stem for p in scenarios.HERE.glob("*.json"))
    assert shipped == sorted(scenarios.variants())
    for name, scenario in scenarios.variants().items():
        assert scenarios.load(name) == json.loads(json.dumps(scenario)), f"regenerate {name}.json"
    written = scenarios.write_files(tmp_path)
    assert [p.read_text() for p in written] == [scenarios.path(p.stem).read_text() for p in written]


@pytest.mark.parametrize("name", sorted(scenarios.variants()))
def test_every_shipped_file_loads(name):
    sb = Sandbox.from_file(scenarios.path(name))
    assert re.fullmatch(r"AC[0-9a-f]{32}", sb.account_sid)
    assert len(sb.auth_token) == 32


def test_sid_helper_is_deterministic():
    assert scenarios.sid("PN", "x") == scenarios.sid("PN", "x") != scenarios.sid("PN", "y")
    assert re.fullmatch(r"PN[0-9a-f]{32}", scenarios.sid("PN", "x"))


def test_compliant_campaign_meets_the_reviewers_checklist():
    scenario = scenarios.compliant()
    service = scenario["services"][0]
    campaign = service["campaigns"][0]
    name = scenario["account"]["friendly_name"]
    assert service["friendly_name"] == name
    assert campaign["campaign_status"] == "VERIFIED" and campaign["us_app_to_person_usecase"] == "MARKETING"
    assert 40 <= len(campaign["description"]) <= 4096 and name in campaign["description"]
    samples = campaign["message_samples"]
    assert 2 <= len(set(samples)) <= 5 and all(20 <= len(s) <= 1024 for s in samples)
    assert any(name in s and "Reply STOP" in s for s in samples)
    assert 40 <= len(campaign["message_flow"]) <= 2048
    flow = campaign["message_flow"]
    for needle in (name, "msgs/month", "Msg & data rates may apply", "STOP", "HELP", "not a condition"):
        assert needle in flow
    for reply in ("help_message", "opt_in_message", "opt_out_message"):
        assert 20 <= len(campaign[reply]) <= 320 and name in campaign[reply]
    assert "@" in campaign["help_message"]
    links = [s for s in samples if "http" in s]
    assert campaign["has_embedded_links"] == bool(links)
    assert all("https://" in s for s in links) and not any(d in s for s in samples for d in SHORTENERS)
    assert campaign["has_embedded_phone"] is False
    assert campaign["privacy_policy_url"].startswith("https://")
    assert campaign["terms_and_conditions_url"].startswith("https://")


def test_compliant_overrides():
    scenario = scenarios.compliant(account={"type": "Trial"}, campaign={"campaign_status": "FAILED"},
                                   opted_out=["+14155550123"], seed="other")
    assert scenario["account"]["type"] == "Trial"
    assert scenario["services"][0]["campaigns"][0]["campaign_status"] == "FAILED"
    assert scenario["opted_out"] == ["+14155550123"]
    assert scenario["account"]["sid"] != scenarios.compliant()["account"]["sid"]


def test_demo_scenarios():
    demo = scenarios.demo_scenarios()
    assert set(demo) == {"acme", "blue"}
    assert demo["acme"] == scenarios.compliant()
    assert demo["blue"]["services"][0]["campaigns"][0]["campaign_status"] == "IN_PROGRESS"
    assert demo["acme"]["account"]["sid"] != demo["blue"]["account"]["sid"]
    assert demo["acme"]["incoming_phone_numbers"][0]["phone_number"] != \
        demo["blue"]["incoming_phone_numbers"][0]["phone_number"]


def test_minimal_scenario_gets_defaults():
    sb = Sandbox({"account": {"sid": scenarios.sid("AC", "m"), "auth_token": "a" * 32},
                  "incoming_phone_numbers": [{"phone_number": "+18885550100"}],
                  "brands": [{}], "services": [{"campaigns": [{}]}]})
    number = next(iter(sb.state.numbers.values()))
    assert (number["type"], number["capabilities"]["sms"]) == ("tollfree", True)
    assert sb.state.account["status"] == "active" and sb.state.account["type"] == "Full"
    (campaign,) = next(iter(sb.state.campaigns.values())).values()
    assert campaign["brand_registration_sid"] == next(iter(sb.state.brands))
    assert campaign["campaign_status"] == "VERIFIED"


def test_scenario_fields_pass_through():
    scenario = scenarios.compliant(
        brand={"errors": [{"error_code": 30794, "description": "d", "fields": ["ein"]}], "mock": True},
        campaign={"rate_limits": {"att": {"mps": 600, "msg_class": "A"}}, "age_gated": True,
                  "help_keywords": ["AYUDA"]},
    )
    sb = Sandbox(scenario)
    r = Raw(sb)
    mg = next(iter(sb.state.services))
    _, campaigns, _ = r.get(f"/v1/Services/{mg}/Compliance/Usa2p")
    campaign = campaigns["compliance"][0]
    assert campaign["rate_limits"] == {"att": {"mps": 600, "msg_class": "A"}}
    assert (campaign["age_gated"], campaign["help_keywords"]) == (True, ["AYUDA"])
    _, brand, _ = r.get(f"/v1/a2p/BrandRegistrations/{next(iter(sb.state.brands))}")
    assert brand["errors"][0]["fields"] == ["ein"] and brand["mock"] is True


@pytest.mark.parametrize("breakage, message", [
    (lambda s: s["account"].update(sid="AC123"), "account.sid"),
    (lambda s: s["account"].update(auth_token="short"), "auth_token"),
    (lambda s: s["account"].update(status="frozen"), "account.status"),
    (lambda s: s["account"].update(type="Gold"), "account.type"),
    (lambda s: s["incoming_phone_numbers"][0].update(phone_number="4155550100"), "E.164"),
    (lambda s: s["services"][0].update(phone_numbers=["PN" + "1" * 32]), "not in incoming_phone_numbers"),
    (lambda s: s["services"][0]["campaigns"][0].update(brand_registration_sid="BN" + "1" * 32), "not among brands"),
    (lambda s: s["brands"][0].update(sid="XX" + "1" * 32), "BN sid"),
    (lambda s: s.update(latency_ms=-1), "latency_ms"),
    (lambda s: s.update(faults=[{"path_regex": "x", "kind": "nope"}]), "kind"),
])
def test_bad_scenarios_are_refused(breakage, message):
    scenario = scenarios.compliant()
    breakage(scenario)
    with pytest.raises(ValueError, match=re.escape(message)):
        Sandbox(scenario)


def test_mutation_helpers(sandbox, raw):
    mg = next(iter(sandbox.state.services))
    qe = next(iter(sandbox.state.campaigns[mg]))
    bn = next(iter(sandbox.state.brands))
    sandbox.set_campaign_status(qe, "SUSPENDED")
    sandbox.set_brand_status(bn, "SUSPENDED")
    _, campaign, _ = raw.get(f"/v1/Services/{mg}/Compliance/Usa2p/{qe}")
    _, brand, _ = raw.get(f"/v1/a2p/BrandRegistrations/{bn}")
    _, service, _ = raw.get(f"/v1/Services/{mg}")
    assert (campaign["campaign_status"], brand["status"]) == ("SUSPENDED", "SUSPENDED")
    assert service["us_app_to_person_registered"] is False
    with pytest.raises(KeyError):
        sandbox.set_campaign_status("QE" + "0" * 32, "VERIFIED")
    with pytest.raises(KeyError):
        sandbox.set_brand_status("BN" + "0" * 32, "APPROVED")


def test_a_scenario_is_not_mutated_by_its_sandbox(scenario):
    before = json.dumps(scenario, sort_keys=True)
    sb = Sandbox(scenario)
    sb.set_campaign_status(scenario["services"][0]["campaigns"][0]["sid"], "FAILED")
    sb.opt_out("+14155550123")
    assert json.dumps(scenario, sort_keys=True) == before
