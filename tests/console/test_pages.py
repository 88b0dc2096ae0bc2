"""What each console page shows: empty states, errors beside fields, masked secrets,
readiness with its chain, contacts, messages with filters and chart, reports, audit."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from preflight.consent import ledger
from tests.console.console_helpers import add_message, days_ago, post


def test_pages_carry_security_headers_and_local_css_only(admin_client):
    resp = admin_client.get("/console/")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["Cache-Control"] == "no-store"
    html = resp.get_data(as_text=True)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    with admin_client.get("/console/static/console.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"


def test_a_new_workspace_is_told_to_connect_twilio(admin_client):
    html = admin_client.get("/console/").get_data(as_text=True)
    assert "Connect your Twilio account" in html and 'href="/console/connection"' in html


def test_connection_errors_show_beside_their_fields_and_the_token_is_not_echoed(admin_client):
    resp = post(admin_client, "/console/connection", {"account_sid": "AC123", "auth_token": "tooShortSecret",
                                                      "phone_number": "555"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    for name in ("account_sid", "auth_token", "phone_number"):
        assert f'id="f-{name}-error"' in html
    assert "tooShortSecret" not in html and 'value="AC123"' in html


def test_connection_is_saved_and_shown_masked(admin_client, sandbox):
    token = sandbox.auth_token
    resp = post(admin_client, "/console/connection", {"account_sid": sandbox.account_sid, "auth_token": token,
                                                      "phone_number": "+14155550100"})
    assert resp.status_code == 302
    html = admin_client.get("/console/connection").get_data(as_text=True)
    assert token not in html and f"•••• •••• {token[-4:]}" in html and sandbox.account_sid in html
    assert 'name="auth_token" type="password" value=""' in html


def test_times_show_in_the_workspace_zone_with_utc_on_hover(admin_client, sandbox, clock):
    post(admin_client, "/console/connection", {"account_sid": sandbox.account_sid,
                                               "auth_token": sandbox.auth_token, "phone_number": "+14155550100"})
    html = admin_client.get("/console/connection").get_data(as_text=True)
    # 16:00 UTC is 12:00 in America/New_York (EDT).
    assert '<time datetime="2026-06-02T16:00:00Z" title="2026-06-02 16:00:00 UTC">Jun 02, 2026 12:00 EDT</time>' in html


@pytest.fixture
def scenario():
    from preflight.sandbox import scenarios

    return scenarios.variants()["campaign_in_progress"]


def test_a_check_shows_the_failing_link_and_its_remediation_first(admin_client, connected):
    html = admin_client.get("/console/").get_data(as_text=True)
    assert "No readiness check yet" in html
    resp = post(admin_client, "/console/readiness/run")
    assert resp.status_code == 302
    html = admin_client.get("/console/").get_data(as_text=True)
    assert "Not ready" in html and 'class="link link-fail"' in html
    problems = html.split('id="problems-h"')[1].split("other checks")[0]
    assert "campaign.verified" in problems and "How to fix" in problems
    # The failing link is the campaign; the ones before it are fine.
    chain = html.split('class="chain"')[1].split("</ol>")[0]
    links = chain.split("<li>")[1:]
    assert "link-pass" in links[0] and "Campaign" in links[3] and "link-fail" in links[3]
    assert "Check finished" in html


def test_contact_lookup_shows_state_history_and_records_an_opt_out(rt, ws, admin_client, clock):
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, {"phone_number": "+14155550123", "scope": "marketing", "written": True,
                                        "method": "web_form", "captured_at": "2026-06-01T15:00:00+00:00",
                                        "source": "https://acme.example/checkout",
                                        "disclosure_text": "I agree to receive marketing texts."},
                             rt.now(), "system")
    html = admin_client.get("/console/contacts?phone=(415)%20555-0123").get_data(as_text=True)
    assert "+14155550123" in html and "I agree to receive marketing texts." in html
    assert "consented" in html
    resp = post(admin_client, "/console/contacts/opt-out", {"phone": "+14155550123", "channel": "phone",
                                                            "text": "Customer called to stop texts"})
    assert resp.status_code == 302
    html = admin_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "opted out" in html and "Customer called to stop texts" in html and "Opt-out recorded" in html


def test_contact_lookup_errors(admin_client):
    bad = admin_client.get("/console/contacts?phone=12")
    assert bad.status_code == 400 and 'id="f-phone-error"' in bad.get_data(as_text=True)
    unknown = admin_client.get("/console/contacts?phone=%2B14155550999")
    assert unknown.status_code == 404 and "No consent record" in unknown.get_data(as_text=True)
    resp = post(admin_client, "/console/contacts/opt-out", {"phone": "+14155550999", "channel": "pigeon"})
    assert resp.status_code == 400 and "has-error" in resp.get_data(as_text=True)


def test_messages_empty_state(admin_client):
    html = admin_client.get("/console/messages").get_data(as_text=True)
    assert "No messages yet" in html and "<svg" in html


def test_messages_filters_reasons_and_chart(rt, ws, admin_client):
    add_message(rt, ws.id, decision="allowed", when=days_ago(rt, 1))
    add_message(rt, ws.id, decision="blocked", reasons=["quiet_hours", "frequency_cap"], when=days_ago(rt, 1))
    add_message(rt, ws.id, decision="blocked", reasons=["opted_out"], to="+14155550166", when=days_ago(rt, 3))
    add_message(rt, ws.id, decision="blocked", reasons=["no_consent"], when=days_ago(rt, 40))
    html = admin_client.get("/console/messages").get_data(as_text=True)
    assert html.count('<td data-label="Decision">') == 4
    assert "rule for quiet_hours" in html and "delivered" in html
    blocked = admin_client.get("/console/messages?outcome=blocked&reason=opted_out").get_data(as_text=True)
    assert blocked.count('<td data-label="Decision">') == 1 and "+14155550166" in blocked
    # "opted_out" must not match by substring, nor "_" as a wildcard.
    assert admin_client.get("/console/messages?reason=frequency_cap").get_data(as_text=True).count(
        '<td data-label="Decision">') == 1
    ranged = admin_client.get("/console/messages?from=2026-05-30&to=2026-06-02").get_data(as_text=True)
    assert ranged.count('<td data-label="Decision">') == 3
    chart = html.split("<svg")[1].split("</svg>")[0]
    assert "Mon Jun 01: 1 allowed" in chart and "Mon Jun 01: 1 blocked" in chart
    assert "Sat May 30: 1 blocked" in chart


def test_messages_filter_errors_beside_fields(admin_client):
    resp = admin_client.get("/console/messages?from=yesterday&to=2026-01-01&reason=nope")
    html = resp.get_data(as_text=True)
    assert 'id="f-from-error"' in html and 'id="f-reason"' in html and "Unknown reason code." in html


def test_message_days_follow_the_workspace_zone(rt, ws, admin_client):
    # 02:00 UTC on June 2 is still June 1 in New York.
    add_message(rt, ws.id, decision="blocked", reasons=["quiet_hours"],
                when=datetime(2026, 6, 2, 2, 0, tzinfo=timezone.utc))
    html = admin_client.get("/console/messages?from=2026-06-01&to=2026-06-01").get_data(as_text=True)
    assert html.count('<td data-label="Decision">') == 1
    assert admin_client.get("/console/messages?from=2026-06-02&to=2026-06-02").get_data(as_text=True).count(
        '<td data-label="Decision">') == 0


def test_reports_download_pdfs_and_csvs(rt, ws, admin_client, connected):
    post(admin_client, "/console/readiness/run")
    add_message(rt, ws.id, decision="blocked", reasons=["no_consent"], when=days_ago(rt, 1))
    page = admin_client.get("/console/reports").get_data(as_text=True)
    assert "Download PDF" in page and "rc_" in page
    for path in ("/console/reports/readiness.pdf", "/console/reports/audit.pdf?from=2026-05-01&to=2026-06-02",
                 "/console/reports/contact.pdf?phone=%2B14155550123"):
        resp = admin_client.get(path)
        assert resp.status_code == 200, (path, resp.get_data(as_text=True)[:500])
        assert resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF")
        assert "attachment" in resp.headers["Content-Disposition"]
    csv = admin_client.get("/console/exports/messages.csv?from=2026-05-01")
    assert csv.mimetype == "text/csv" and "no_consent" in csv.get_data(as_text=True)
    consent = admin_client.get("/console/exports/consent-events.csv")
    assert consent.status_code == 200 and consent.get_data(as_text=True).splitlines()[0]
    audit = admin_client.get("/console/audit").get_data(as_text=True)
    assert "report.generated" in audit and "export.generated" in audit


def test_report_errors_show_beside_the_field(admin_client):
    resp = admin_client.get("/console/reports/audit.pdf?from=2026-06-02&to=2026-05-01")
    assert resp.status_code == 400
    assert 'id="audit_to-error"' in resp.get_data(as_text=True)
    resp = admin_client.get("/console/reports/readiness.pdf")
    assert resp.status_code == 404 and "No completed readiness check yet" in resp.get_data(as_text=True)


def test_compliance_downloads_reports(compliance_client):
    resp = compliance_client.get("/console/exports/consent-events.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"


def test_audit_page_verifies_the_chain(admin_client, rt, ws):
    html = admin_client.get("/console/audit").get_data(as_text=True)
    assert "The chain is intact" in html and "workspace.created" in html and "user.login" in html
