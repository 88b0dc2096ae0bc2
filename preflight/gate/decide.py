"""The one decision function: every rule over a prepared context.

`decide(ctx)` runs every blocking rule and every warning rule (reasons list every
rule that blocks, not only the first) and, when quiet hours or the frequency cap
block, the earliest instant at or after `send_at` at which neither would.

The single send, the HTTP dry run and the bulk CLI all call `decide`; they differ
only in how they prepare contexts (`preflight.gate.prepare`). A campaign shares one
account and one message across recipients, so `decide(ctx, shared=cache)` reuses
the answers of "shared" rules (which read nothing of the recipient but whether it
is US) from `cache`, a dict the caller keeps for that one (account, message) pair.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from . import windows
from .context import GateContext
from .places import Place
from .rules import ALL

TIME_CODES = frozenset({"quiet_hours", "frequency_cap"})


@dataclass(slots=True)
class Decision:
    """A gate answer: "allowed" or "blocked", with its findings."""

    decision: str
    reasons: list[dict]
    warnings: list[dict]
    next_allowed_at: datetime | None
    segments: int
    codes: list[str] | None = None  # the blocking reason codes, in order (derived)

    def __post_init__(self):
        self.codes = [r["code"] for r in self.reasons]

    @property
    def allowed(self) -> bool:
        return self.decision == "allowed"


def decide(ctx: GateContext, shared: dict | None = None) -> Decision:
    """Decide one send over its prepared context (pure: no database, no clock)."""
    reasons: list[dict] = []
    warnings: list[dict] = []
    is_us = ctx.recipient.info.is_us
    for rule in ALL:
        if shared is not None and rule.scope == "shared":
            key = (rule.name, is_us)
            found = shared.get(key)
            if found is None:
                found = shared[key] = tuple(rule.check(ctx))
        else:
            found = rule.check(ctx)
        for item in found:
            (reasons if item["severity"] == "block" else warnings).append(item)
    next_at = None
    if reasons and any(r["code"] in TIME_CODES for r in reasons):
        next_at = next_allowed_at(ctx.recipient.places, ctx.send_at, ctx.recipient.sent_times)
    return Decision("blocked" if reasons else "allowed", reasons, warnings, next_at, ctx.message.segments)


def next_allowed_at(places: tuple[Place, ...], send_at: datetime,
                    sent_times: tuple[datetime, ...] = ()) -> datetime | None:
    """The earliest instant >= `send_at` that neither quiet hours nor the cap blocks."""
    if not sent_times:
        return _next_without_history(places, send_at)
    return windows.next_allowed(places, send_at, sent_times)


@lru_cache(maxsize=8192)
def _next_without_history(places: tuple[Place, ...], send_at: datetime) -> datetime | None:
    return windows.next_allowed(places, send_at, ())


def iso(moment: datetime | None) -> str | None:
    """An instant as ISO 8601 in UTC, or None."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat()
