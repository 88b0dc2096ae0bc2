"""Settings: generated instance secrets (0600), environment, loud failures, nothing at import."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from preflight import create_app
from preflight.config import ConfigError, load_settings, parse_host_map


def test_instance_secrets_generated_once_with_mode_0600(tmp_path, monkeypatch):
    for key in ("PREFLIGHT_SECRET_KEY", "PREFLIGHT_ENCRYPTION_KEYS", "PREFLIGHT_AUDIT_SIGNING_KEY",
                "PREFLIGHT_DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    first = load_settings(str(tmp_path), None)
    for name in ("secret_key", "encryption_keys", "audit_signing_key"):
        mode = stat.S_IMODE(os.stat(tmp_path / name).st_mode)
        assert mode == 0o600, name
    second = load_settings(str(tmp_path), None)
    assert first["PREFLIGHT_SECRET_KEY"] == second["PREFLIGHT_SECRET_KEY"]
    assert first["PREFLIGHT_ENCRYPTION_KEYS"] == second["PREFLIGHT_ENCRYPTION_KEYS"]
    assert first["PREFLIGHT_DATABASE_URL"].startswith("sqlite:///")


def test_environment_then_test_config(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFLIGHT_READINESS_MAX_AGE", "60")
    monkeypatch.setenv("PREFLIGHT_TWILIO_HOST_MAP", "api.twilio.com=http://127.0.0.1:4011")
    s = load_settings(str(tmp_path), {"PREFLIGHT_SECRET_KEY": "t"})
    assert s["PREFLIGHT_READINESS_MAX_AGE"] == 60
    assert s["PREFLIGHT_TWILIO_HOST_MAP"] == {"api.twilio.com": "http://127.0.0.1:4011"}
    s = load_settings(str(tmp_path), {"PREFLIGHT_READINESS_MAX_AGE": 5})
    assert s["PREFLIGHT_READINESS_MAX_AGE"] == 5


@pytest.mark.parametrize("overrides", [
    {"PREFLIGHT_ENCRYPTION_KEYS": "not-a-key"},
    {"PREFLIGHT_READINESS_MAX_AGE": "soon"},
    {"PREFLIGHT_TWILIO_HOST_MAP": "api.twilio.com"},
])
def test_bad_settings_fail_loudly(tmp_path, overrides):
    with pytest.raises(ConfigError):
        load_settings(str(tmp_path), overrides)


def test_host_map_parsing():
    assert parse_host_map(None) is None
    assert parse_host_map("API.twilio.com=http://a:1/ , messaging.twilio.com=http://b:2") == {
        "api.twilio.com": "http://a:1", "messaging.twilio.com": "http://b:2"}


def test_import_does_nothing(tmp_path):
    code = ("import os, preflight, preflight.models, preflight.api, preflight.webhooks; "
            "print(sorted(os.listdir('.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_clock_override_is_used(tmp_path):
    from datetime import datetime, timezone

    fixed = datetime(2030, 1, 1, tzinfo=timezone.utc)
    app = create_app({"PREFLIGHT_DATABASE_URL": f"sqlite:///{tmp_path}/c.db", "PREFLIGHT_SECRET_KEY": "x",
                      "PREFLIGHT_ENCRYPTION_KEYS": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=",
                      "PREFLIGHT_AUDIT_SIGNING_KEY": "11" * 32, "PREFLIGHT_CLOCK": lambda: fixed})
    assert app.extensions["preflight"].now() == fixed
