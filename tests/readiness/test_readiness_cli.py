"""`preflight check --workspace ID`: the checklist and its exit codes."""
from __future__ import annotations

import pytest

from preflight.sandbox import scenarios
from tests.readiness.readiness_helpers import point_webhooks


def _check(app, workspace_id):
    return app.test_cli_runner().invoke(args=["check", "--workspace", workspace_id])


def test_ready_exits_0(app, connected, sandbox):
    point_webhooks(sandbox, connected.id)
    result = _check(app, connected.id)
    assert result.exit_code == 0, result.output
    assert ": READY\n" in result.output and "✓ Campaign is verified" in result.output


def test_warnings_exit_0(app, connected):
    result = _check(app, connected.id)
    assert result.exit_code == 0
    assert "READY WITH WARNINGS" in result.output and "! Replies reach Preflight" in result.output
    assert "Fix: In Twilio Console > Messaging > Services" in result.output


@pytest.mark.parametrize("scenario", [scenarios.load("brand_failed")], indirect=True)
def test_not_ready_exits_1(app, connected):
    result = _check(app, connected.id)
    assert result.exit_code == 1
    assert "NOT READY" in result.output
    assert "✗ Brand is approved" in result.output and "– Brand identity is verified" in result.output
    assert "EIN and legal name mismatch" in result.output


def test_twilio_unavailable_exits_2(app, connected, sandbox):
    sandbox.add_fault({"path_regex": "/PhoneNumbers$", "status": 503})
    result = _check(app, connected.id)
    assert result.exit_code == 2
    assert "Twilio could not be reached" in result.stderr and "incomplete" in result.stderr


def test_not_connected_exits_2(app, ws):
    result = _check(app, ws.id)
    assert result.exit_code == 2 and "connect a Twilio account" in result.stderr
    assert _check(app, "ws_missing").exit_code == 2
