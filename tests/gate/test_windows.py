"""Quiet hours and frequency caps at fixed instants, DST days included."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from preflight.gate.places import Place, classify, places_for
from preflight.gate.windows import (
    evaluate_frequency_cap,
    evaluate_quiet_hours,
    is_inside_window,
    next_allowed,
    next_instant_outside_cap,
    next_window_instant,
)

ET = ZoneInfo("America/New_York")
CT = ZoneInfo("America/Chicago")
MT = ZoneInfo("America/Denver")
AZ = ZoneInfo("America/Phoenix")
UTC = timezone.utc


def at(zone, *parts):
    return datetime(*parts, tzinfo=zone)


def places(e164, postal_code=None):
    return places_for(classify(e164), postal_code)


# (number, postal code, send_at, expected next_allowed_at or None when allowed)
CASES = [
    # Federal window, Georgia (Mon 2026-06-15).
    ("+14045551234", None, at(ET, 2026, 6, 15, 20, 59), None),
    ("+14045551234", None, at(ET, 2026, 6, 15, 21, 0), at(ET, 2026, 6, 16, 8, 0)),
    ("+14045551234", None, at(ET, 2026, 6, 15, 7, 59, 59), at(ET, 2026, 6, 15, 8, 0)),
    ("+14045551234", None, at(ET, 2026, 6, 15, 8, 0), None),
    # Florida ends at 20:00.
    ("+13052345678", None, at(ET, 2026, 6, 15, 19, 59), None),
    ("+13052345678", None, at(ET, 2026, 6, 15, 20, 0), at(ET, 2026, 6, 16, 8, 0)),
    # Connecticut opens at 09:00.
    ("+12032345678", None, at(ET, 2026, 6, 15, 8, 59), at(ET, 2026, 6, 15, 9, 0)),
    ("+12032345678", None, at(ET, 2026, 6, 15, 9, 0), None),
    ("+12032345678", None, at(ET, 2026, 6, 15, 20, 0), at(ET, 2026, 6, 16, 9, 0)),
    # Texas: Sunday opens at 12:00, Saturday at 09:00.
    ("+15122345678", None, at(CT, 2026, 6, 14, 11, 59), at(CT, 2026, 6, 14, 12, 0)),
    ("+15122345678", None, at(CT, 2026, 6, 14, 12, 0), None),
    ("+15122345678", None, at(CT, 2026, 6, 13, 8, 59), at(CT, 2026, 6, 13, 9, 0)),
    ("+15122345678", None, at(CT, 2026, 6, 13, 9, 0), None),
    ("+15122345678", None, at(CT, 2026, 6, 13, 21, 0), at(CT, 2026, 6, 14, 12, 0)),
    # Spring forward, Sunday 2026-03-08: 08:00 EDT is 12:00 UTC (not 13:00).
    ("+14045551234", None, at(ET, 2026, 3, 8, 1, 30), datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
    ("+14045551234", None, at(ET, 2026, 3, 7, 21, 30), datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
    ("+14045551234", None, datetime(2026, 3, 8, 11, 59, tzinfo=UTC), datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
    ("+14045551234", None, datetime(2026, 3, 9, 0, 59, tzinfo=UTC), None),   # 20:59 EDT
    ("+14045551234", None, datetime(2026, 3, 9, 1, 0, tzinfo=UTC), datetime(2026, 3, 9, 12, 0, tzinfo=UTC)),
    # Fall back, Sunday 2026-11-01: 08:00 EST is 13:00 UTC.
    ("+14045551234", None, at(ET, 2026, 10, 31, 22, 0), datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
    ("+14045551234", None, datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
    ("+14045551234", None, datetime(2026, 11, 1, 12, 59, tzinfo=UTC), datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
    ("+14045551234", None, datetime(2026, 11, 2, 1, 59, tzinfo=UTC), None),  # 20:59 EST
    ("+14045551234", None, datetime(2026, 11, 2, 2, 0, tzinfo=UTC), datetime(2026, 11, 2, 13, 0, tzinfo=UTC)),
    # Two zones (Navajo Nation, AZ: Denver observes DST, Phoenix does not).
    ("+19282835678", None, at(AZ, 2026, 6, 15, 7, 30), at(AZ, 2026, 6, 15, 8, 0)),
    ("+19282835678", None, at(MT, 2026, 6, 15, 20, 59), None),  # 19:59 MST
    ("+19282835678", None, at(MT, 2026, 6, 15, 21, 0), at(AZ, 2026, 6, 16, 8, 0)),  # 20:00 MST
    # 448 (panhandle overlay, corrected to both zones): FL window in ET and CT.
    ("+14482345678", None, at(ET, 2026, 6, 15, 8, 30), at(ET, 2026, 6, 15, 9, 0)),
    ("+14482345678", None, at(ET, 2026, 6, 15, 19, 59), None),
    ("+14482345678", None, at(ET, 2026, 6, 15, 20, 0), at(ET, 2026, 6, 16, 9, 0)),
    # Toll-free: every contiguous zone, so 11:00-21:00 Eastern in summer and winter.
    ("+18002345678", None, at(ET, 2026, 6, 15, 10, 0), at(ET, 2026, 6, 15, 11, 0)),
    ("+18002345678", None, at(ET, 2026, 6, 15, 11, 0), None),
    ("+18002345678", None, at(ET, 2026, 6, 15, 20, 59), None),
    ("+18002345678", None, at(ET, 2026, 6, 15, 21, 0), at(ET, 2026, 6, 16, 11, 0)),
    ("+18002345678", None, at(ET, 2026, 1, 15, 10, 59), at(ET, 2026, 1, 15, 11, 0)),
    # A Georgia number whose consent record has a Florida (Miami) postal code.
    ("+14045551234", "33101", at(ET, 2026, 6, 15, 20, 30), at(ET, 2026, 6, 16, 8, 0)),
    # A Georgia number with a Pensacola (Central) postal code: FL window in CT too.
    ("+14045551234", "32501", at(ET, 2026, 6, 15, 8, 30), at(ET, 2026, 6, 15, 9, 0)),
    # 689 is Eastern (phonenumbers says Central): 08:30 EDT is open.
    ("+16892345678", None, at(ET, 2026, 6, 15, 8, 30), None),
    ("+16892345678", None, at(ET, 2026, 6, 15, 20, 0), at(ET, 2026, 6, 16, 8, 0)),
    # 364 is Central (phonenumbers says Eastern): 20:30 CDT is open under the federal rule.
    ("+13642345678", None, at(CT, 2026, 6, 15, 20, 30), None),
    ("+13642345678", None, at(CT, 2026, 6, 15, 7, 30), at(CT, 2026, 6, 15, 8, 0)),
    # Canada: no quiet hours from Preflight (non-US), even at 03:00.
    ("+14162345678", None, at(ET, 2026, 6, 15, 3, 0), None),
]


@pytest.mark.parametrize("e164, postal_code, send_at, expected", CASES)
def test_quiet_hours(e164, postal_code, send_at, expected):
    blocked, findings, next_at = evaluate_quiet_hours(places(e164, postal_code), send_at)
    assert blocked == (expected is not None)
    assert bool(findings) == blocked
    assert next_at == expected
    if expected is not None:
        assert next_at.tzinfo is not None and next_at >= send_at
        assert all(is_inside_window(p, next_at) for p in places(e164, postal_code))
        # Nothing earlier (to the minute) is inside every window.
        probe = next_at - timedelta(minutes=1)
        assert probe < send_at or not all(
            is_inside_window(p, probe) for p in places(e164, postal_code))


def test_findings_name_the_place_and_rule():
    _, findings, _ = evaluate_quiet_hours(places("+14045551234", "33101"), at(ET, 2026, 6, 15, 20, 30))
    assert findings == [{
        "state": "FL", "time_zone": "America/New_York",
        "local_time": "2026-06-15T20:30:00-04:00", "window": "08:00-20:00",
        "rule": "Fla. Stat. 501.616(6)(a)",
    }]
    _, findings, _ = evaluate_quiet_hours(places("+15122345678"), at(CT, 2026, 6, 14, 11, 0))
    assert findings[0]["window"] == "12:00-21:00"
    assert findings[0]["rule"] == "Tex. Bus. & Com. Code 301.051"
    _, findings, _ = evaluate_quiet_hours(places("+14045551234"), at(ET, 2026, 6, 15, 22, 0))
    assert findings[0]["rule"] == "47 CFR 64.1200(c)(1)" and findings[0]["state"] == "GA"


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        evaluate_quiet_hours(places("+14045551234"), datetime(2026, 6, 15, 12, 0))


def test_window_opening_inside_a_spring_forward_gap_is_the_transition():
    from preflight.gate.windows import _wall_to_instant
    from datetime import date, time

    assert _wall_to_instant(ET, date(2026, 3, 8), time(2, 30)) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    # A repeated wall time resolves to its first occurrence (EDT, UTC-4).
    assert _wall_to_instant(ET, date(2026, 11, 1), time(1, 30)) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_next_window_instant_is_the_moment_itself_when_open():
    moment = at(ET, 2026, 6, 15, 12, 0)
    assert next_window_instant(places("+14045551234"), moment) == moment


# ---- frequency caps ----

def sends(*moments):
    return list(moments)


@pytest.mark.parametrize("e164", ["+13052345678", "+14052345678", "+14102345678"])  # FL, OK, MD
def test_fourth_marketing_message_in_24h_is_capped(e164):
    send_at = at(ET, 2026, 6, 15, 12, 0)
    history = sends(at(ET, 2026, 6, 14, 13, 0), at(ET, 2026, 6, 15, 9, 0))
    assert evaluate_frequency_cap(places(e164), send_at, history) == (False, None, None)
    history.append(at(ET, 2026, 6, 15, 10, 0))
    blocked, rule, next_at = evaluate_frequency_cap(places(e164), send_at, history)
    assert blocked and rule
    assert next_at == at(ET, 2026, 6, 15, 13, 0)  # the oldest counted send + 24 h
    assert next_allowed(places(e164), send_at, history) == next_at


def test_no_cap_for_georgia():
    history = sends(*(at(ET, 2026, 6, 15, 9, m) for m in range(10)))
    assert evaluate_frequency_cap(places("+14045551234"), at(ET, 2026, 6, 15, 12, 0), history) == (
        False, None, None)
    assert next_allowed(places("+14045551234"), at(ET, 2026, 6, 15, 12, 0), history) is None


def test_cap_reaches_a_georgia_number_through_a_florida_postal_code():
    history = sends(*(at(ET, 2026, 6, 15, 9, m) for m in range(3)))
    blocked, rule, _ = evaluate_frequency_cap(
        places("+14045551234", "33101"), at(ET, 2026, 6, 15, 12, 0), history)
    assert blocked and rule == "Fla. Stat. 501.616(6)(b)"


def test_cap_window_is_half_open():
    send_at = at(ET, 2026, 6, 15, 12, 0)
    history = sends(send_at - timedelta(hours=24), send_at - timedelta(hours=1),
                    send_at - timedelta(minutes=1))
    assert next_instant_outside_cap(history, send_at) is None  # exactly 24 h old: gone
    history.append(send_at - timedelta(hours=23, minutes=59))
    assert next_instant_outside_cap(history, send_at) == send_at + timedelta(minutes=1)


def test_cap_frees_only_when_enough_sends_age_out():
    send_at = at(ET, 2026, 6, 16, 15, 0)
    history = sends(at(ET, 2026, 6, 15, 20, 10), at(ET, 2026, 6, 16, 8, 30),
                    at(ET, 2026, 6, 16, 8, 40), at(ET, 2026, 6, 16, 8, 50))
    assert next_instant_outside_cap(history, send_at) == at(ET, 2026, 6, 17, 8, 30)


def test_cap_free_instant_in_quiet_hours_moves_to_the_next_window():
    history = sends(at(ET, 2026, 6, 15, 20, 10), at(ET, 2026, 6, 15, 20, 20),
                    at(ET, 2026, 6, 15, 20, 30))
    send_at = at(ET, 2026, 6, 16, 15, 0)
    fl = places("+13052345678")
    assert next_instant_outside_cap(history, send_at) == at(ET, 2026, 6, 16, 20, 10)
    assert next_allowed(fl, send_at, history) == at(ET, 2026, 6, 17, 8, 0)


def test_combined_search_iterates_until_both_hold():
    # Evaluated as of a past instant: sends after it still count at later instants.
    history = sends(at(ET, 2026, 6, 15, 20, 10), at(ET, 2026, 6, 15, 20, 20),
                    at(ET, 2026, 6, 15, 20, 30), at(ET, 2026, 6, 16, 21, 0),
                    at(ET, 2026, 6, 16, 21, 10), at(ET, 2026, 6, 16, 21, 20))
    send_at = at(ET, 2026, 6, 16, 15, 0)
    assert next_allowed(places("+13052345678"), send_at, history) == at(ET, 2026, 6, 18, 8, 0)


def test_next_allowed_is_none_when_nothing_blocks_and_quiet_hours_alone_otherwise():
    fl = places("+13052345678")
    assert next_allowed(fl, at(ET, 2026, 6, 15, 12, 0)) is None
    assert next_allowed(fl, at(ET, 2026, 6, 15, 21, 0)) == at(ET, 2026, 6, 16, 8, 0)
    assert next_allowed((), at(ET, 2026, 6, 15, 3, 0), [at(ET, 2026, 6, 15, 2, 0)] * 5) is None


def test_place_with_unknown_state_uses_the_federal_window():
    place = Place(None, "America/Los_Angeles")
    assert is_inside_window(place, at(ZoneInfo("America/Los_Angeles"), 2026, 6, 15, 20, 59))
    assert not is_inside_window(place, at(ZoneInfo("America/Los_Angeles"), 2026, 6, 15, 21, 0))
