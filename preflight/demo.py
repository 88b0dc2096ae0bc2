"""`preflight demo`: the embedded default.

A fresh SQLite database, two simulated Twilio accounts answered in-process by the
sandbox, two seeded workspaces (one compliant, one whose campaign is still IN_PROGRESS),
keys and console users, and a little history (consents, sends, a STOP reply) so every
page and report has something to show. Seeding goes through the public HTTP API and the
signed webhook, exactly as a client and Twilio would.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from twilio.http import HttpClient
from twilio.request_validator import RequestValidator

from .sandbox import Sandbox, SandboxHttpClient, scenarios


class AccountRouterHttpClient(HttpClient):
    """Routes each twilio request to the sandbox of the account it authenticates as."""

    def __init__(self):
        super().__init__(logger=None, is_async=False, timeout=None)
        self.clients: dict[str, SandboxHttpClient] = {}

    def add(self, sandbox: Sandbox) -> None:
        self.clients[sandbox.account_sid] = SandboxHttpClient(sandbox)

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        account = (auth or ("", ""))[0]
        client = self.clients.get(account)
        if client is None:  # an unknown account: let a sandbox answer 20003 as Twilio would
            client = next(iter(self.clients.values()))
        response = client.request(method, url, params=params, data=data, headers=headers, auth=auth,
                                  timeout=timeout, allow_redirects=allow_redirects)
        self.last_response = response
        return response


class MultiAccountApp:
    """One WSGI app serving several sandbox accounts: picks the account from the Basic
    auth user (the Account SID), so one host map entry per Twilio host serves them all."""

    def __init__(self, sandboxes: list[Sandbox]):
        self.apps = {sb.account_sid: sb.wsgi_app for sb in sandboxes}
        self.default = sandboxes[0].wsgi_app

    def __call__(self, environ, start_response):
        import base64

        header = environ.get("HTTP_AUTHORIZATION", "")
        account = ""
        if header.lower().startswith("basic "):
            try:
                account = base64.b64decode(header[6:]).decode().split(":", 1)[0]
            except (ValueError, UnicodeDecodeError):
                account = ""
        return self.apps.get(account, self.default)(environ, start_response)


@dataclass
class DemoWorkspace:
    slug: str
    id: str
    name: str
    keys: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    sandbox: Sandbox | None = None


DEMO_PASSWORD = "preflight-demo-2026"


def build_sandboxes(public_url: str, workspace_ids: dict[str, str]) -> dict[str, tuple[Sandbox, dict]]:
    """The demo's Twilio accounts (sandbox, scenario), their services pointing at this
    Preflight's webhooks."""
    out = {}
    for slug, scenario in scenarios.demo_scenarios().items():
        ws_id = workspace_ids[slug]
        for service in scenario["services"]:
            service["inbound_request_url"] = f"{public_url}/webhooks/twilio/{ws_id}/inbound"
            service["status_callback"] = f"{public_url}/webhooks/twilio/{ws_id}/status"
        out[slug] = (Sandbox(scenario), scenario)
    return out


def seed(app, sandboxes: dict[str, tuple[Sandbox, dict]], workspaces: dict[str, DemoWorkspace]) -> list[str]:
    """Connect, check, consent, send and reply through the public surface. Returns notes."""
    client = app.test_client()
    rt = app.extensions["preflight"]
    notes = []
    for slug, ws in workspaces.items():
        sb, scenario = sandboxes[slug]
        admin = {"Authorization": f"Bearer {ws.keys['admin']}"}
        sender = {"Authorization": f"Bearer {ws.keys['sender']}"}
        number = scenario["incoming_phone_numbers"][0]["phone_number"]
        _ok(client.put("/v1/connection", headers=admin, json={
            "account_sid": sb.account_sid, "auth_token": sb.auth_token, "phone_number": number}))
        check = client.post("/v1/readiness-checks", headers=admin).get_json()
        notes.append(f"{ws.name}: readiness {check.get('status')}")
        now = rt.now()
        captured = (now - timedelta(days=3)).isoformat()
        contacts = ["+14045550111", "+13055550122", "+15125550133"]
        for phone in contacts:
            _ok(client.post("/v1/consents", headers=sender, json={
                "phone_number": phone, "scope": "marketing", "written": True, "method": "web_form",
                "captured_at": captured, "source": "https://example.com/join",
                "disclosure_text": f"By checking this box I agree to receive recurring marketing texts from "
                                   f"{ws.name} at the number provided. Consent is not a condition of "
                                   f"purchase. Msg & data rates may apply. Reply STOP to cancel.",
                "ip": "203.0.113.7", "postal_code": None}))
        body = f"{ws.name}: 20% off this week. Reply STOP to opt out."
        for phone in contacts + ["+16155550144"]:
            client.post("/v1/messages", headers=sender, json={"to": phone, "body": body, "category": "marketing"})
        sb.flush_callbacks()
        # The first contact replies STOP: Twilio forwards it, signed, to the inbound webhook.
        reply = {"MessageSid": scenarios.sid("SM", f"{slug}-stop"), "AccountSid": sb.account_sid,
                 "From": contacts[0], "To": number, "Body": "Stop texting me please", "NumSegments": "1"}
        url = f"{rt.public_url()}/webhooks/twilio/{ws.id}/inbound"
        signature = RequestValidator(sb.auth_token).compute_signature(url, reply)
        _ok(client.post(f"/webhooks/twilio/{ws.id}/inbound", data=reply,
                        headers={"X-Twilio-Signature": signature}))
        notes.append(f"{ws.name}: {contacts[0]} replied 'Stop texting me please'")
    return notes


def _ok(resp):
    if resp.status_code >= 400:
        raise RuntimeError(f"demo seeding failed: {resp.status_code} {resp.get_data(as_text=True)[:300]}")
    return resp


def start_callback_pump(sandboxes: list[Sandbox], stop: threading.Event, interval: float = 1.0):
    """Deliver the sandboxes' status callbacks in the background, like Twilio does."""

    def pump():
        while not stop.wait(interval):
            for sb in sandboxes:
                sb.flush_callbacks()

    thread = threading.Thread(target=pump, name="sandbox-callbacks", daemon=True)
    thread.start()
    return thread


def wire_callbacks(app, sandboxes: list[Sandbox], public_url: str) -> None:
    """Deliver callbacks straight into the app (no sockets): path of the signed URL."""

    def sender(url, params, headers):
        with app.test_client() as c:
            c.post(url.replace(public_url, "", 1), data=params, headers=headers)

    for sb in sandboxes:
        sb.callback_sender = sender


def demo_database(db_file: str) -> Path:
    """A fresh demo database file: the demo starts from nothing each run."""
    path = Path(db_file)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
