"""Corrections to the phonenumbers 9.0.43 time-zone data for +1 numbers.

Source: google/libphonenumber timezone data (``phonenumbers.tzdata``) checked against
NANPA area-code assignments and the ``zipcodes`` package's area codes per ZIP; RULES.md.

- 689 (overlay of 407/321, Orlando, Florida) is Eastern; phonenumbers says Central
  (RULES.md).
- 364 (overlay of 270, western Kentucky) is Central; phonenumbers says Eastern
  (RULES.md fixes it as Central; note that the 270/364 territory also has Eastern
  counties, which the 364 data cannot tell apart).
- 448 (overlay of 850, Florida panhandle) has only an area-level Eastern entry, but the
  area includes Pensacola and the rest of the Central-time panhandle; 850 itself is
  split at NXX level. Both zones are candidates.
- 930 (overlay of 812, southern Indiana) has only an area-level Eastern entry, but the
  area includes the Central-time south-west (Evansville); 812 itself is split at NXX
  level. Both zones are candidates.

Keys are digit prefixes after the country code (an NPA, or an NPA-NXX for finer
corrections); the longest matching key wins and replaces phonenumbers' zones. Extra
candidate zones only make the quiet-hours check stricter (a send must be inside the
window in every candidate), never looser.

States are read per area code (no US area code crosses a state line) and need no
correction in 9.0.43; the one stray NXX-level description (201-631 "New York, NY") is
not used because 201 is New Jersey at area-code level.
"""

from __future__ import annotations

ZONE_CORRECTIONS: dict[str, tuple[str, ...]] = {
    "689": ("America/New_York",),
    "364": ("America/Chicago",),
    "448": ("America/New_York", "America/Chicago"),
    "930": ("America/New_York", "America/Chicago"),
}


def corrected_zones(national: str) -> tuple[str, ...] | None:
    """The corrected zones for a +1 national number (10 digits), or None if none apply."""
    for length in (6, 3):
        zones = ZONE_CORRECTIONS.get(national[:length])
        if zones is not None:
            return zones
    return None
