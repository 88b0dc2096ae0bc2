"""Quiet hours and frequency caps over a recipient's candidate places.

A send at instant ``t`` is inside a place's window when the place's local wall clock
at ``t`` reads a time in ``[start, end)`` of that local weekday's window
(``preflight.law.quiet_hours``). A send is allowed only when it is inside the window
of every candidate place at once, so the next allowed instant is the earliest point
of the intersection. Each place's allowed set is a union of intervals whose left ends
are window openings (resolved on DST days: a wall time inside a spring-forward gap
opens at the transition, a repeated wall time at its first occurrence) or zone
transitions (where the wall clock jumps into a window); the earliest common point at
or after ``t`` is one of those left ends, so checking them in order finds it exactly.

The frequency cap counts sends in the rolling period before an instant, half-open
``(t - period, t]``: a send exactly 24 hours old no longer counts, so with the oldest
counted send at ``s`` the cap frees at ``s + 24 h``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from preflight.gate.places import Place
from preflight.law.quiet_hours import FrequencyCap, cap_for, windows_for

_HORIZON_DAYS = 9  # every weekly window pattern repeats within a week
_ONE_SECOND = timedelta(seconds=1)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("an aware datetime is required")
    return moment.astimezone(timezone.utc)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_inside_window(place: Place, moment: datetime) -> bool:
    """Whether ``moment`` is inside the place's allowed window (local wall clock)."""
    local = moment.astimezone(_zone(place.tz))
    window = windows_for(place.state).on(local.weekday())
    wall = local.time().replace(tzinfo=None, fold=0)
    return window.start <= wall < window.end


def evaluate_quiet_hours(
    places: Sequence[Place], send_at: datetime
) -> tuple[bool, list[dict[str, str | None]], datetime | None]:
    """Check quiet hours at ``send_at`` across every candidate place.

    Returns ``(blocked, findings_data, next_allowed_at)``. ``findings_data`` has one
    entry per place whose window excludes ``send_at``: ``state``, ``time_zone``,
    ``local_time`` (ISO 8601 with offset), ``window`` ("HH:MM-HH:MM" for that local
    day) and ``rule`` (the citation). ``next_allowed_at`` (UTC) is the earliest instant
    at or after ``send_at`` inside the window of every place at once, or None when not
    blocked. No places (invalid or non-US numbers) means nothing to check.
    """
    at = _utc(send_at)
    findings: list[dict[str, str | None]] = []
    for place in places:
        if is_inside_window(place, at):
            continue
        local = at.astimezone(_zone(place.tz))
        rules = windows_for(place.state)
        window = rules.on(local.weekday())
        findings.append({
            "state": place.state,
            "time_zone": place.tz,
            "local_time": local.isoformat(),
            "window": f"{window.start:%H:%M}-{window.end:%H:%M}",
            "rule": rules.rule,
        })
    if not findings:
        return False, [], None
    return True, findings, next_window_instant(places, at)


def next_window_instant(places: Sequence[Place], moment: datetime) -> datetime | None:
    """The earliest instant at or after ``moment`` inside every place's window (UTC).

    ``moment`` itself when it is already inside; None only if the windows never meet
    within the search horizon (they always do for US windows).
    """
    key = tuple(sorted(set(places), key=lambda p: (p.state or "", p.tz)))
    return _next_window_instant(key, _utc(moment))


@lru_cache(maxsize=20_000)
def _next_window_instant(places: tuple[Place, ...], at: datetime) -> datetime | None:
    if all(is_inside_window(p, at) for p in places):
        return at
    candidates: set[datetime] = set()
    for place in places:
        candidates.update(_openings(place, at))
    for candidate in sorted(candidates):
        if all(is_inside_window(p, candidate) for p in places):
            return candidate
    return None


def _openings(place: Place, at: datetime) -> list[datetime]:
    """Left ends of the place's allowed intervals after ``at``, within the horizon."""
    zone = _zone(place.tz)
    rules = windows_for(place.state)
    first_day = at.astimezone(zone).date() - timedelta(days=1)
    end = at + timedelta(days=_HORIZON_DAYS)
    found = [t for t in _transitions(zone, at, end) if t > at]
    for offset in range(_HORIZON_DAYS + 1):
        day = first_day + timedelta(days=offset)
        opening = _wall_to_instant(zone, day, rules.on(day.weekday()).start)
        if opening > at:
            found.append(opening)
    return found


def _wall_to_instant(zone: ZoneInfo, day: date, wall: time) -> datetime:
    """The first instant at which the zone's wall clock on ``day`` reads ``wall`` or later."""
    naive = datetime.combine(day, wall)
    for fold in (0, 1):
        candidate = naive.replace(tzinfo=zone, fold=fold)
        as_utc = candidate.astimezone(timezone.utc)
        if as_utc.astimezone(zone).replace(tzinfo=None) == naive:
            return as_utc  # fold 0 first: a repeated wall time's first occurrence
    # Inside a spring-forward gap: the clock reaches ``wall`` at the transition.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(timezone.utc)
    high = naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc)
    low, high = min(low, high), max(low, high)
    while high - low > _ONE_SECOND:
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0) if high.microsecond else high


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """UTC offset changes of ``zone`` in ``(start, end]``, to the second."""
    found = []
    step = timedelta(hours=6)
    low = start
    while low < end:
        high = min(low + step, end)
        if low.astimezone(zone).utcoffset() != high.astimezone(zone).utcoffset():
            a, b = low, high
            while b - a > _ONE_SECOND:
                middle = a + (b - a) / 2
                if middle.astimezone(zone).utcoffset() == a.astimezone(zone).utcoffset():
                    a = middle
                else:
                    b = middle
            found.append(b.replace(microsecond=0) if b.microsecond else b)
        low = high
    return found


def cap_for_places(places: Iterable[Place]) -> FrequencyCap | None:
    """The strictest frequency cap among the places' states, or None."""
    caps = [cap for cap in (cap_for(p.state) for p in places) if cap is not None]
    if not caps:
        return None
    return min(caps, key=lambda c: (c.limit / c.period.total_seconds(), c.rule))


def next_instant_outside_cap(
    sent_times: Iterable[datetime],
    send_at: datetime,
    cap: int = 3,
    window: timedelta = timedelta(hours=24),
) -> datetime | None:
    """When the frequency cap blocks at ``send_at``, the earliest instant it no longer does.

    ``sent_times`` are the submitted marketing sends to the recipient. A send at
    ``t`` is blocked when ``cap`` or more of them fall in ``(t - window, t]``. Returns
    None when ``send_at`` is not blocked, else the first later instant (UTC) at which
    fewer than ``cap`` remain (the oldest counted send + ``window``, or later if more
    sends follow).
    """
    at = _utc(send_at)
    times = sorted(_utc(t) for t in sent_times)
    if _count(times, at, window) < cap:
        return None
    for candidate in sorted({t + window for t in times if t + window > at}):
        if _count(times, candidate, window) < cap:
            return candidate
    return None  # unreachable: past the last send + window nothing counts


def _count(times: Sequence[datetime], at: datetime, window: timedelta) -> int:
    floor = at - window
    return sum(1 for t in times if floor < t <= at)


def evaluate_frequency_cap(
    places: Sequence[Place], send_at: datetime, sent_times: Iterable[datetime]
) -> tuple[bool, str | None, datetime | None]:
    """``(blocked, rule, next_allowed_at)`` for the cap of the recipient's places."""
    cap = cap_for_places(places)
    if cap is None:
        return False, None, None
    nxt = next_instant_outside_cap(sent_times, send_at, cap.limit, cap.period)
    return (nxt is not None), (cap.rule if nxt is not None else None), nxt


def next_allowed(
    places: Sequence[Place], send_at: datetime, sent_times: Iterable[datetime] = ()
) -> datetime | None:
    """The earliest instant at or after ``send_at`` that neither quiet hours nor the cap blocks.

    None when neither blocks at ``send_at``. The two constraints are applied in turn
    (cap-free instant, then the next window opening from there) until both hold.
    """
    at = _utc(send_at)
    times = [_utc(t) for t in sent_times]
    cap = cap_for_places(places)
    moment = at
    for _ in range(64):
        cap_free = moment
        if cap is not None:
            cap_free = next_instant_outside_cap(times, moment, cap.limit, cap.period) or moment
        in_window = next_window_instant(places, cap_free) if places else cap_free
        if in_window is None:
            return None
        if in_window == cap_free:
            return None if in_window == at else in_window
        moment = in_window
    return None
