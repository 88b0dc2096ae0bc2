"""Message body checks: segment count, opt-out wording, links, phone numbers, topics.

Segments follow Twilio's counting (GSM 03.38): a body of GSM-7 basic and extension
characters is GSM-7, each extension character (``^ { } \\ [ ~ ] | €`` and form feed)
taking two septets (escape + char), 160 septets in one segment or 153 per part of a
longer message; any other character makes the body UCS-2, counted in UTF-16 code
units (an emoji outside the BMP is 2), 70 in one segment or 67 per part. An escape
pair or a surrogate pair is never split across parts, so it moves whole to the next.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from preflight.law.content import (
    BARE_LINK_TLDS,
    OPT_OUT_INSTRUCTION_PATTERNS,
    PUBLIC_SHORTENERS,
    RESTRICTED_TOPICS,
)

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

_LINK = re.compile(
    r"""(?ix)
    (?P<scheme>\bhttps?://[^\s<>"']+)
    | (?P<www>(?<![\w@.-])www\.[^\s<>"']+)
    | (?P<bare>(?<![\w@./-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?P<tld>[a-z]{2,})
        (?![\w-])(?::\d{1,5})?(?:/[^\s<>"']*)?)
    """
)
_TRAILING = ".,;:!?)]}'\"”’"
_OPT_OUT_INSTRUCTIONS = tuple(re.compile(p, re.IGNORECASE) for p in OPT_OUT_INSTRUCTION_PATTERNS)


def segments(body: str) -> tuple[str, int]:
    """``(encoding, count)``: "GSM-7" or "UCS-2" and the number of SMS segments.

    An empty body still goes out as one segment.
    """
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in body):
        units = [2 if ch in GSM_EXTENSION else 1 for ch in body]
        encoding, single, part = "GSM-7", 160, 153
    else:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in body]
        encoding, single, part = "UCS-2", 70, 67
    if sum(units) <= single:
        return encoding, 1
    count, used = 1, 0
    for size in units:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return encoding, count


def has_opt_out_instructions(body: str) -> bool:
    """Whether the body tells the recipient how to opt out ("Reply STOP to opt out", ...)."""
    return any(pattern.search(body) for pattern in _OPT_OUT_INSTRUCTIONS)


def links(body: str) -> list[str]:
    """Links in the body, in order: scheme URLs, ``www.`` hosts and bare domains
    (``bit.ly/x``) whose top-level domain is a known one. E-mail addresses are not links."""
    found = []
    for match in _LINK.finditer(body):
        if match.group("bare") and match.group("tld").lower() not in BARE_LINK_TLDS:
            continue
        link = match.group(0).rstrip(_TRAILING)
        if link:
            found.append(link)
    return found


def link_host(link: str) -> str:
    """The lower-case host of a link, without scheme, port or a leading ``www.``."""
    rest = re.sub(r"(?i)^https?://", "", link)
    host = re.split(r"[/:?#]", rest, maxsplit=1)[0].lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def public_shorteners(body: str) -> list[str]:
    """Links in the body that go through a public URL shortener (bit.ly, t.co, ...)."""
    return [link for link in links(body) if link_host(link) in PUBLIC_SHORTENERS]


def insecure_links(body: str) -> list[str]:
    """Links in the body that use plain ``http://``."""
    return [link for link in links(body) if link.lower().startswith("http://")]


def phones_in_body(body: str, region: str = "US") -> list[str]:
    """Valid phone numbers written in the body, as E.164, in order of appearance."""
    return [
        phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        for match in phonenumbers.PhoneNumberMatcher(body, region)
    ]


def restricted_topics(body: str) -> list[str]:
    """Restricted topics (``preflight.law.content.RESTRICTED_TOPICS`` keys) the body
    mentions, matched on whole words only."""
    return [topic for topic, pattern in _topic_patterns() if pattern.search(body)]


@lru_cache(maxsize=1)
def _topic_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    compiled = []
    for topic, spec in RESTRICTED_TOPICS.items():
        words = sorted(spec.words, key=len, reverse=True)
        alternatives = "|".join(r"[\s-]".join(map(re.escape, w.split("-"))) for w in words)
        compiled.append((topic, re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)))
    return tuple(compiled)
