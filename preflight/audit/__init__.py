"""The audit trail: hash-chained events per workspace, written with the change they record.

Importing this package also attaches the append-only triggers to the `audit_events`
table (see `triggers`), so `Base.metadata.create_all` creates them.
"""
from . import triggers  # noqa: F401  (attaches the append-only DDL to the table)
from .chain import GENESIS_HASH, append, canonical_event, event_hash
from .checkpoint import make_checkpoint, public_key_hex, sign_checkpoint, signature_valid
from .verify import verify_chain

__all__ = ["GENESIS_HASH", "append", "canonical_event", "event_hash", "make_checkpoint", "public_key_hex",
           "sign_checkpoint", "signature_valid", "verify_chain"]
