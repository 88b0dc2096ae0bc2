"""Streamed CSV exports of decisions and consent events."""
from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from preflight.models import AuditEvent
from reports.csv_export import CONSENT_COLUMNS, MESSAGE_COLUMNS
from tests.reports.conftest import DISCLOSURE, PHONE


def _rows(resp):
    assert resp.status_code == 200, resp.get_data()[:300]
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


def test_messages_export_has_every_decision(client, ws, seeded):
    resp = client.get("/v1/exports/messages.csv", headers=ws.headers("compliance"))
    assert resp.is_streamed
    assert resp.get_data(as_text=True).splitlines()[0] == ",".join(MESSAGE_COLUMNS)
    rows = _rows(resp)
    assert len(rows) == 45
    assert [r["created_at"] for r in rows] == sorted(r["created_at"] for r in rows)
    first_blocked = next(r for r in rows if r["id"] == "msg_000")
    assert first_blocked["decision"] == "blocked" and first_blocked["reason_codes"] == "quiet_hours;no_consent"
    assert first_blocked["to_number"] == PHONE and first_blocked["created_at"].endswith("Z")
    allowed = next(r for r in rows if r["id"] == "msg_020")
    assert allowed["twilio_sid"] == "SM" + "0" * 30 + "20" and allowed["status"] == "undelivered"
    assert allowed["error_code"] == "30034" and allowed["segments"] == "2"


def test_messages_export_filters_by_period_and_number(client, ws, seeded):
    rows = _rows(client.get("/v1/exports/messages.csv?from=2026-05-26&to=2026-06-02", headers=ws.headers("admin")))
    assert len(rows) == 40 and not any(r["id"].startswith("msg_old") for r in rows)
    rows = _rows(client.get("/v1/exports/messages.csv?from=2026-06-02T10:00:00Z&to=2026-06-02T14:00:00Z",
                            headers=ws.headers("admin")))
    assert {r["id"] for r in rows} == {"msg_002", "msg_003", "msg_004", "msg_005"}
    rows = _rows(client.get("/v1/exports/messages.csv?to=2026-05-03", headers=ws.headers("admin")))
    assert {r["id"] for r in rows} == {"msg_old_0", "msg_old_1", "msg_old_2", "msg_old_3", "msg_old_4"}
    rows = _rows(client.get("/v1/exports/messages.csv?phone_number=%2B13055550123", headers=ws.headers("admin")))
    assert len(rows) == 9 and {r["to_number"] for r in rows} == {PHONE}


def test_consent_events_export(client, ws, seeded):
    resp = client.get("/v1/exports/consent-events.csv", headers=ws.headers("admin"))
    assert resp.get_data(as_text=True).splitlines()[0] == ",".join(CONSENT_COLUMNS)
    rows = _rows(resp)
    assert [r["kind"] for r in rows] == ["opt_in", "opt_in", "opt_out", "opt_out", "opt_out"]
    assert rows[0]["disclosure_text"] == DISCLOSURE and rows[0]["written"] == "true"
    assert rows[2]["scopes"] == "marketing;informational" and rows[2]["text"] == "STOP"
    # A formula in a free-text field is neutralised; the phone numbers are exact.
    assert rows[1]["source"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[1]["phone_number"] == "+14155550001"
    rows = _rows(client.get("/v1/exports/consent-events.csv?from=2026-06-02", headers=ws.headers("admin")))
    assert [r["kind"] for r in rows] == ["opt_out", "opt_out", "opt_out"]


def test_exports_are_recorded_in_the_audit_chain(client, ws, seeded, rt):
    client.get("/v1/exports/messages.csv?from=2026-05-26", headers=ws.headers("compliance")).get_data()
    with rt.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.workspace_id == ws.id,
                                                   AuditEvent.action == "export.generated")).one()
    assert event.actor == ws.key_ids["compliance"]
    assert json.loads(event.data) == {"export": "messages",
                                      "params": {"from": "2026-05-26", "to": None, "phone_number": None}}


def test_export_generator_streams_in_batches(rt, ws, seeded, monkeypatch):
    import reports.csv_export as export

    monkeypatch.setattr(export, "BATCH", 7)
    chunks = list(export.messages_csv(rt, ws.id))
    assert len(chunks) == 1 + 7  # header, then 45 rows in batches of 7
    assert sum(c.count("\r\n") for c in chunks) == 46
