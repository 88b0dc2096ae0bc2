"""The rules that fold ledger events into a number's current consent state.

Pure functions over a small `Snapshot`, shared by the single-event ledger functions
and the bulk importer so both apply exactly the same rules:

- opt-in of a scope: the scope is consented. While the number is opted out, only a
  *fresh* consent lifts the opt-out: written (with its disclosure text) and captured
  strictly after the latest revocation of the current opted-out period. A backdated
  or unwritten opt-in recorded after a STOP stays in the ledger as evidence but
  changes no consent (a CRM replaying old sign-ups must never undo a STOP).
- revocation: every scope is removed at once, whatever its timestamp;
  `last_revoked_scopes` remembers what it removed. A second revocation while already
  opted out removes nothing and keeps that memory (so a later START still restores).
- opt-back-in (START/YES/UNSTOP): only while opted out; restores exactly the scopes
  the revocation removed and lifts the opt-out. Otherwise it changes nothing.
- help: no change.
- postal code: the latest one given with an opt-in (recording order).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

SCOPES = ("marketing", "informational")


@dataclass
class Snapshot:
    """The mutable consent state of one number while events are applied."""

    marketing: bool = False
    informational: bool = False
    opted_out: bool = False
    opted_out_at: datetime | None = None
    last_revoked_scopes: list[str] = field(default_factory=list)
    postal_code: str | None = None

    def scopes(self) -> list[str]:
        """The consented scopes, in canonical order."""
        return [s for s in SCOPES if getattr(self, s)]

    @classmethod
    def of(cls, state) -> "Snapshot":
        """A snapshot of a ContactState row (or of nothing: the empty state)."""
        if state is None:
            return cls()
        return cls(marketing=bool(state.marketing), informational=bool(state.informational),
                   opted_out=bool(state.opted_out), opted_out_at=state.opted_out_at,
                   last_revoked_scopes=list(state.last_revoked_scopes or []), postal_code=state.postal_code)

    def values(self) -> dict:
        """Column values for a ContactState row."""
        return {"marketing": self.marketing, "informational": self.informational,
                "opted_out": self.opted_out, "opted_out_at": self.opted_out_at,
                "last_revoked_scopes": list(self.last_revoked_scopes), "postal_code": self.postal_code}


def apply_opt_in(snap: Snapshot, *, scope: str, written: bool, disclosure_text: str | None,
                 captured_at: datetime, postal_code: str | None) -> bool:
    """Apply an opt-in; returns whether it granted the scope."""
    if postal_code:
        snap.postal_code = postal_code
    if snap.opted_out:
        fresh = bool(written) and bool(disclosure_text) and (
            snap.opted_out_at is None or captured_at > snap.opted_out_at)
        if not fresh:
            return False
        snap.opted_out = False
        snap.opted_out_at = None
    setattr(snap, scope, True)
    return True


def apply_opt_out(snap: Snapshot, *, received_at: datetime) -> list[str]:
    """Apply a revocation (every scope); returns the scopes it removed."""
    removed = snap.scopes()
    if snap.opted_out:
        if snap.opted_out_at is None or received_at > snap.opted_out_at:
            snap.opted_out_at = received_at
    else:
        snap.opted_out = True
        snap.opted_out_at = received_at
        snap.last_revoked_scopes = removed
    for scope in SCOPES:
        setattr(snap, scope, False)
    return removed


def apply_opt_back_in(snap: Snapshot) -> list[str]:
    """Apply START/YES/UNSTOP; returns the scopes it restored (none unless opted out)."""
    if not snap.opted_out:
        return []
    restored = [s for s in SCOPES if s in snap.last_revoked_scopes]
    for scope in restored:
        setattr(snap, scope, True)
    snap.opted_out = False
    snap.opted_out_at = None
    return restored
