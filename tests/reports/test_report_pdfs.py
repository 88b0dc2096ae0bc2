"""The three PDF reports say what the data says, carry the seal, and are recorded in the chain."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

import reports
from preflight.audit import public_key_hex, signature_valid
from preflight.audit.chain import canonical_json
from preflight.law import RULESET_VERSION
from preflight.models import AuditEvent, Message
from tests.conftest import TEST_SIGNING_KEY
from tests.reports.conftest import DISCLOSURE, PHONE, SIDS, attachments, compact, pdf_text, readiness_row


def _assert_sealed(rt, report, text):
    """Every page is numbered; the seal carries the checkpoint, rule-set version and data hash."""
    _, pages = pdf_text(report.pdf)
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
        assert "Acme Dental" in page and "Generated 2026-06-02T16:00:00Z (2026-06-02 12:00 EDT)" in page
    flat = compact(text)
    assert report.data_sha256 in flat
    assert report.checkpoint["hash"] in flat
    assert f"event #{report.checkpoint['seq']}" in text
    assert RULESET_VERSION in text
    assert signature_valid(report.checkpoint, public_key_hex(TEST_SIGNING_KEY))
    files = attachments(report.pdf)
    assert hashlib.sha256(files["data.json"]).hexdigest() == report.data_sha256
    assert json.loads(files["checkpoint.json"]) == report.checkpoint
    assert report.data_sha256 == hashlib.sha256(canonical_json(report.data).encode()).hexdigest()
    with rt.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.workspace_id == report.data["workspace"]["id"],
                                                   AuditEvent.seq == report.event_seq)).one()
    assert event.action == "report.generated"
    data = json.loads(event.data)
    assert data["data_sha256"] == report.data_sha256
    assert data["pdf_sha256"] == hashlib.sha256(report.pdf).hexdigest()
    assert data["checkpoint"] == {"seq": report.checkpoint["seq"], "hash": report.checkpoint["hash"]}
    assert report.event_seq > report.checkpoint["seq"]


def test_readiness_report(rt, seeded):
    report = reports.build_readiness_report(rt, seeded.workspace_id, "latest")
    text, _ = pdf_text(report.pdf)
    assert "A2P 10DLC readiness report" in text and "NOT READY" in text
    for check_id in ("credentials.valid", "account.active", "number.owned", "service.status_callback",
                     "campaign.verified", "brand.approved"):
        assert check_id in text
    assert "Rewrite the campaign description and resubmit the campaign." in text
    assert "Set the Messaging Service status callback to the Preflight webhook." in text
    assert '"campaign_status": "FAILED"' in text  # evidence
    flat = compact(text)
    for sid in SIDS.values():
        assert sid in flat
    links = {link["key"]: link["status"] for link in report.data["links"]}
    assert links == {"account": "pass", "number": "pass", "messaging_service": "warn", "campaign": "fail",
                     "brand": "skip"}
    assert report.data["summary"] == {"pass": 3, "warn": 1, "fail": 1, "skip": 1}
    _assert_sealed(rt, report, text)


def test_readiness_report_by_id_and_unknown_id(rt, seeded):
    assert reports.build_readiness_report(rt, seeded.workspace_id, "rc_seed_1").data["check"]["id"] == "rc_seed_1"
    from preflight.errors import NotFound

    with pytest.raises(NotFound):
        reports.build_readiness_report(rt, seeded.workspace_id, "rc_nope")


def test_audit_report(rt, seeded):
    now = seeded.now
    report = reports.build_audit_report(rt, seeded.workspace_id, now - timedelta(days=7), now + timedelta(days=1))
    d = report.data
    assert d["decisions"]["total"] == 40
    assert d["decisions"]["by_outcome"] == {"allowed": 24, "blocked": 16}
    reasons = {r["code"]: r["count"] for r in d["decisions"]["by_reason"]}
    assert reasons == {"quiet_hours": 6, "no_consent": 6, "frequency_cap": 6, "opted_out": 4}
    assert d["opt_outs"]["total"] == 3
    assert d["opt_outs"]["honour"]["max_seconds"] == pytest.approx(7200, abs=0.01)
    assert [b["count"] for b in d["opt_outs"]["honour"]["buckets"]] == [1, 1, 1, 0, 0]
    assert d["consent_events"]["total"] == 5
    assert d["chain"]["intact"] is True

    text, _ = pdf_text(report.pdf)
    assert "Compliance audit report" in text
    assert "Send decisions 40 Allowed 24 Blocked 16 Opt-outs received 3" in text
    for code, count in reasons.items():
        assert f"{code}" in text
    assert "quiet_hours Outside the allowed hours" in text
    assert "frequency_cap" in text and " 6" in text
    assert "Opt-out requests received in the period: 3" in text
    assert "longest 2.0 h" in text and "average 40.5 min" in text
    assert "No message was submitted to a number after its opt-out was recorded" in text
    assert "web_form" in text and "paper" in text
    assert "Readiness checks finished in the period: 1" in text and "rc_seed_1" in text
    assert f"Intact. All {d['chain']['events']} audit events" in text
    assert "trial_account" not in text  # older decisions are outside the period
    _assert_sealed(rt, report, text)


def test_audit_report_flags_sends_after_an_opt_out_and_a_broken_chain(rt, seeded):
    from tests.audit.conftest import tamper

    now = seeded.now
    with rt.transaction() as s:
        s.add(Message(id="msg_late", workspace_id=seeded.workspace_id, to_number=PHONE, body="late",
                      category="marketing", decision="allowed", status="delivered", segments=1,
                      created_at=now - timedelta(minutes=5), updated_at=now,
                      submitted_at=now - timedelta(minutes=5)))
    tamper(rt, ("UPDATE audit_events SET action = 'x' WHERE workspace_id = :w AND seq = 2",
                {"w": seeded.workspace_id}))
    report = reports.build_audit_report(rt, seeded.workspace_id, now - timedelta(days=7), now)
    text, _ = pdf_text(report.pdf)
    assert report.data["opt_outs"]["sent_after_opt_out"] == 1
    assert "1 message(s) were submitted to a number after its opt-out was recorded" in text
    assert "Broken. The first bad event is #2" in text


def test_audit_report_caps_long_lists(rt, seeded):
    now = seeded.now
    with rt.transaction() as s:
        for i in range(30):
            s.add(readiness_row(seeded.workspace_id, f"rc_many_{i:02d}", now - timedelta(hours=i + 2), "ready"))
    report = reports.build_audit_report(rt, seeded.workspace_id, now - timedelta(days=7), now)
    assert report.data["readiness"]["total"] == 31
    assert len(report.data["readiness"]["recent"]) == 20
    text, _ = pdf_text(report.pdf)
    assert "The 20 most recent of 31 are listed; all are in GET /v1/readiness-checks" in text


def test_contact_report(rt, seeded):
    report = reports.build_contact_report(rt, seeded.workspace_id, "(305) 555-0123")
    d = report.data
    assert d["phone_number"] == PHONE
    assert [e["kind"] for e in d["consent"]["events"]] == ["opt_in", "opt_out"]
    assert d["messages"]["total"] == 4 + 5  # in the seed's week, and the 5 older ones
    text, _ = pdf_text(report.pdf)
    assert "Contact consent report" in text and PHONE in text
    assert DISCLOSURE in text  # the exact disclosure text
    assert "https://acme.example/signup" in text and "203.0.113.7" in text
    assert "OPT IN" in text and "OPT OUT" in text and "“STOP”" in text
    assert "Opted out YES since 2026-06-02T14:00:00Z (2026-06-02 10:00 EDT)" in text
    assert "quiet_hours, no_consent" in text and "trial_account" in text
    flat = compact(text)
    assert "SM" + "0" * 30 + "20" in flat and "SM" + "0" * 30 + "30" in flat
    assert "undelivered (error 30034)" in text  # msg 20 allowed, i % 4 == 0
    _assert_sealed(rt, report, text)


def test_contact_report_for_an_unknown_number_says_so(rt, ws):
    report = reports.build_contact_report(rt, ws.id, "+14155550999")
    text, _ = pdf_text(report.pdf)
    assert "No consent state is on record for this number" in text
    assert "No consent events are recorded for this number." in text


def test_reports_never_fetch_remote_resources(monkeypatch):
    import socket

    from reports.render import html_to_pdf

    attempts = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: attempts.append(addr))
    html = ('<html><head><link rel="stylesheet" href="https://198.51.100.1/x.css"></head>'
            '<body><img src="http://198.51.100.1/x.png"><img src="file:///etc/hostname"><p>ok</p></body></html>')
    assert html_to_pdf(html).startswith(b"%PDF")
    assert attempts == []
