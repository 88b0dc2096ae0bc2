"""The prepared context one gate decision is made over.

A decision reads four things, each prepared once and shared where it can be:

- `MessageFacts`: the body, category and what the body says (segments, links,
  opt-out wording...), analysed once per message or per campaign;
- `AccountFacts`: the workspace's connection, readiness chain facts, carrier errors,
  credits and today's US segments, loaded once per send or per dry run;
- `RecipientFacts`: the number's places, consent state and recent marketing sends;
- `send_at`: the instant the decision is made for.

Rules (`preflight.gate.rules`) read only these objects: no database, no Twilio, no
clock. That is what lets the single send, the HTTP dry run and the bulk CLI share one
decision function (`preflight.gate.decide.decide`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from . import content
from .places import Place, RecipientInfo

CATEGORIES = ("marketing", "informational", "security")

# Readiness as the gate sees it.
READINESS_OK = "ok"  # a complete check within the max age (or a fresh one just run)
READINESS_UNKNOWN = "unknown"  # no complete check has ever run
READINESS_STALE = "stale"  # the latest is too old and no fresh one completed


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """A message body and category, analysed once (immutable: `analysed` shares them)."""

    body: str
    category: str
    encoding: str
    segments: int
    has_opt_out: bool
    links: tuple[str, ...]
    shorteners: tuple[str, ...]
    insecure_links: tuple[str, ...]
    phones: tuple[str, ...]
    topics: tuple[str, ...]

    @classmethod
    def analyse(cls, body: str, category: str) -> "MessageFacts":
        """Read everything the content rules need from `body` (one pass per message)."""
        encoding, count = content.segments(body)
        return cls(body=body, category=category, encoding=encoding, segments=count,
                   has_opt_out=content.has_opt_out_instructions(body),
                   links=tuple(content.links(body)),
                   shorteners=tuple(content.public_shorteners(body)),
                   insecure_links=tuple(content.insecure_links(body)),
                   phones=tuple(content.phones_in_body(body)),
                   topics=tuple(content.restricted_topics(body)))


@lru_cache(maxsize=1024)
def analysed(body: str, category: str) -> MessageFacts:
    """`MessageFacts.analyse`, kept for the latest bodies: the sends of one campaign
    share a body, and a single send would otherwise analyse it every time."""
    return MessageFacts.analyse(body, category)


@dataclass(slots=True)
class AccountFacts:
    """The sending workspace as of the decision.

    `chain` is `preflight.readiness.service.chain_facts` of the readiness check in use
    (empty when readiness is unknown or stale). `mode` is "send" or "dry_run".
    """

    workspace_id: str
    connected: bool
    sender: str | None
    readiness: str
    chain: dict = field(default_factory=dict)
    check_id: str | None = None
    carrier_error: bool = False
    credit_balance: int | None = None
    us_segments_today: int = 0
    mode: str = "send"

    @property
    def daily_cap(self) -> int | None:
        """The brand's T-Mobile daily segment cap, when the readiness chain knows it."""
        cap = self.chain.get("daily_cap")
        return cap if isinstance(cap, int) else None


@dataclass(slots=True, frozen=True)
class ConsentView:
    """The part of a ContactState the gate reads (the empty state when no row exists)."""

    marketing: bool = False
    informational: bool = False
    opted_out: bool = False
    postal_code: str | None = None


NO_CONSENT = ConsentView()


@dataclass(slots=True)
class RecipientFacts:
    """One recipient: where it may be, its consent, and its recent marketing sends.

    `sent_times` are the submit times of marketing messages to it in the 24 h up to the
    decision instant (blocked ones never count); `first_marketing` is True when no
    marketing message was ever submitted to it.
    """

    info: RecipientInfo
    places: tuple[Place, ...]
    consent: ConsentView
    sent_times: tuple[datetime, ...] = ()
    first_marketing: bool = True


@dataclass(slots=True)
class GateContext:
    """Everything one decision reads."""

    account: AccountFacts
    message: MessageFacts
    recipient: RecipientFacts
    send_at: datetime

    @property
    def is_us(self) -> bool:
        """A US destination by number region (+1 Canada is not US)."""
        return self.recipient.info.is_us

    @property
    def marketing(self) -> bool:
        return self.message.category == "marketing"
