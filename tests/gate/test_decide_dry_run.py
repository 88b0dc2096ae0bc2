"""Dry runs: POST /v1/messages/preflight and `preflight campaign preflight` (CSV)."""
from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from preflight.models import AuditEvent, ContactState, Message

NY, FL, TX, CANADA, TOLL_FREE = "+12125550123", "+13055550123", "+15125550123", "+14165550123", "+18885550100"
BODY = "Acme: spring sale today. Reply STOP to opt out."


@pytest.fixture
def sandbox(scenario, clock):
    from preflight.sandbox import Sandbox

    return Sandbox(scenario, clock=clock)


def opt_in(client, ws, number, postal_code=None):
    body = {"phone_number": number, "scope": "marketing", "written": True, "method": "web_form",
            "captured_at": "2026-01-05T10:00:00+00:00", "source": "https://acme.example.com/join",
            "disclosure_text": "I agree to receive marketing texts from Acme. Reply STOP to cancel."}
    if postal_code:
        body["postal_code"] = postal_code
    assert client.post("/v1/consents", headers=ws.headers("sender"), json=body).status_code in (200, 201)


@pytest.fixture
def checked(client, connected):
    assert client.post("/v1/readiness-checks", headers=connected.headers("admin")).status_code == 201
    for number in (NY, FL, TX, CANADA, TOLL_FREE):
        opt_in(client, connected, number)
    return connected


def preflight(client, ws, recipients, send_at=None, body=BODY, category="marketing"):
    payload = {"recipients": recipients, "body": body, "category": category}
    if send_at is not None:
        payload["send_at"] = send_at
    return client.post("/v1/messages/preflight", headers=ws.headers("sender"), json=payload)


def counts(rt):
    with rt.transaction() as s:
        return (s.scalar(select(func.count()).select_from(Message)),
                s.scalar(select(func.count()).select_from(AuditEvent)),
                s.scalar(select(func.count()).select_from(ContactState)))


def test_dry_run_results_in_request_order(client, checked, sandbox, rt):
    before, twilio_before = counts(rt), len(sandbox.request_log)
    resp = preflight(client, checked, [TX, "not-a-number", NY, CANADA, TOLL_FREE, FL],
                     send_at="2026-06-02T20:30:00-04:00")
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    assert [r["to"] for r in data["results"]] == [TX, "not-a-number", NY, CANADA, TOLL_FREE, FL]
    by_to = {r["to"]: r for r in data["results"]}
    assert by_to[TX]["decision"] == "allowed"  # 19:30 in Texas
    assert by_to[NY]["decision"] == "allowed"  # 20:30 in New York
    assert [r["code"] for r in by_to[FL]["reasons"]] == ["quiet_hours"]
    assert by_to[FL]["next_allowed_at"] == "2026-06-03T12:00:00+00:00"
    assert [r["code"] for r in by_to["not-a-number"]["reasons"]] == ["invalid_number"]
    assert by_to[CANADA]["decision"] == "allowed" and by_to[CANADA]["recipient"]["region"] == "CA"
    assert [w["code"] for w in by_to[TOLL_FREE]["warnings"]] == ["recipient_location_uncertain"]
    assert by_to[TX]["recipient"] == {"region": "US", "states": ["TX"], "time_zones": ["America/Chicago"],
                                      "local_time": "2026-06-02T19:30:00-05:00",
                                      "local_times": {"America/Chicago": "2026-06-02T19:30:00-05:00"}}
    assert data["summary"] == {"total": 6, "allowed": 4, "blocked": 2,
                               "by_reason": {"invalid_number": 1, "quiet_hours": 1}}
    # Nothing sent, nothing recorded, no Twilio request.
    assert counts(rt) == before
    assert len(sandbox.request_log) == twilio_before and sandbox.messages == {}


def test_send_at_needs_an_offset(client, checked):
    resp = preflight(client, checked, [NY], send_at="2026-06-02T20:30:00")
    assert resp.status_code == 400
    assert "send_at" in resp.get_json()["error"]["details"]
    assert preflight(client, checked, [NY], send_at="yesterday").status_code == 400


def test_recipient_count_limits(client, checked):
    assert preflight(client, checked, []).status_code == 400
    resp = preflight(client, checked, ["+12125550100"] * 10_001)
    assert resp.status_code == 400 and "recipients" in resp.get_json()["error"]["details"]
    data = preflight(client, checked, [f"+1212555{i:04d}" for i in range(10_000)]).get_json()
    assert data["summary"]["total"] == 10_000


def test_dry_run_counts_sends_before_send_at(client, checked, sandbox, clock):
    for minutes in (0, 10, 20):
        clock.advance(minutes=minutes)
        resp = client.post("/v1/messages", headers=checked.headers("sender"),
                           json={"to": FL, "body": BODY, "category": "marketing"})
        assert resp.status_code == 201
    data = preflight(client, checked, [FL]).get_json()
    assert [r["code"] for r in data["results"][0]["reasons"]] == ["frequency_cap"]
    # A day later the cap has freed.
    data = preflight(client, checked, [FL], send_at="2026-06-03T17:00:00+00:00").get_json()
    assert data["results"][0]["decision"] == "allowed"


def test_dry_run_never_runs_a_readiness_check(client, connected, sandbox, clock):
    opt_in(client, connected, NY)
    data = preflight(client, connected, [NY, CANADA]).get_json()
    assert [r["code"] for r in data["results"][0]["reasons"]] == ["readiness_unknown"]
    assert data["results"][1]["decision"] == "blocked"  # Canada: no consent, but no chain reason
    assert [r["code"] for r in data["results"][1]["reasons"]] == ["no_consent"]
    assert client.post("/v1/readiness-checks", headers=connected.headers("admin")).status_code == 201
    assert preflight(client, connected, [NY]).get_json()["results"][0]["decision"] == "allowed"
    clock.advance(days=1)
    requests = len(sandbox.request_log)
    data = preflight(client, connected, [NY]).get_json()
    assert [r["code"] for r in data["results"][0]["reasons"]] == ["readiness_stale"]
    assert len(sandbox.request_log) == requests


def test_postal_code_from_consent_is_a_candidate_place(client, checked):
    opt_in(client, checked, "+12125550199", postal_code="33101")  # a NY number living in Miami
    data = preflight(client, checked, ["+12125550199", NY], send_at="2026-06-02T20:30:00-04:00").get_json()
    moved, home = data["results"]
    assert [r["code"] for r in moved["reasons"]] == ["quiet_hours"]
    assert moved["recipient"]["states"] == ["FL", "NY"]
    assert home["decision"] == "allowed"


def test_cli_bulk_dry_run(app, client, checked, tmp_path, rt):
    src = tmp_path / "recipients.csv"
    with open(src, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["first_name", "phone_number", "city"])
        w.writerows([["Ann", TX, "Austin"], ["Bob", FL, "Miami"], ["Cy", "12345", "?"], ["Di", NY, "NYC"],
                     ["Ed", "+12125550177", "NYC"]])
    out = tmp_path / "results.csv"
    before = counts(rt)
    result = app.test_cli_runner().invoke(args=[
        "campaign", "preflight", "--workspace", checked.id, "--recipients", str(src), "--body", BODY,
        "--category", "marketing", "--at", "2026-06-02T20:30:00-04:00", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "total 5  allowed 2  blocked 3" in result.output
    assert "quiet_hours: 1" in result.output and "no_consent: 1" in result.output
    with open(out, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["phone_number", "decision", "reasons", "next_allowed_at", "first_name", "city"]
    assert rows[1] == [TX, "allowed", "", "", "Ann", "Austin"]
    assert rows[2] == [FL, "blocked", "quiet_hours", "2026-06-03T12:00:00+00:00", "Bob", "Miami"]
    assert rows[3] == ["12345", "blocked", "invalid_number", "", "Cy", "?"]
    assert rows[5][:3] == ["+12125550177", "blocked", "no_consent"]
    assert counts(rt) == before


def test_cli_rejects_naive_time_and_missing_column(app, checked, tmp_path):
    src = tmp_path / "r.csv"
    src.write_text("phone\n+12125550123\n")
    runner = app.test_cli_runner()
    base = ["campaign", "preflight", "--workspace", checked.id, "--recipients", str(src), "--body", BODY,
            "--category", "marketing", "--out", str(tmp_path / "o.csv")]
    assert runner.invoke(args=base).exit_code != 0
    src.write_text("phone_number\n+12125550123\n")
    assert runner.invoke(args=base + ["--at", "2026-06-02T20:30:00"]).exit_code != 0
    assert runner.invoke(args=base).exit_code == 0
