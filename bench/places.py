"""Per-number cost of reading recipients: phonenumbers uncached vs ``classify``.

Run: ``python bench/places.py [COUNT]``. Prints (does not assert) microseconds per
number for: phonenumbers alone (parse, validity, region, time zones: what a naive bulk
path pays), ``classify`` on a cold cache, ``classify`` on numbers whose NPA-NXX is
already cached, and ``classify`` + ``places_for`` warm.
"""
from __future__ import annotations

import random
import sys
import time

import phonenumbers
from phonenumbers import timezone as pn_timezone

from preflight.gate import places as places_module
from preflight.gate.places import classify, places_for


def _numbers(count: int, seed: int, prefixes: list[str] | None = None) -> list[str]:
    rng = random.Random(seed)
    if prefixes is None:
        valid_npas = [npa for npa in range(200, 1000)
                      if phonenumbers.is_valid_number(phonenumbers.parse(f"+1{npa}2345678"))]
        return [f"+1{rng.choice(valid_npas)}{rng.randrange(2_000_000, 10_000_000):07d}"
                for _ in range(count)]
    return [f"{rng.choice(prefixes)}{rng.randrange(10_000):04d}" for _ in range(count)]


def _per_number(label: str, numbers: list[str], work) -> None:
    started = time.perf_counter()
    for number in numbers:
        work(number)
    elapsed = time.perf_counter() - started
    print(f"{label:<52} {elapsed / len(numbers) * 1e6:8.2f} us/number  ({len(numbers):,} numbers)")


def _phonenumbers_only(e164: str) -> None:
    number = phonenumbers.parse(e164, None)
    phonenumbers.is_valid_number(number)
    phonenumbers.region_code_for_number(number)
    pn_timezone.time_zones_for_number(number)


def _clear_caches() -> None:
    for name in ("_nanp_prefix_facts", "_number_facts", "_nanp_malformed"):
        getattr(places_module, name).cache_clear()


def main(count: int = 20_000) -> None:
    cold = _numbers(count, seed=1)
    prefixes = sorted({n[:8] for n in cold})
    warm = _numbers(count, seed=2, prefixes=prefixes)
    classify(cold[0])  # load lazy data (geocoder table) outside the timings
    _clear_caches()

    print(f"{len(prefixes):,} distinct NPA-NXX among the cold numbers")
    _per_number("phonenumbers uncached (parse+valid+region+zones)", cold, _phonenumbers_only)
    _per_number("classify, cold cache (mostly new NPA-NXX)", cold, classify)
    _per_number("classify, warm cache (known NPA-NXX, new numbers)", warm, classify)
    _per_number("classify + places_for, warm", warm, lambda n: places_for(classify(n)))
    info = places_module._nanp_prefix_facts.cache_info()
    print(f"NPA-NXX cache: {info.currsize:,} entries, {info.hits:,} hits, {info.misses:,} misses")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
