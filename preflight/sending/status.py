"""Message statuses and their order. A status never moves backwards.

Our own states come first: `submitting` (decision committed, Twilio not yet
answered), `unknown` (Twilio may have it), `error` (Twilio did not take it),
`needs_review` (reconcile found several candidates). Then Twilio's, in the order a
message lives them; `delivered`, `undelivered`, `failed` (and `canceled`, `read`)
are terminal and never replaced. `blocked` is outside the order: nothing moves it.
"""
from __future__ import annotations

RANK = {
    "submitting": 0, "unknown": 0, "error": 0, "needs_review": 0,
    "submitted": 1,
    "scheduled": 2, "accepted": 2, "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5, "undelivered": 5, "failed": 5, "canceled": 5, "read": 5,
}
TERMINAL = frozenset({"delivered", "undelivered", "failed", "canceled", "read"})
UNSETTLED = ("submitting", "unknown")


def rank(status: str | None) -> int:
    """The status's place in the order (-1 for blocked or anything unknown to us)."""
    return RANK.get(status or "", -1)


def can_move(current: str, new: str) -> bool:
    """Whether a message in `current` may take `new` (forward only, terminal stays)."""
    if current == "blocked" or current in TERMINAL or new not in RANK:
        return False
    return rank(new) > rank(current)
