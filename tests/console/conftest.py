"""Console fixtures: users of a workspace and logged-in test clients."""
from __future__ import annotations

import pytest
from tests.console.console_helpers import add_user, login


@pytest.fixture
def admin(rt, ws):
    return add_user(rt, ws.id, "admin@acme.example", "admin")


@pytest.fixture
def compliance(rt, ws):
    return add_user(rt, ws.id, "officer@acme.example", "compliance")


@pytest.fixture
def admin_client(app, client, admin):
    resp = login(client, "admin@acme.example")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client


@pytest.fixture
def compliance_client(app, client, compliance):
    resp = login(client, "officer@acme.example")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return client
