"""The audit trail: hash-chained events per workspace, written with the change they record."""
from .chain import GENESIS_HASH, append, canonical_event, event_hash

__all__ = ["GENESIS_HASH", "append", "canonical_event", "event_hash"]
