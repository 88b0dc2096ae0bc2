"""Secrecy: after a full run through the service (connection set, checks, consents,
sends, status and inbound webhooks, reports, exports), the Auth Tokens used appear
nowhere: logs at DEBUG, response bodies and headers, CSV exports, PDF text, every
column of every table as text, and the raw SQLite file."""
from __future__ import annotations

import io
import logging

from pypdf import PdfReader
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from preflight.models import Base
from tests.conftest import PUBLIC_URL

from .helpers import NY, NY2, find_secret, seed

OLD_TOKEN = "0123456789abcdef0123456789abcdef"  # a token set once, then replaced


def test_auth_tokens_leak_nowhere(client, rt, ws, sandbox, scenario, caplog, db_url):
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.DEBUG)
    tokens = [sandbox.auth_token, OLD_TOKEN]
    bodies: list[str] = []

    def keep(resp):
        if resp.mimetype == "application/pdf":
            bodies.append("\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(resp.data)).pages))
        else:
            bodies.append(resp.get_data(as_text=True))
        bodies.append(str(resp.headers))
        return resp

    # A token that is later replaced (rotation), a wrong token (readiness fails), then the right one.
    keep(client.put("/v1/connection", headers=ws.headers("admin"), json={
        "account_sid": sandbox.account_sid, "auth_token": OLD_TOKEN, "phone_number": "+14155550100"}))
    keep(client.post("/v1/readiness-checks", headers=ws.headers("admin")))  # Twilio refuses the old token
    ids = seed(client, ws, sandbox, scenario)
    admin = ws.headers("admin")
    for path in ("/v1/connection", "/v1/readiness-checks/latest", f"/v1/readiness-checks/{ids['check_id']}",
                 "/v1/readiness-checks", f"/v1/contacts/{NY}", "/v1/messages", f"/v1/messages/{ids['message_id']}",
                 "/v1/audit/events?limit=500", "/v1/audit/verify", "/v1/exports/messages.csv",
                 "/v1/exports/consent-events.csv", f"/v1/reports/readiness/{ids['check_id']}.pdf",
                 "/v1/reports/audit.pdf", f"/v1/reports/contacts/{NY}.pdf", "/v1/openapi.json", "/healthz"):
        resp = keep(client.get(path, headers=admin))
        assert resp.status_code == 200, (path, resp.status_code)
    keep(client.post("/v1/messages/preflight", headers=ws.headers("sender"), json={
        "recipients": [NY, NY2, "nonsense"], "body": "Hi. Reply STOP to opt out.", "category": "marketing"}))
    path = f"/webhooks/twilio/{ws.id}/inbound"
    params = {"MessageSid": "SMsecret1", "From": NY2, "To": "+14155550100", "Body": "STOP"}
    sig = RequestValidator(sandbox.auth_token).compute_signature(PUBLIC_URL + path, params)
    keep(client.post(path, data=params, headers={"X-Twilio-Signature": sig}))
    keep(client.post(path, data=params, headers={"X-Twilio-Signature": "forged"}))
    keep(client.put("/v1/connection", headers=admin, json={  # invalid input echoes nothing secret
        "account_sid": "nope", "auth_token": sandbox.auth_token + "x", "phone_number": "x"}))
    cli = client.application.test_cli_runner()
    for args in (["check", "--workspace", ws.id], ["audit", "verify", "--workspace", ws.id],
                 ["sends", "reconcile"]):
        result = cli.invoke(args=args)
        bodies.append(result.output)

    found = {}
    for i, text in enumerate(bodies):
        if hits := find_secret(text, tokens):
            found[f"response {i}"] = hits
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    if hits := find_secret(logs, tokens):
        found["logs"] = hits
    with rt.transaction() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)):
                text = " ".join(str(v) for v in row)
                if hits := find_secret(text, tokens):
                    found[f"table {table.name}"] = hits
    if db_url.startswith("sqlite:///"):
        from pathlib import Path

        base = db_url[len("sqlite:///"):]
        raw = b"".join(Path(base + suffix).read_bytes() for suffix in ("", "-wal", "-journal")
                       if Path(base + suffix).exists())
        for token in tokens:
            for form in (token, token[:16], token[16:]):
                for enc in ("utf-8", "utf-16-le"):
                    if form.encode(enc) in raw:
                        found.setdefault("sqlite file", []).append(form)
    assert not found, found
    assert len(caplog.records) > 0 and len(bodies) > 20
