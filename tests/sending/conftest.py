"""Fixtures for the send path: a sandbox dated by the test clock and a workspace that is
connected, checked and holds marketing consent for NY."""
from __future__ import annotations

import pytest

from tests.sending.send_helpers import NY, consent


@pytest.fixture
def sandbox(scenario, clock):
    from preflight.sandbox import Sandbox

    return Sandbox(scenario, clock=clock)


@pytest.fixture
def ready(client, connected):
    """A connected workspace with a readiness check run and marketing consent for NY."""
    resp = client.post("/v1/readiness-checks", headers=connected.headers("admin"))
    assert resp.status_code == 201, resp.get_json()
    consent(client, connected, NY)
    return connected
