"""Recipient places: where a phone number (and a consent's postal code) may be.

``classify`` reads a number once: validity, region, US state(s) and IANA time zones.
For +1 numbers everything it returns is decided by the first six national digits
(NPA-NXX): the US and Canadian validity patterns, phonenumbers' time-zone prefixes
(at most 1+NPA+NXX long) and the area-code state all stop there. So those answers are
cached per NPA-NXX and a bulk caller pays a dictionary lookup instead of a parse
(about 60 microseconds). NPA-NXXs that another NANP region claims (the Caribbean and
the territories, whose patterns can look at a seventh digit) are never cached by
prefix: they are read in full, and cached by whole number.

A *candidate place* is a ``Place(state, tz)``: a US state code, or None where the
state is unknown, paired with an IANA zone. The quiet-hours window of a place is its
state's window (the federal default when the state is None or has no rule of its
own). Places for a number are the product of its states and its zones: a number in
one state whose NPA-NXX spans two zones (850 in the Florida panhandle, say) yields
(FL, America/New_York) and (FL, America/Chicago), because the person may be on either
side of the line and the state's rule applies on both. A number with no geographic
location (toll-free, 5XX) has no state and every contiguous-US zone. A postal code
from a consent record adds its own (state, zone).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import timezone as pn_timezone
from phonenumbers.phonemetadata import PhoneMetadata
from phonenumbers.tzdata import TIMEZONE_DATA
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from preflight.law.geo_corrections import corrected_zones

CONTIGUOUS_US_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)

_NANP_WIDE_ZONES = TIMEZONE_DATA["1"]
_E164 = re.compile(r"\+[1-9]\d{6,14}")
_ZIP = re.compile(r"(\d{5})(?:-?\d{4})?")
# Regions of country code 1 whose validity is decided within NPA-NXX (checked against
# the 9.0.43 metadata: their patterns end in a plain ``\d{4}`` or more).
_PREFIX_SOUND_REGIONS = frozenset({"US", "CA"})

_STATE_CODES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL",
    "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN",
    "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME",
    "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN",
    "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE",
    "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM",
    "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH",
    "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI",
    "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX",
    "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA",
    "Washington State": "WA", "Washington D.C.": "DC", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY",
}
_US_STATES = frozenset(_STATE_CODES.values())


@dataclass(frozen=True)
class RecipientInfo:
    """What a phone number says about its holder's whereabouts.

    ``region`` is phonenumbers' ISO region ("US", "CA", ...; None when unknown);
    ``is_us`` is ``region == "US"`` for a valid number (so +1 Canada is not US);
    ``states`` are US state codes (empty outside the US and for non-geographic
    numbers); ``time_zones`` are IANA names; ``location_uncertain`` is set for a valid
    US number with no geographic location, which then carries every contiguous-US zone.
    """

    e164: str
    valid: bool
    region: str | None
    is_us: bool
    states: tuple[str, ...]
    time_zones: tuple[str, ...]
    location_uncertain: bool


@dataclass(frozen=True)
class Place:
    """A candidate place: a US state code (or None when unknown) and an IANA zone."""

    state: str | None
    tz: str


# (valid, region, is_us, states, time_zones, location_uncertain)
_Facts = tuple[bool, "str | None", bool, tuple[str, ...], tuple[str, ...], bool]
_INVALID: _Facts = (False, None, False, (), (), False)


def classify(e164: str) -> RecipientInfo:
    """Classify an E.164 number (``+`` and digits only); never raises.

    Anything that is not E.164 syntax is invalid without reaching phonenumbers.
    """
    if not isinstance(e164, str) or _E164.fullmatch(e164) is None:
        return RecipientInfo(str(e164), *_INVALID)
    if e164.startswith("+1"):
        if len(e164) != 12:
            return RecipientInfo(e164, *_nanp_malformed(e164))
        facts = _nanp_prefix_facts(e164[2:8])
        if facts is None:
            facts = _number_facts(e164)
        return RecipientInfo(e164, *facts)
    return RecipientInfo(e164, *_number_facts(e164))


@lru_cache(maxsize=4096)
def _nanp_malformed(e164: str) -> _Facts:
    # Wrong length for NANP: invalid, but keep phonenumbers' region answer.
    return _facts_uncached(e164)


@lru_cache(maxsize=200_000)
def _nanp_prefix_facts(npa_nxx: str) -> _Facts | None:
    """Facts shared by every number of an NPA-NXX, or None if they are not shared."""
    if _claimed_by_other_region(npa_nxx):
        return None
    return _facts_uncached(f"+1{npa_nxx}0000")


@lru_cache(maxsize=65_536)
def _number_facts(e164: str) -> _Facts:
    return _facts_uncached(e164)


def _facts_uncached(e164: str) -> _Facts:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return _INVALID
    region = phonenumbers.region_code_for_number(number)
    if not phonenumbers.is_valid_number(number):
        return (False, region, False, (), (), False)
    if region != "US":
        zones = tuple(pn_timezone.time_zones_for_number(number))
        if pn_timezone.UNKNOWN_TIMEZONE in zones or zones == _NANP_WIDE_ZONES:
            zones = ()  # no real location, only the country code's catch-all list
        return (True, region, False, (), zones, False)
    national = str(number.national_number)
    # Non-geographic area codes (toll-free 8XX, 5XX personal, 900) have no geocoder
    # entry, so no state: that alone marks the location as uncertain.
    state = _npa_states().get(national[:3])
    states = (state,) if state else ()
    zones = corrected_zones(national) or tuple(pn_timezone.time_zones_for_number(number))
    if not zones or zones == _NANP_WIDE_ZONES or pn_timezone.UNKNOWN_TIMEZONE in zones:
        # phonenumbers fell back to its country-wide list: no real location.
        return (True, region, True, states, CONTIGUOUS_US_ZONES, True)
    return (True, region, True, states, zones, state is None)


@lru_cache(maxsize=1)
def _other_regions_pattern() -> re.Pattern[str]:
    """Leading digits of every NANP region but the US and Canada, as one pattern."""
    parts = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        if region in _PREFIX_SOUND_REGIONS:
            continue
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is not None and metadata.leading_digits:
            parts.append(f"(?:{metadata.leading_digits})")
    return re.compile("|".join(parts))


def _claimed_by_other_region(npa_nxx: str) -> bool:
    return _other_regions_pattern().match(npa_nxx) is not None


@lru_cache(maxsize=1)
def _npa_states() -> dict[str, str]:
    """US area code -> state code, from phonenumbers' geocoder data (loaded once).

    The area-level description ("Florida") wins; without one, the commonest ", XX"
    suffix of the NXX-level descriptions ("Miami, FL") decides.
    """
    from phonenumbers.geodata import GEOCODE_DATA  # ~0.3 s to load: only on first use

    area_level: dict[str, str] = {}
    votes: dict[str, Counter[str]] = {}
    for prefix, names in GEOCODE_DATA.items():
        if not prefix.startswith("1") or len(prefix) < 4:
            continue
        code = _state_code(names.get("en", ""))
        if code is None:
            continue
        npa = prefix[1:4]
        if len(prefix) == 4:
            area_level[npa] = code
        else:
            votes.setdefault(npa, Counter())[code] += 1
    states = {npa: c.most_common(1)[0][0] for npa, c in votes.items()}
    states.update(area_level)
    return states


def _state_code(description: str) -> str | None:
    if description in _STATE_CODES:
        return _STATE_CODES[description]
    head, sep, tail = description.rpartition(", ")
    if sep and tail in _US_STATES:
        return tail
    return None


def places_for(info: RecipientInfo, postal_code: str | None = None) -> tuple[Place, ...]:
    """The candidate places of a recipient, sorted and without repeats.

    Empty for an invalid or non-US number: quiet hours and frequency caps do not
    apply there. A US postal code (ZIP or ZIP+4) adds its state and zone; a code the
    ``zipcodes`` data does not know adds nothing, and one whose record lacks a usable
    zone pairs its state with the number's zones.
    """
    if not info.valid or not info.is_us:
        return ()
    states: tuple[str | None, ...] = info.states or (None,)
    places = {Place(state, tz) for state in states for tz in info.time_zones}
    if postal_code:
        found = zip_place(postal_code)
        if found is not None:
            state, tz = found
            if tz is not None:
                places.add(Place(state, tz))
            else:
                places.update(Place(state, zone) for zone in info.time_zones)
    return tuple(sorted(places, key=lambda p: (p.state or "", p.tz)))


def zip_place(postal_code: str) -> tuple[str, str | None] | None:
    """(state, IANA zone or None) of a US ZIP code, or None when unknown or malformed."""
    match = _ZIP.fullmatch(postal_code.strip()) if isinstance(postal_code, str) else None
    if match is None:
        return None
    return _zip_lookup(match.group(1))


@lru_cache(maxsize=50_000)
def _zip_lookup(zip5: str) -> tuple[str, str | None] | None:
    import zipcodes  # the ZIP table loads on first lookup (~0.3 s)

    try:
        records = zipcodes.matching(zip5)
    except (ValueError, TypeError):
        return None
    for record in records:
        state = record.get("state") or ""
        if state not in _US_STATES:
            continue
        return state, _valid_zone(record.get("timezone") or "")
    return None


def _valid_zone(name: str) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name
