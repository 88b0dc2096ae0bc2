"""Recipient places: classification, corrections, postal codes, and the NPA-NXX cache."""
from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import timezone as pn_timezone

from preflight.gate.places import (
    CONTIGUOUS_US_ZONES,
    Place,
    RecipientInfo,
    classify,
    places_for,
    zip_place,
)
from preflight.law.geo_corrections import corrected_zones


@pytest.mark.parametrize("e164, region, states, zones", [
    ("+14045551234", "US", ("GA",), ("America/New_York",)),
    ("+12032345678", "US", ("CT",), ("America/New_York",)),
    ("+15122345678", "US", ("TX",), ("America/Chicago",)),
    ("+13052345678", "US", ("FL",), ("America/New_York",)),
    ("+18502345678", "US", ("FL",), ("America/Chicago",)),   # panhandle, Central NXX
    ("+18503456789", "US", ("FL",), ("America/New_York",)),  # Tallahassee side
    ("+19282835678", "US", ("AZ",), ("America/Denver", "America/Phoenix")),
    ("+16892345678", "US", ("FL",), ("America/New_York",)),  # corrected (pn: Central)
    ("+13642345678", "US", ("KY",), ("America/Chicago",)),   # corrected (pn: Eastern)
    ("+12022345678", "US", ("DC",), ("America/New_York",)),
])
def test_us_numbers(e164, region, states, zones):
    info = classify(e164)
    assert info == RecipientInfo(e164, True, region, True, states, zones, False)


def test_canada_is_not_us():
    info = classify("+14162345678")
    assert info.valid and info.region == "CA" and not info.is_us
    assert info.states == () and info.time_zones == ("America/Toronto",)
    assert places_for(info, "33101") == ()


@pytest.mark.parametrize("e164", ["+18002345678", "+18882345678", "+15002345678", "+15332345678"])
def test_non_geographic_numbers_get_every_contiguous_zone(e164):
    info = classify(e164)
    assert info.valid and info.is_us and info.location_uncertain
    assert info.states == () and info.time_zones == CONTIGUOUS_US_ZONES
    assert {p.tz for p in places_for(info)} == set(CONTIGUOUS_US_ZONES)
    assert all(p.state is None for p in places_for(info))


@pytest.mark.parametrize("text", ["", "abc", "4045551234", "+1404555123", "+140455512345",
                                  "+1 404 555 1234", "+0123456789", "++14045551234", None, 42])
def test_invalid_syntax(text):
    info = classify(text)
    assert not info.valid and not info.is_us and info.states == () and info.time_zones == ()
    assert places_for(info) == ()


def test_invalid_nanp_number():
    info = classify("+11234567890")  # NPA cannot start with 1
    assert not info.valid and places_for(info) == ()


def test_caribbean_number_is_not_us():
    info = classify("+18765551234")
    assert info.valid and info.region == "JM" and not info.is_us


def test_two_zone_number_pairs_its_state_with_each_zone():
    places = places_for(classify("+19282835678"))
    assert places == (Place("AZ", "America/Denver"), Place("AZ", "America/Phoenix"))


def test_postal_code_adds_its_state_and_zone():
    info = classify("+14045551234")
    assert places_for(info, "32501") == (
        Place("FL", "America/Chicago"), Place("GA", "America/New_York"))
    assert places_for(info, "32501-1234") == places_for(info, "32501")
    assert places_for(info, "30301") == (Place("GA", "America/New_York"),)


@pytest.mark.parametrize("code", ["", "abc", "1234", "123456", "00000", "3250"])
def test_unknown_or_malformed_postal_codes_add_nothing(code):
    info = classify("+14045551234")
    assert places_for(info, code) == (Place("GA", "America/New_York"),)


def test_zip_place():
    assert zip_place("06510") == ("CT", "America/New_York")
    assert zip_place(" 32501 ") == ("FL", "America/Chicago")
    assert zip_place("nope") is None


def _random_nanp_numbers(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    valid_npas = [npa for npa in range(200, 1000)
                  if phonenumbers.is_valid_number(phonenumbers.parse(f"+1{npa}2345678"))]
    numbers = []
    for i in range(count):
        # Two thirds from assigned area codes (so most are valid), the rest anywhere.
        npa = rng.choice(valid_npas) if i % 3 else rng.randrange(100, 1000)
        numbers.append(f"+1{npa}{rng.randrange(0, 10_000_000):07d}")
    return numbers


def test_npa_nxx_cache_matches_uncached_phonenumbers():
    numbers = _random_nanp_numbers(3000, seed=20261201)
    # Reuse NPA-NXXs so most lookups come from the cache built by an earlier number.
    rng = random.Random(7)
    numbers += [n[:8] + f"{rng.randrange(10_000):04d}" for n in numbers[:1500]]
    valid_seen = 0
    for e164 in numbers:
        info = classify(e164)
        parsed = phonenumbers.parse(e164)
        valid = phonenumbers.is_valid_number(parsed)
        assert info.valid == valid, e164
        assert info.region == phonenumbers.region_code_for_number(parsed), e164
        assert info.is_us == (valid and info.region == "US"), e164
        if not (valid and info.is_us) or info.location_uncertain:
            continue
        valid_seen += 1
        national = str(parsed.national_number)
        expected = corrected_zones(national) or pn_timezone.time_zones_for_number(parsed)
        assert info.time_zones == tuple(expected), e164
    assert valid_seen > 1500
