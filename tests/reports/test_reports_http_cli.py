"""Report endpoints and commands: roles, workspace isolation, validation, files."""
from __future__ import annotations

import json

from sqlalchemy import select

from preflight.models import AuditEvent
from tests.conftest import make_workspace
from tests.reports.conftest import PHONE, pdf_text, readiness_row

PATHS = ("/v1/reports/readiness/rc_seed_1.pdf", "/v1/reports/readiness/latest.pdf",
         "/v1/reports/audit.pdf?from=2026-05-26&to=2026-06-02", f"/v1/reports/contacts/{PHONE}.pdf",
         "/v1/exports/messages.csv", "/v1/exports/consent-events.csv")


def test_admin_and_compliance_download_reports(client, ws, seeded):
    for role in ("admin", "compliance"):
        for path in PATHS:
            resp = client.get(path, headers=ws.headers(role))
            assert resp.status_code == 200, (role, path, resp.get_data()[:300])
            if path.endswith(".pdf") or ".pdf?" in path:
                assert resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF")
                assert resp.headers["Content-Disposition"].startswith("attachment; filename=")
                assert len(resp.headers["X-Report-Data-SHA256"]) == 64
            else:
                assert resp.mimetype == "text/csv" and resp.is_streamed
                assert resp.get_data(as_text=True).count("\n") > 1
            resp.close()


def test_sender_gets_403_everywhere(client, ws, seeded):
    for path in PATHS:
        assert client.get(path, headers=ws.headers("sender")).status_code == 403, path
        assert client.get(path).status_code == 401, path


def test_another_workspace_sees_nothing(client, ws, seeded, rt):
    other = make_workspace(rt, "Other Co")
    resp = client.get("/v1/reports/readiness/rc_seed_1.pdf", headers=other.headers("admin"))
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    assert client.get("/v1/reports/readiness/latest.pdf", headers=other.headers("admin")).status_code == 404
    with rt.transaction() as s:
        s.add(readiness_row(other.id, "rc_other", rt.now()))
    assert client.get("/v1/reports/readiness/rc_other.pdf", headers=ws.headers("admin")).status_code == 404
    resp = client.get(f"/v1/reports/contacts/{PHONE}.pdf", headers=other.headers("compliance"))
    text, _ = pdf_text(resp.data)
    assert "Other Co" in text and "Acme Dental" not in text and "No consent events are recorded" in text
    csv_text = client.get("/v1/exports/messages.csv", headers=other.headers("admin")).get_data(as_text=True)
    assert csv_text.count("\n") == 1  # the header only


def test_audit_report_over_http_uses_the_period_and_records_the_caller(client, ws, seeded, rt):
    resp = client.get("/v1/reports/audit.pdf?from=2026-05-26&to=2026-06-02", headers=ws.headers("compliance"))
    text, _ = pdf_text(resp.data)
    assert "from 2026-05-26T00:00:00Z" in text and "to 2026-06-03T00:00:00Z" in text
    assert "Send decisions 40" in text
    with rt.sessions() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.workspace_id == ws.id,
                                                   AuditEvent.action == "report.generated")).one()
    assert event.actor == ws.key_ids["compliance"]
    assert json.loads(event.data)["data_sha256"] == resp.headers["X-Report-Data-SHA256"]
    assert json.loads(event.data)["params"] == {"from": "2026-05-26T00:00:00Z", "to": "2026-06-03T00:00:00Z"}


def test_audit_report_defaults_to_the_last_30_days(client, ws, seeded):
    resp = client.get("/v1/reports/audit.pdf", headers=ws.headers("admin"))
    text, _ = pdf_text(resp.data)
    assert "from 2026-05-03T16:00:00Z" in text and "Send decisions 40" in text


def test_bad_input_is_a_400(client, ws, seeded):
    for path in ("/v1/reports/audit.pdf?from=yesterday", "/v1/reports/audit.pdf?from=2026-06-02&to=2026-05-01",
                 "/v1/reports/contacts/not-a-number.pdf", "/v1/exports/messages.csv?to=13/13/2026",
                 "/v1/exports/messages.csv?phone_number=abc", "/v1/reports/audit.pdf?bogus=1"):
        resp = client.get(path, headers=ws.headers("admin"))
        assert resp.status_code == 400, path
        assert resp.get_json()["error"]["details"], path


def test_cli_reports(app, ws, seeded, tmp_path):
    runner = app.test_cli_runner()
    for args in (["readiness", "--workspace", ws.id, "--check", "latest"],
                 ["audit", "--workspace", ws.id, "--from", "2026-05-26", "--to", "2026-06-02"],
                 ["contact", "--workspace", ws.id, "--phone", PHONE]):
        out_file = tmp_path / f"{args[0]}.pdf"
        out = runner.invoke(args=["reports", *args, "--out", str(out_file)])
        assert out.exit_code == 0, out.output
        assert out_file.read_bytes().startswith(b"%PDF")
        assert "data SHA-256" in out.output
    out = runner.invoke(args=["reports", "readiness", "--workspace", ws.id, "--check", "rc_nope",
                              "--out", str(tmp_path / "x.pdf")])
    assert out.exit_code != 0 and "not found" in out.output
    assert not (tmp_path / "x.pdf").exists()
    out = runner.invoke(args=["reports", "audit", "--workspace", ws.id, "--from", "2026-06-02", "--to", "2026-05-01",
                              "--out", str(tmp_path / "y.pdf")])
    assert out.exit_code != 0


def test_openapi_lists_the_report_and_export_paths(client):
    paths = client.get("/v1/openapi.json").get_json()["paths"]
    for path in ("/v1/reports/readiness/{check_id}.pdf", "/v1/reports/audit.pdf",
                 "/v1/reports/contacts/{phone_number}.pdf", "/v1/exports/messages.csv",
                 "/v1/exports/consent-events.csv", "/v1/audit/events", "/v1/audit/verify"):
        assert path in paths, path
