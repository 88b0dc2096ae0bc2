"""CSV import: per-row results with line numbers, idempotent re-import, HTTP and CLI."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from preflight.consent import importer, ledger
from preflight.errors import InvalidInput
from preflight.models import AuditEvent, ConsentEvent
from tests.conftest import make_app, make_workspace
from tests.consent.consent_helpers import DISCLOSURE, fresh_number

HEADER = "phone_number,scope,written,method,captured_at,source,disclosure_text,ip,user_agent,postal_code,evidence_uri"


def mixed_file(now):
    """Good and bad rows; returns (bytes, good numbers, {line: field})."""
    at = (now - timedelta(days=3)).isoformat()
    future = (now + timedelta(days=1)).isoformat()
    good = [fresh_number() for _ in range(4)]
    lines = [
        HEADER,                                                                               # 1
        f'{good[0]},marketing,true,web_form,{at},https://acme.example/join,"{DISCLOSURE}",'
        f'203.0.113.5,Mozilla/5.0,33101,https://evidence.example/1.png',                     # 2
        f'{good[1]},informational,false,paper,{at},front desk,,,,,',                          # 3
        f'{fresh_number()},marketing,false,web_form,{at},form,"{DISCLOSURE}",,,,',            # 4 written
        f'{good[2]},marketing,TRUE,web_form,{at},form,"Line one of the disclosure,',          # 5 (2 lines)
        'line two, Reply STOP to cancel.",,,,',                                               # 6
        f'{fresh_number()},informational,false,paper,{future},front desk,,,,,',              # 7 future
        '',                                                                                   # 8 blank
        f'+1415,informational,false,paper,{at},front desk,,,,,',                              # 9 number
        f'{fresh_number()},informational,maybe,paper,{at},front desk,,,,,',                  # 10 written
        f'{fresh_number()},informational,false,paper,2026-05-01T10:00:00,front desk,,,,,',    # 11 offset
        f'{fresh_number()},informational,false',                                             # 12 short row
        f'{good[3]},informational,false,verbal,{at},call,,,,,',                               # 13
    ]
    return ("\n".join(lines) + "\n").encode(), good, {4: "written", 7: "captured_at", 9: "phone_number",
                                                      10: "written", 11: "captured_at", 12: "row"}


def test_mixed_rows_report_bad_lines_and_import_the_rest(rt, ws):
    now = rt.now()
    data, good, bad = mixed_file(now)
    with rt.transaction() as s:
        result = importer.import_csv(s, ws.id, BytesIO(data), now, "key_1")
    assert (result.imported, result.duplicates, result.rejected, result.rows) == (4, 0, 6, 10)
    assert {e["line"]: e["field"] for e in result.errors} == bad
    assert all(e["reason"] for e in result.errors)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    with rt.transaction() as s:
        states = ledger.contact_states(s, ws.id, good)
        assert states[good[0]].marketing and states[good[0]].postal_code == "33101"
        assert states[good[1]].informational and not states[good[1]].marketing
        (multi,) = ledger.history(s, ws.id, good[2])
        assert multi.disclosure_text == "Line one of the disclosure,\nline two, Reply STOP to cancel."
        (first,) = ledger.history(s, ws.id, good[0])
        assert (first.method, first.ip, first.evidence_uri, first.actor) == (
            "web_form", "203.0.113.5", "https://evidence.example/1.png", "key_1")


def test_reimport_adds_nothing_and_one_audit_event_per_import(rt, ws):
    now = rt.now()
    data, good, _ = mixed_file(now)
    for _ in range(2):
        with rt.transaction() as s:
            last = importer.import_csv(s, ws.id, BytesIO(data), now, "key_1")
    assert (last.imported, last.duplicates, last.rejected) == (0, 4, 6)
    with rt.transaction() as s:
        assert s.scalar(select(func.count()).select_from(ConsentEvent)) == 4
        audits = s.scalars(select(AuditEvent).where(AuditEvent.action == "consent.import")
                           .order_by(AuditEvent.seq)).all()
    assert len(audits) == 2
    assert '"imported":4' in audits[0].data and '"duplicates":4' in audits[1].data
    assert hashlib.sha256(data).hexdigest() in audits[0].data


def test_duplicate_rows_inside_one_file_and_across_chunks(rt, ws):
    now = rt.now()
    number = fresh_number()
    row = f"{number},informational,false,paper,{(now - timedelta(days=1)).isoformat()},desk,,,,,"
    data = "\n".join([HEADER, row, row, f"{fresh_number()}{row[12:]}", row]).encode()
    with rt.transaction() as s:
        result = importer.import_csv(s, ws.id, BytesIO(data), now, "t", chunk_rows=2)
    assert (result.imported, result.duplicates) == (2, 2)


def test_import_after_stop_keeps_the_stop(rt, ws):
    """A CRM re-importing old sign-ups must not undo an opt-out."""
    now = rt.now()
    number = fresh_number()
    with rt.transaction() as s:
        ledger.record_opt_out(s, ws.id, number, "sms", "STOP", now - timedelta(hours=1), now, "twilio")
    old = (now - timedelta(days=30)).isoformat()
    fresh = (now - timedelta(minutes=5)).isoformat()
    data = "\n".join([HEADER, f'{number},marketing,true,import,{old},crm,"{DISCLOSURE}",,,,',
                      f'{number},informational,false,import,{fresh},crm,,,,,']).encode()
    with rt.transaction() as s:
        importer.import_csv(s, ws.id, BytesIO(data), now, "t")
        state = ledger.contact_state(s, ws.id, number)
        assert (state.opted_out, state.marketing, state.informational) == (True, False, False)
        assert [e.scopes for e in ledger.history(s, ws.id, number)] == [[], [], []]


@pytest.mark.parametrize("header, field", [
    ("phone_number,scope,written,method,captured_at,source,colour", "header"),
    ("phone_number,scope,written,method,source", "columns"),
    ("", "header"),
])
def test_bad_header_rejects_the_whole_file(rt, ws, header, field):
    with rt.transaction() as s:
        with pytest.raises(InvalidInput) as exc:
            importer.import_csv(s, ws.id, BytesIO(header.encode()), rt.now(), "t")
    assert field in exc.value.details


def test_not_utf8_is_rejected(rt, ws):
    data = (HEADER + "\n+14155550100,informational,false,paper,2026-01-01T00:00:00Z,caf\xe9,,,,,\n").encode("latin-1")
    with rt.transaction() as s:
        with pytest.raises(InvalidInput) as exc:
            importer.import_csv(s, ws.id, BytesIO(data), rt.now(), "t")
    assert "body" in exc.value.details


def test_utf8_bom_and_crlf_are_accepted(rt, ws):
    number = fresh_number()
    data = ("\ufeff" + HEADER + "\r\n" + f"{number},informational,false,paper,2026-01-01T00:00:00Z,café,,,,,\r\n"
            ).encode()
    with rt.transaction() as s:
        result = importer.import_csv(s, ws.id, BytesIO(data), rt.now(), "t")
    assert (result.imported, result.rejected) == (1, 0)


def csv_body(now, rows=3):
    at = (now - timedelta(days=1)).isoformat()
    lines = [HEADER] + [f'{fresh_number()},marketing,true,web_form,{at},form,"{DISCLOSURE}",,,,'
                        for _ in range(rows)] + [f"+1,informational,false,paper,{at},desk,,,,,"]
    return ("\n".join(lines) + "\n").encode()


def test_http_import(client, rt, ws):
    resp = client.post("/v1/consents/import", data=csv_body(rt.now()), headers={
        **ws.headers("admin"), "Content-Type": "text/csv; charset=utf-8"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["imported"], body["duplicates"], body["rejected"]) == (3, 0, 1)
    assert body["errors"] == [{"line": 5, "field": "phone_number", "reason": "phone_number: not an E.164 number"}]


@pytest.mark.parametrize("role, status", [("sender", 403), ("compliance", 403)])
def test_http_import_is_admin_only(client, rt, ws, role, status):
    resp = client.post("/v1/consents/import", data=csv_body(rt.now()),
                       headers={**ws.headers(role), "Content-Type": "text/csv"})
    assert resp.status_code == status


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x"])
def test_http_import_needs_csv(client, rt, ws, content_type):
    resp = client.post("/v1/consents/import", data=csv_body(rt.now()),
                       headers={**ws.headers(), "Content-Type": content_type})
    assert resp.status_code == 415
    assert resp.get_json()["error"]["code"] == "unsupported_media_type"


def test_http_import_bad_header_is_400(client, ws):
    resp = client.post("/v1/consents/import", data=b"phone,when\n+14155550100,now\n",
                       headers={**ws.headers(), "Content-Type": "text/csv"})
    assert resp.status_code == 400
    assert "header" in resp.get_json()["error"]["details"]


def test_http_import_accepts_more_than_the_json_limit_up_to_its_own(db_url, clock, sandbox):
    app = make_app(db_url, clock, sandbox, PREFLIGHT_MAX_CONTENT_LENGTH=2048,
                   PREFLIGHT_IMPORT_MAX_CONTENT_LENGTH=64 * 1024)
    try:
        rt = app.extensions["preflight"]
        ws = make_workspace(rt)
        client = app.test_client()
        data = csv_body(rt.now(), rows=40)
        assert 2048 < len(data) < 64 * 1024
        resp = client.post("/v1/consents/import", data=data, headers={**ws.headers(), "Content-Type": "text/csv"})
        assert resp.status_code == 200 and resp.get_json()["imported"] == 40
        big = csv_body(rt.now(), rows=400)
        resp = client.post("/v1/consents/import", data=big, headers={**ws.headers(), "Content-Type": "text/csv"})
        assert resp.status_code == 413
        assert resp.get_json()["error"]["code"] == "payload_too_large"
        with rt.transaction() as s:
            assert s.scalar(select(func.count()).select_from(ConsentEvent)) == 40
    finally:
        app.extensions["preflight"].close()


def test_cli_import(app, rt, ws, tmp_path):
    path = tmp_path / "consents.csv"
    path.write_bytes(csv_body(rt.now()))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["consents", "import", "--workspace", ws.id, str(path)])
    assert result.exit_code == 1  # one row rejected
    assert "imported: 3" in result.stdout and "rejected: 1" in result.stdout
    assert "line 5: phone_number: not an E.164 number" in result.stdout
    again = runner.invoke(args=["consents", "import", "--workspace", ws.id, str(path)])
    assert "imported: 0" in again.stdout and "duplicates: 3" in again.stdout
    good = tmp_path / "good.csv"
    good.write_bytes(b"\n".join(csv_body(rt.now()).splitlines()[:-1]) + b"\n")
    ok = runner.invoke(args=["consents", "import", "--workspace", ws.id, str(good)])
    assert ok.exit_code == 0 and "imported: 3" in ok.stdout
    missing = runner.invoke(args=["consents", "import", "--workspace", "ws_nope", str(good)])
    assert missing.exit_code == 1 and "not found" in missing.output

