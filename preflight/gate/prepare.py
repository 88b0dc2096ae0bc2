"""Preparing decision contexts from the database, in bulk where it matters.

- `workspace_snapshot`: once per send or dry run, one query: the workspace's credit
  balance, its connection, a reference to its latest complete readiness check, the
  latest carrier error since that check and today's US segments (the send path takes
  the workspace lock with it).
- `account_facts`: from that snapshot and the readiness the caller resolved; only
  when a send had to run a fresh check first does it read the carrier errors and
  today's segments again (one query).
- `recipient_facts` / `recipient_rows`: for a list of numbers at once:
  classification (cached per NPA-NXX by `places.classify`), consent states in
  chunked IN-queries, and the send history in one query per chunk returning both the
  recent marketing send times and (by GROUP BY) whether any marketing message was ever
  submitted: never one query per number.

A message counts as submitted when its `submitted_at` is set: the submit path sets
it when it commits the decision to send and clears it when Twilio refused, so
messages whose outcome is unknown count (they may have gone out) and blocked or
refused ones never do. A send counts toward the 24 h cap and toward "not the first
marketing message" when it was submitted at or before the decision instant.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, bindparam, case, func, null, select, union_all
from sqlalchemy.orm import Session

from ..db import core
from ..models import (AuditEvent, CarrierError, Connection, ContactState, Message, ReadinessCheck, UsDailySegments,
                      Workspace)
from .context import NO_CONSENT, READINESS_OK, AccountFacts, ConsentView, RecipientFacts
from .places import RecipientInfo, classify, places_for

PACIFIC = ZoneInfo("America/Los_Angeles")
CAP_PERIOD = timedelta(hours=24)
HISTORY_CHUNK = 2000


def pacific_midnight(moment: datetime) -> datetime:
    """Midnight America/Los_Angeles starting the Pacific day of `moment` (UTC)."""
    local = moment.astimezone(PACIFIC)
    start = datetime(local.year, local.month, local.day, tzinfo=PACIFIC)
    return start.astimezone(timezone.utc)


def pacific_day(moment: datetime) -> str:
    """The Pacific date of `moment`, YYYY-MM-DD (the key of `us_daily_segments`)."""
    return moment.astimezone(PACIFIC).date().isoformat()


def next_pacific_midnight(moment: datetime) -> datetime:
    """Midnight America/Los_Angeles ending the Pacific day of `moment` (UTC; DST-correct:
    the next local date's midnight, not 24 hours later)."""
    following = moment.astimezone(PACIFIC).date() + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=PACIFIC).astimezone(timezone.utc)


def us_segments_expression(workspace_id):
    """US segments submitted in [Pacific midnight of `until`, `until`] (parameters
    `day`, `until`, `day_end`): the day's running total minus what was submitted
    after `until` that day. For a decision made now the second part is an empty
    range; only a dry run dated earlier in the day reads rows."""
    day_total = (select(UsDailySegments.segments)
                 .where(UsDailySegments.workspace_id == workspace_id, UsDailySegments.day == bindparam("day"))
                 .scalar_subquery())
    after = (select(func.coalesce(func.sum(Message.segments), 0))
             .where(Message.workspace_id == workspace_id, Message.is_us.is_(True),
                    Message.submitted_at > bindparam("until"), Message.submitted_at < bindparam("day_end"))
             .scalar_subquery())
    return func.coalesce(day_total, 0) - after


def us_segments_params(until: datetime) -> dict:
    return {"day": pacific_day(until), "until": until, "day_end": next_pacific_midnight(until)}


@dataclass(frozen=True, slots=True)
class ConnectionRef:
    """The connection columns the gate and the send gateway read (duck-types `Connection`)."""

    workspace_id: str
    account_sid: str
    token_ciphertext: bytes
    phone_number: str


@dataclass(frozen=True, slots=True)
class CheckRef:
    """The latest complete readiness check, by reference (its chain facts are cached by id)."""

    id: str
    finished_at: datetime
    phone_number: str | None


@dataclass(frozen=True, slots=True)
class WorkspaceSnapshot:
    credit_balance: int | None
    connection: ConnectionRef | None
    latest_check: CheckRef | None
    # The latest carrier error for the sender at or after the latest check, and the US
    # segments submitted from Pacific midnight of `until` to `until`.
    carrier_error_at: datetime | None = None
    us_segments: int = 0


_LATEST_CHECK_ID = (select(ReadinessCheck.id)
                    .where(ReadinessCheck.workspace_id == Workspace.id, ReadinessCheck.complete.is_(True))
                    .order_by(ReadinessCheck.finished_at.desc(), ReadinessCheck.id.desc()).limit(1)
                    .correlate(Workspace).scalar_subquery())


def latest_error_expression(workspace_id, sender, since):
    """The latest registration error (30034) reported for `sender` at or after `since`."""
    return (select(func.max(CarrierError.occurred_at))
            .where(CarrierError.workspace_id == workspace_id, CarrierError.sender == sender,
                   CarrierError.occurred_at >= since)
            .scalar_subquery())


_LATEST_ERROR = latest_error_expression(Workspace.id, Connection.phone_number, ReadinessCheck.finished_at)
_SNAPSHOT = (select(Workspace.credit_balance, Connection.account_sid, Connection.token_ciphertext,
                    Connection.phone_number, ReadinessCheck.id, ReadinessCheck.finished_at,
                    ReadinessCheck.phone_number.label("check_phone_number"),
                    _LATEST_ERROR.label("carrier_error_at"), us_segments_expression(Workspace.id).label("us_segments"))
             .select_from(Workspace)
             .outerjoin(Connection, Connection.workspace_id == Workspace.id)
             .outerjoin(ReadinessCheck, ReadinessCheck.id == _LATEST_CHECK_ID)
             .where(Workspace.id == bindparam("ws")))
# PostgreSQL: FOR NO KEY UPDATE OF workspaces (see sending.locks); SQLite: BEGIN IMMEDIATE.
_SNAPSHOT_LOCKED = _SNAPSHOT.with_for_update(of=Workspace.__table__, key_share=True)


def workspace_snapshot(session: Session, workspace_id: str, until: datetime,
                       lock: bool = False) -> WorkspaceSnapshot:
    """The workspace's balance, connection and latest complete check, the latest carrier
    error since that check and the US segments submitted from Pacific midnight of
    `until` to `until`, in one query; `lock` also takes the workspace lock every
    send-path transaction takes first."""
    row = core(session).execute(_SNAPSHOT_LOCKED if lock else _SNAPSHOT,
                                {"ws": workspace_id, **us_segments_params(until)}).first()
    if row is None:
        return WorkspaceSnapshot(None, None, None)
    balance, sid, ciphertext, phone, check_id, finished_at, check_phone, error_at, segments = row
    conn = ConnectionRef(workspace_id, sid, ciphertext, phone) if sid is not None else None
    check = CheckRef(check_id, finished_at, check_phone) if check_id is not None else None
    return WorkspaceSnapshot(balance, conn, check, error_at, int(segments))


_CHAIN_CACHE: dict[str, dict] = {}
_CHAIN_CACHE_LOCK = threading.Lock()
CHAIN_CACHE_SIZE = 4096


def cached_chain_facts(session: Session, check_id: str) -> dict:
    """`readiness.chain_facts` of a complete check, kept by id (a complete check never
    changes), so a decision does not load and decode its JSON each time."""
    facts = _CHAIN_CACHE.get(check_id)
    if facts is None:
        from ..readiness import chain_facts

        facts = chain_facts(session.get(ReadinessCheck, check_id))
        with _CHAIN_CACHE_LOCK:
            if len(_CHAIN_CACHE) >= CHAIN_CACHE_SIZE:
                _CHAIN_CACHE.clear()
            _CHAIN_CACHE[check_id] = facts
    return dict(facts)


def account_facts(session: Session, workspace_id: str, send_at: datetime, *, readiness: str,
                  check, chain: dict | None, mode: str, snapshot: WorkspaceSnapshot,
                  us_total: bool = True) -> AccountFacts:
    """The workspace's facts for decisions at `send_at`.

    `readiness`, `check` (a ReadinessCheck or CheckRef) and `chain` come from the
    caller's readiness resolution (a send may run a fresh check first; a dry run only
    reads the latest). `snapshot` is the caller's `workspace_snapshot` for `send_at`.
    `us_total` False skips today's US segments (a send to a non-US number)."""
    snap = snapshot
    conn = snap.connection
    facts = AccountFacts(workspace_id=workspace_id, connected=conn is not None,
                         sender=conn.phone_number if conn else None, readiness=readiness,
                         chain=dict(chain or {}) if readiness == READINESS_OK else {},
                         check_id=check.id if check is not None else None,
                         credit_balance=snap.credit_balance, mode=mode)
    with_errors = conn is not None and check is not None
    with_total = us_total and readiness == READINESS_OK and facts.daily_cap is not None
    latest = snap.latest_check
    from_snapshot = with_errors and latest is not None and latest.id == check.id
    if from_snapshot:
        # The snapshot read both for this very check (the usual case): no second query.
        facts.carrier_error = _error_after(session, workspace_id, conn.phone_number, check, snap.carrier_error_at)
        if with_total:
            facts.us_segments_today = snap.us_segments
    elif with_errors or with_total:
        error_at, total = session.execute(_ACTIVITY, {
            "ws": workspace_id, "sender": conn.phone_number if with_errors else "",
            "since": check.finished_at if with_errors else send_at, "with_errors": with_errors,
            "with_total": with_total, **us_segments_params(send_at)}).one()
        if with_errors:
            facts.carrier_error = _error_after(session, workspace_id, conn.phone_number, check, error_at)
        if with_total:
            facts.us_segments_today = int(total or 0)
    return facts


# Both of account_facts' aggregates in one round trip, for a check other than the
# snapshot's latest (a send that ran a fresh check while another completed); each is
# switched off when not wanted.
_ACTIVITY = select(
    case((bindparam("with_errors", type_=Boolean),
          latest_error_expression(bindparam("ws"), bindparam("sender"), bindparam("since"))), else_=None),
    case((bindparam("with_total", type_=Boolean), us_segments_expression(bindparam("ws"))), else_=None),
)


def _error_after(session: Session, workspace_id: str, sender: str, check, latest_error) -> bool:
    """After means a later time, or the same instant (a configurable clock can stamp both
    alike) with a later audit event: the audit sequence orders every change."""
    if latest_error is None:
        return False
    if latest_error > check.finished_at:
        return True
    at_same_time = (AuditEvent.workspace_id == workspace_id, AuditEvent.occurred_at == check.finished_at)
    check_seq = session.scalar(select(func.max(AuditEvent.seq)).where(
        *at_same_time, AuditEvent.action == "readiness.checked", AuditEvent.subject == check.id))
    error_seq = session.scalar(select(func.max(AuditEvent.seq)).where(
        *at_same_time, AuditEvent.action == "carrier.error", AuditEvent.subject == sender))
    return error_seq is not None and (check_seq is None or error_seq > check_seq)


def _history_statement():
    """One pre-built statement (compiled once, cached) for a chunk's marketing history:
    rows (number, submitted_at) for sends in (since, until], plus one row
    (number, NULL) per number with any marketing send up to `until`."""
    base = (Message.workspace_id == bindparam("ws"), Message.category == "marketing",
            Message.submitted_at.is_not(None), Message.submitted_at <= bindparam("until"),
            Message.to_number.in_(bindparam("numbers", expanding=True)))
    recent = select(Message.to_number, Message.submitted_at).where(*base, Message.submitted_at > bindparam("since"))
    ever = select(Message.to_number, null().label("submitted_at")).where(*base).group_by(Message.to_number)
    return union_all(recent, ever)


_HISTORY = _history_statement()


def marketing_history(session: Session, workspace_id: str, numbers: list[str], send_at: datetime
                      ) -> tuple[dict[str, list[datetime]], set[str]]:
    """For `numbers` (one chunk): marketing submit times in (send_at - 24 h, send_at]
    by number, and the numbers with any marketing message submitted by `send_at`
    (one query)."""
    recent: dict[str, list[datetime]] = {}
    earlier: set[str] = set()
    if not numbers:
        return recent, earlier
    rows = core(session).execute(_HISTORY, {"ws": workspace_id, "until": send_at,
                                            "since": send_at - CAP_PERIOD, "numbers": numbers})
    for number, at in rows:
        if at is None:
            earlier.add(number)
        else:
            recent.setdefault(number, []).append(_aware(at))
    return recent, earlier


def _aware(value) -> datetime:
    """A UTC datetime from a union row (the column type is lost in a UNION on SQLite)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def consent_views(session: Session, workspace_id: str, numbers: list[str]) -> dict[str, ConsentView]:
    """The consent state of each number that has one (read-only, only the columns the
    gate reads, in IN-queries of `HISTORY_CHUNK`; cheaper than loading ORM rows when
    a dry run reads hundreds of thousands)."""
    out: dict[str, ConsentView] = {}
    views: dict[tuple, ConsentView] = {}
    conn = core(session)
    for start in range(0, len(numbers), HISTORY_CHUNK):
        rows = conn.execute(_CONSENT, {"ws": workspace_id, "numbers": numbers[start:start + HISTORY_CHUNK]})
        for number, marketing, informational, opted_out, postal_code in rows:
            key = (bool(marketing), bool(informational), bool(opted_out), postal_code)
            view = views.get(key)
            if view is None:
                view = views[key] = ConsentView(*key)
            out[number] = view
    return out


_CONSENT = select(ContactState.phone_number, ContactState.marketing, ContactState.informational,
                  ContactState.opted_out, ContactState.postal_code).where(
    ContactState.workspace_id == bindparam("ws"), ContactState.phone_number.in_(bindparam("numbers", expanding=True)))


@dataclass(slots=True)
class RecipientRows:
    """A chunk's raw facts, before they are assembled per recipient."""

    infos: list[RecipientInfo]
    consents: dict[str, ConsentView]
    recent: dict[str, list[datetime]]
    earlier: set[str]


def recipient_rows(session: Session, workspace_id: str, numbers: list[str], send_at: datetime,
                   category: str) -> RecipientRows:
    """Classify a chunk and read its consent and marketing history (three queries at most)."""
    infos = [classify(n) for n in numbers]
    valid = list(dict.fromkeys(i.e164 for i in infos if i.valid))
    consents = consent_views(session, workspace_id, valid) if valid else {}
    recent: dict[str, list[datetime]] = {}
    earlier: set[str] = set()
    if category == "marketing" and consents:
        # Marketing is only ever submitted to numbers with consent on record, and a
        # number with any consent event has a state row (never deleted): numbers without
        # one have no marketing history to read.
        recent, earlier = marketing_history(session, workspace_id, list(consents), send_at)
    return RecipientRows(infos, consents, recent, earlier)


def assemble(info: RecipientInfo, consent: ConsentView, times: list[datetime] | None,
             first_marketing: bool) -> RecipientFacts:
    """One recipient's facts from its raw rows."""
    return RecipientFacts(info=info, places=places_of(info, consent.postal_code), consent=consent,
                          sent_times=tuple(sorted(times)) if times else (), first_marketing=first_marketing)


def recipient_facts(session: Session, workspace_id: str, numbers: list[str], send_at: datetime,
                    category: str) -> list[RecipientFacts]:
    """Facts for each of `numbers`, in order (one chunk; callers chunk large lists)."""
    rows = recipient_rows(session, workspace_id, numbers, send_at, category)
    return [assemble(info, rows.consents.get(info.e164, NO_CONSENT), rows.recent.get(info.e164),
                     info.e164 not in rows.earlier) for info in rows.infos]


def places_of(info: RecipientInfo, postal_code: str | None):
    """The candidate places of a recipient (cached by what they depend on)."""
    if not info.valid or not info.is_us:
        return ()
    return _places_cached(info.states, info.time_zones, info.location_uncertain, postal_code)


@lru_cache(maxsize=16384)
def _places_cached(states, zones, uncertain, postal_code):
    info = RecipientInfo("", True, "US", True, states, zones, uncertain)
    return places_for(info, postal_code)
