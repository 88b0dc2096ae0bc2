"""Body checks: segments as Twilio counts them, opt-out wording, links, phones, topics."""
from __future__ import annotations

import pytest

from preflight.gate.content import (
    has_opt_out_instructions,
    insecure_links,
    links,
    phones_in_body,
    public_shorteners,
    restricted_topics,
    segments,
)


@pytest.mark.parametrize("body, expected", [
    ("", ("GSM-7", 1)),
    ("a" * 160, ("GSM-7", 1)),
    ("a" * 161, ("GSM-7", 2)),
    ("a" * 306, ("GSM-7", 2)),
    ("a" * 307, ("GSM-7", 3)),
    ("a" * 459, ("GSM-7", 3)),
    ("a" * 460, ("GSM-7", 4)),
    ("€" * 80, ("GSM-7", 1)),              # extension chars count 2
    ("€" * 81, ("GSM-7", 2)),
    ("a" * 159 + "{", ("GSM-7", 2)),        # 161 septets
    ("a" * 152 + "[" + "a" * 8, ("GSM-7", 2)),  # escape pair not split: 152 | 2 + 8
    ("a" * 152 + "]" + "a" * 151, ("GSM-7", 2)),  # 152 | 2 + 151 = 153
    ("a" * 152 + "]" + "a" * 152, ("GSM-7", 3)),
    ("{}[]~|^\\" * 20, ("GSM-7", 3)),        # 320 septets, 76 pairs a part
    ("Ñoño? ñ, é, à, ü, Ä, ß, Ø, ¿¡ are GSM-7", ("GSM-7", 1)),
    ("Ünïcode: ï is not", ("UCS-2", 1)),
    ("á" * 70, ("UCS-2", 1)),               # á is not GSM-7
    ("á" * 71, ("UCS-2", 2)),
    ("á" * 134, ("UCS-2", 2)),
    ("á" * 135, ("UCS-2", 3)),
    ("😀" * 35, ("UCS-2", 1)),               # emoji = 2 UTF-16 units
    ("😀" * 36, ("UCS-2", 2)),
    ("a" * 66 + "😀" + "a" * 66, ("UCS-2", 3)),  # 66 | 2 + 66 = 68 > 67 -> 3 parts
    ("a" * 65 + "😀" + "a" * 67, ("UCS-2", 2)),  # 67 | 67
    ("Hi “friend”", ("UCS-2", 1)),          # curly quotes are not GSM-7
])
def test_segments(body, expected):
    assert segments(body) == expected


@pytest.mark.parametrize("body, expected", [
    ("Acme: 20% off today. Reply STOP to opt out.", True),
    ("Acme deals! Text STOP to opt out", True),
    ("Acme: sale. txt stop 2 end", True),
    ("Acme: sale. STOP to end", True),
    ("Acme: sale. Reply 'STOP' to unsubscribe", True),
    ("Acme: to unsubscribe click here", True),
    ("Acme: opt-out anytime", True),
    ("Acme: sale ends Sunday!", False),
    ("Don't stop believing in deals", False),
])
def test_opt_out_instructions(body, expected):
    assert has_opt_out_instructions(body) is expected


def test_links_and_shorteners():
    body = ("Deal at https://acme.com/x, also bit.ly/abc and www.acme.net/y). "
            "Old: http://acme.org. Mail a@acme.com. E.g. Mr.Smith paid $3.50 at 5 p.m.")
    assert links(body) == ["https://acme.com/x", "bit.ly/abc", "www.acme.net/y", "http://acme.org"]
    assert public_shorteners(body) == ["bit.ly/abc"]
    assert insecure_links(body) == ["http://acme.org"]
    assert public_shorteners("see HTTPS://T.CO/xyz and https://www.tinyurl.com/q") == [
        "HTTPS://T.CO/xyz", "https://www.tinyurl.com/q"]
    assert public_shorteners("visit notbit.ly.example.com/a") == []


def test_phones_in_body():
    assert phones_in_body("Call (404) 555-1234 or +1 800 234 5678 today") == [
        "+14045551234", "+18002345678"]
    assert phones_in_body("Text STOP to 12345. Order #1234567.") == []


@pytest.mark.parametrize("body, expected", [
    ("Classic winery tour in Scunthorpe", []),
    ("Happy hour: $3 beer and wine!", ["alcohol"]),
    ("New VAPES and cigars in stock", ["tobacco"]),
    ("CBD gummies", ["cannabis"]),
    ("Get debt relief now, or a payday advance", ["payday_loans", "debt_collection"]),
    ("Poker night at the casino", ["gambling"]),
    ("Gun show: firearms and ammo", ["firearms"]),
    ("Glue gun on sale, assorted classes, Sussex", []),
])
def test_restricted_topics(body, expected):
    assert restricted_topics(body) == expected
