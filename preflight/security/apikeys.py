"""API key format, hashing and constant-time verification.

A key is `pf_<prefix>_<secret>`: the 12-char prefix is public and indexed for lookup,
the secret carries 256 random bits. Only SHA-256 of the whole key is stored: the key is
high-entropy, so a slow password hash would add latency without adding safety.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_PREFIX = "pf"


def generate() -> tuple[str, str, str]:
    """Return (full_key, public_prefix, sha256_hex)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = f"{KEY_PREFIX}_{prefix}_{secret}"
    return key, prefix, hash_key(key)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_prefix(key: str) -> str | None:
    """The public prefix of a well-formed key, else None."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1]


def matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_key(key), stored_hash)
