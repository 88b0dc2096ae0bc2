"""Signed checkpoints: (workspace, sequence, head hash, time) signed with Ed25519.

A hash chain alone does not stop someone with database access from editing an event
and recomputing every hash after it, or from cutting the tail and moving the head back.
A checkpoint handed out earlier (printed, attached to a report) pins the hash of event
`seq`; holding the log against it detects both. The signature proves the checkpoint
came from this service's key (`PREFLIGHT_AUDIT_SIGNING_KEY`: hex of a raw 32-byte
Ed25519 private key).
"""
from __future__ import annotations

import binascii
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from ..models import AuditHead
from .chain import canonical_json, format_time

CHECKPOINT_TYPE = "preflight.audit.checkpoint/1"
SIGNED_FIELDS = ("type", "workspace_id", "seq", "hash", "created_at")


def private_key(signing_key_hex: str) -> Ed25519PrivateKey:
    """The Ed25519 private key from its raw 32-byte hex form."""
    try:
        raw = bytes.fromhex(signing_key_hex.strip())
    except (ValueError, AttributeError):
        raise ValueError("PREFLIGHT_AUDIT_SIGNING_KEY is not hex") from None
    if len(raw) != 32:
        raise ValueError("PREFLIGHT_AUDIT_SIGNING_KEY must be 32 bytes (64 hex characters)")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_hex(signing_key_hex: str) -> str:
    """Hex of the raw public key that verifies this service's checkpoints."""
    pub = private_key(signing_key_hex).public_key()
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def _message(checkpoint: dict) -> bytes:
    return canonical_json({k: checkpoint.get(k) for k in SIGNED_FIELDS}).encode()


def sign_checkpoint(workspace_id: str, seq: int, head_hash: str, now: datetime, signing_key_hex: str) -> dict:
    """A signed checkpoint for event `seq` (hash `head_hash`) of the workspace's chain."""
    body = {"type": CHECKPOINT_TYPE, "workspace_id": workspace_id, "seq": seq, "hash": head_hash,
            "created_at": format_time(now)}
    signature = private_key(signing_key_hex).sign(_message(body))
    return {**body, "algorithm": "Ed25519", "public_key": public_key_hex(signing_key_hex),
            "signature": signature.hex()}


def make_checkpoint(session: Session, workspace_id: str, now: datetime, signing_key_hex: str) -> dict:
    """Sign the workspace's current chain head."""
    head = session.get(AuditHead, workspace_id)
    if head is None:
        raise LookupError(f"workspace {workspace_id} has no audit chain")
    return sign_checkpoint(workspace_id, head.seq, head.hash, now, signing_key_hex)


def signature_valid(checkpoint: dict, public_key: str | None = None) -> bool:
    """True when the checkpoint's signature verifies with `public_key` (hex; default: the
    key printed in the checkpoint itself, which only proves integrity, not origin)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key or checkpoint["public_key"]))
        key.verify(bytes.fromhex(checkpoint["signature"]), _message(checkpoint))
    except (InvalidSignature, KeyError, TypeError, ValueError, binascii.Error):
        return False
    return True


def check_checkpoint(checkpoint: dict, workspace_id: str, stored_hash: str | None,
                     public_key: str | None) -> dict:
    """Hold a checkpoint against the log: `stored_hash` is the hash the log now holds for
    event ``checkpoint["seq"]`` (None when that event does not exist)."""
    seq = checkpoint.get("seq") if isinstance(checkpoint, dict) else None
    out = {"seq": seq, "hash": checkpoint.get("hash") if isinstance(checkpoint, dict) else None,
           "signature_valid": False, "valid": False, "reason": None}
    if not isinstance(checkpoint, dict) or not isinstance(seq, int) or checkpoint.get("type") != CHECKPOINT_TYPE:
        out["reason"] = "not a Preflight audit checkpoint"
        return out
    if public_key and checkpoint.get("public_key") != public_key:
        out["reason"] = "the checkpoint was signed with another key than this service's"
        return out
    out["signature_valid"] = signature_valid(checkpoint, public_key)
    if not out["signature_valid"]:
        out["reason"] = "the checkpoint's signature does not verify"
    elif checkpoint.get("workspace_id") != workspace_id:
        out["reason"] = f"the checkpoint is for workspace {checkpoint.get('workspace_id')}"
    elif stored_hash is None:
        out["reason"] = f"checkpointed event {seq} is missing (the log was truncated)"
    elif stored_hash != checkpoint.get("hash"):
        out["reason"] = (f"event {seq} no longer has the checkpointed hash "
                         "(the log was edited and re-chained at or before it)")
    else:
        out["valid"] = True
    return out
