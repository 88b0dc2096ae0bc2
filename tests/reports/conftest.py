"""Seeded report data, written straight into the tables the other areas fill, and PDF text helpers."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from pypdf import PdfReader

import preflight.audit.triggers  # noqa: F401
from preflight.models import ConsentEvent, ContactState, Message, ReadinessCheck, StatusEvent

PHONE = "+13055550123"
DISCLOSURE = ("By checking this box you agree to receive recurring automated marketing texts from Acme Dental "
              "at the number provided. Consent is not a condition of purchase. Msg & data rates may apply. "
              "Reply STOP to cancel, HELP for help.")
SIDS = {"account": "AC" + "1" * 32, "number": "PN" + "a" * 32, "messaging_service": "MG" + "b" * 32,
        "campaign": "QE" + "c" * 32, "brand": "BN" + "d" * 32}


def readiness_row(workspace_id, check_id, finished_at, status="not_ready"):
    checks = [
        {"id": "credentials.valid", "status": "pass", "title": "Credentials are valid", "detail": "Twilio accepted them.",
         "remediation": "", "prevents": ["20003"], "evidence": {"http_status": 200}},
        {"id": "account.active", "status": "pass", "title": "Account is active", "detail": "status=active",
         "remediation": "", "prevents": ["30002"], "evidence": {"status": "active"}},
        {"id": "number.owned", "status": "pass", "title": "Number is in the account", "detail": "",
         "remediation": "", "prevents": ["21606"], "evidence": {"sid": SIDS["number"]}},
        {"id": "service.status_callback", "status": "warn", "title": "Status callback is set",
         "detail": "The Messaging Service has no status callback URL.",
         "remediation": "Set the Messaging Service status callback to the Preflight webhook.", "prevents": [],
         "evidence": {"status_callback": None}},
        {"id": "campaign.verified", "status": "fail", "title": "Campaign is verified",
         "detail": "The campaign status is FAILED.",
         "remediation": "Rewrite the campaign description and resubmit the campaign.", "prevents": ["30034"],
         "evidence": {"campaign_status": "FAILED", "errors": [{"code": 30886}]}},
        {"id": "brand.approved", "status": "skip", "title": "Brand is approved",
         "detail": "Skipped because the campaign failed.", "remediation": "", "prevents": ["30034"], "evidence": {}},
    ]
    chain = {"account": {"sid": SIDS["account"], "status": "active", "type": "Full"},
             "number": {"sid": SIDS["number"], "phone_number": "+14155550100"},
             "messaging_service": {"sid": SIDS["messaging_service"], "friendly_name": "Acme reminders"},
             "campaign": {"sid": SIDS["campaign"], "campaign_status": "FAILED"},
             "brand": {"sid": SIDS["brand"], "status": "APPROVED"}}
    return ReadinessCheck(id=check_id, workspace_id=workspace_id, status=status, complete=True,
                          started_at=finished_at - timedelta(seconds=4), finished_at=finished_at, twilio_requests=7,
                          phone_number="+14155550100", account_sid=SIDS["account"], chain=chain, checks=checks)


@dataclass
class Seed:
    workspace_id: str
    now: object
    check_id: str


def seed(rt, workspace_id: str) -> Seed:
    """In the 7 days before now: 40 decisions (24 allowed, 16 blocked), 3 opt-outs, opt-ins, a readiness check.
    Outside the period: 5 older decisions that must not be counted."""
    now = rt.now()
    with rt.transaction() as s:
        s.add(readiness_row(workspace_id, "rc_seed_1", now - timedelta(days=1)))
        for i in range(40):
            blocked = i < 16
            codes = None
            if blocked:
                codes = "quiet_hours;no_consent" if i < 6 else ("opted_out" if i < 10 else "frequency_cap")
            to = PHONE if i % 10 == 0 else f"+1415555{i:04d}"
            created = now - timedelta(hours=i + 1)
            s.add(Message(id=f"msg_{i:03d}", workspace_id=workspace_id, to_number=to, from_number="+14155550100",
                          body=f"Appointment reminder {i}. Reply STOP to opt out.",
                          category="marketing" if i % 2 else "informational",
                          decision="blocked" if blocked else "allowed",
                          status="blocked" if blocked else ("delivered" if i % 4 else "undelivered"),
                          reason_codes=codes, segments=1 if blocked else 2, created_at=created, updated_at=created,
                          twilio_sid=None if blocked else f"SM{i:032d}", submitted_at=None if blocked else created,
                          error_code=None if blocked or i % 4 else "30034"))
        for i in range(5):
            old = now - timedelta(days=31 + i)
            s.add(Message(id=f"msg_old_{i}", workspace_id=workspace_id, to_number=PHONE, body="old",
                          category="marketing", decision="blocked", status="blocked", reason_codes="trial_account",
                          segments=1, created_at=old, updated_at=old))
        s.flush()
        s.add(StatusEvent(workspace_id=workspace_id, message_id="msg_020", status="delivered",
                          received_at=now - timedelta(hours=20)))
        s.add(ConsentEvent(workspace_id=workspace_id, phone_number=PHONE, kind="opt_in", scope="marketing", scopes=[],
                           written=True, method="web_form", occurred_at=now - timedelta(days=5),
                           recorded_at=now - timedelta(days=5), source="https://acme.example/signup",
                           disclosure_text=DISCLOSURE, ip="203.0.113.7", user_agent="Mozilla/5.0 (test)",
                           actor="key_x"))
        s.add(ConsentEvent(workspace_id=workspace_id, phone_number="+14155550001", kind="opt_in",
                           scope="informational", scopes=[], written=False, method="paper",
                           occurred_at=now - timedelta(days=4), recorded_at=now - timedelta(days=4),
                           disclosure_text="Paper form v2", source="=HYPERLINK(\"http://evil\")"))
        delays = [(PHONE, 3, "sms"), ("+14155550002", 90, "sms"), ("+14155550003", 7200, "api")]
        for n, (phone, delay, channel) in enumerate(delays):
            at = now - timedelta(hours=2 + n)
            s.add(ConsentEvent(workspace_id=workspace_id, phone_number=phone, kind="opt_out",
                               scopes=["marketing", "informational"], channel=channel, occurred_at=at,
                               recorded_at=at + timedelta(seconds=delay), text="STOP" if channel == "sms" else None))
        s.add(ContactState(workspace_id=workspace_id, phone_number=PHONE, marketing=False, informational=False,
                           opted_out=True, opted_out_at=now - timedelta(hours=2), last_revoked_scopes=["marketing"],
                           updated_at=now - timedelta(hours=2)))
    return Seed(workspace_id=workspace_id, now=now, check_id="rc_seed_1")


@pytest.fixture
def seeded(rt, ws):
    return seed(rt, ws.id)


def pdf_text(pdf: bytes) -> tuple[str, list[str]]:
    """(all text with whitespace collapsed, per-page raw text) of a PDF."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() or "" for page in reader.pages]
    return re.sub(r"\s+", " ", " ".join(pages)), pages


def compact(text: str) -> str:
    """Text without any whitespace (hashes and long ids may wrap across lines)."""
    return re.sub(r"\s+", "", text)


def attachments(pdf: bytes) -> dict[str, bytes]:
    reader = PdfReader(io.BytesIO(pdf))
    return {name: blobs[0] for name, blobs in reader.attachments.items()}
