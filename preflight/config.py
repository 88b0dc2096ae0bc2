"""Settings: defaults, then the environment, then test overrides.

Nothing here runs at import time; `load_settings` is called by `create_app`.
Secrets that are not given by the environment are generated once into the
instance folder (mode 0600) so a restart keeps them.
"""
from __future__ import annotations

import os
import secrets
from datetime import datetime, timezone
from pathlib import Path

from cryptography.fernet import Fernet

DEFAULTS = {
    "PREFLIGHT_DATABASE_URL": None,  # None: SQLite file in the instance folder
    "PREFLIGHT_SECRET_KEY": None,
    "PREFLIGHT_ENCRYPTION_KEYS": None,
    "PREFLIGHT_AUDIT_SIGNING_KEY": None,
    "PREFLIGHT_PUBLIC_URL": None,
    "PREFLIGHT_TWILIO_HOST_MAP": None,
    "PREFLIGHT_READINESS_MAX_AGE": 86400,
    "PREFLIGHT_TWILIO_TIMEOUT": 10.0,
    "PREFLIGHT_MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "PREFLIGHT_IMPORT_MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
    "PREFLIGHT_READINESS_CONCURRENCY": 16,
    # Test and embedding hooks (never read from the environment):
    "PREFLIGHT_CLOCK": None,  # callable returning an aware UTC datetime
    "PREFLIGHT_TWILIO_HTTP_CLIENT": None,  # a twilio HttpClient, e.g. the in-process sandbox
}

ENV_KEYS = (
    "PREFLIGHT_DATABASE_URL",
    "PREFLIGHT_SECRET_KEY",
    "PREFLIGHT_ENCRYPTION_KEYS",
    "PREFLIGHT_AUDIT_SIGNING_KEY",
    "PREFLIGHT_PUBLIC_URL",
    "PREFLIGHT_TWILIO_HOST_MAP",
    "PREFLIGHT_READINESS_MAX_AGE",
    "PREFLIGHT_TWILIO_TIMEOUT",
)

INT_KEYS = {"PREFLIGHT_READINESS_MAX_AGE", "PREFLIGHT_READINESS_CONCURRENCY",
            "PREFLIGHT_MAX_CONTENT_LENGTH", "PREFLIGHT_IMPORT_MAX_CONTENT_LENGTH"}
FLOAT_KEYS = {"PREFLIGHT_TWILIO_TIMEOUT"}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised by create_app, loudly."""


def utc_now() -> datetime:
    """The real clock: an aware UTC datetime."""
    return datetime.now(timezone.utc)


def _instance_secret(instance: Path, name: str, make) -> str:
    """Read a generated secret from the instance folder, creating it (0600) once."""
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)
    return value


def _make_signing_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return raw.hex()


def parse_host_map(value: str | None) -> dict[str, str] | None:
    """Parse `host=base_url,host=base_url` into a dict; None when unset."""
    if value is None or not str(value).strip():
        return None
    if isinstance(value, dict):
        return {k.lower(): v.rstrip("/") for k, v in value.items()}
    mapping = {}
    for part in str(value).split(","):
        part = part.strip()
        if not part:
            continue
        host, sep, base = part.partition("=")
        if not sep or not host.strip() or not base.strip().startswith(("http://", "https://")):
            raise ConfigError(f"PREFLIGHT_TWILIO_HOST_MAP: bad entry {part!r} (want host=http://base)")
        mapping[host.strip().lower()] = base.strip().rstrip("/")
    return mapping


def load_settings(instance_path: str, test_config: dict | None) -> dict:
    """Build the settings dict: defaults, then environment, then `test_config`."""
    settings = dict(DEFAULTS)
    for key in ENV_KEYS:
        if os.environ.get(key) not in (None, ""):
            settings[key] = os.environ[key]
    if test_config:
        settings.update(test_config)

    instance = Path(instance_path)
    if not settings["PREFLIGHT_DATABASE_URL"]:
        instance.mkdir(parents=True, exist_ok=True)
        settings["PREFLIGHT_DATABASE_URL"] = f"sqlite:///{instance / 'preflight.sqlite3'}"
    if not settings["PREFLIGHT_SECRET_KEY"]:
        settings["PREFLIGHT_SECRET_KEY"] = _instance_secret(instance, "secret_key", lambda: secrets.token_hex(32))
    if not settings["PREFLIGHT_ENCRYPTION_KEYS"]:
        settings["PREFLIGHT_ENCRYPTION_KEYS"] = _instance_secret(
            instance, "encryption_keys", lambda: Fernet.generate_key().decode()
        )
    if not settings["PREFLIGHT_AUDIT_SIGNING_KEY"]:
        settings["PREFLIGHT_AUDIT_SIGNING_KEY"] = _instance_secret(instance, "audit_signing_key", _make_signing_key)

    for key in INT_KEYS:
        try:
            settings[key] = int(settings[key])
        except (TypeError, ValueError):
            raise ConfigError(f"{key} must be an integer") from None
    for key in FLOAT_KEYS:
        try:
            settings[key] = float(settings[key])
        except (TypeError, ValueError):
            raise ConfigError(f"{key} must be a number") from None

    keys = settings["PREFLIGHT_ENCRYPTION_KEYS"]
    if isinstance(keys, str):
        keys = [k.strip() for k in keys.split(",") if k.strip()]
    if not keys:
        raise ConfigError("PREFLIGHT_ENCRYPTION_KEYS is empty")
    for k in keys:
        try:
            Fernet(k)
        except Exception:
            raise ConfigError("PREFLIGHT_ENCRYPTION_KEYS holds a key that is not a Fernet key") from None
    settings["PREFLIGHT_ENCRYPTION_KEYS"] = keys
    settings["PREFLIGHT_TWILIO_HOST_MAP"] = parse_host_map(settings["PREFLIGHT_TWILIO_HOST_MAP"])
    if settings["PREFLIGHT_CLOCK"] is None:
        settings["PREFLIGHT_CLOCK"] = utc_now
    if settings["PREFLIGHT_PUBLIC_URL"]:
        settings["PREFLIGHT_PUBLIC_URL"] = str(settings["PREFLIGHT_PUBLIC_URL"]).rstrip("/")
    return settings
