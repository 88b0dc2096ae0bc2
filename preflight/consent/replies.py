"""Classify inbound replies: opt-out, opt-in, help, or none of these.

The word lists and phrase rules are data in ``preflight.law.keywords``; this module
applies them. Normalisation follows CONTRACT.md: trim, case-fold, strip punctuation,
"opt-out" / "opt out" -> "optout".
"""

from __future__ import annotations

import re
import unicodedata

from preflight.law.keywords import (
    HELP_WORDS,
    NEGATORS,
    OPT_IN_WORDS,
    OPT_OUT_FILLERS,
    OPT_OUT_PHRASES,
    OPT_OUT_WORDS,
    TWILIO_OPT_OUT_TYPES,
)

_APOSTROPHES = re.compile(r"['’‘ʼ`´]")
_OPT_OUT = re.compile(r"\bopt out\b")


def normalise(body: str) -> str:
    """Case-folded words of ``body`` joined by single spaces, punctuation removed.

    Apostrophes vanish ("don't" -> "dont"); any other character that is not a letter
    or digit separates words; "opt out" (from "opt-out", "Opt Out!") becomes "optout".
    Idempotent: ``normalise(normalise(x)) == normalise(x)``.
    """
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", body).casefold())
    text = _APOSTROPHES.sub("", text)
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return _OPT_OUT.sub("optout", " ".join(text.split()))


def classify_reply(body: str | None, opt_out_type: str | None = None) -> str | None:
    """``"opt_out"``, ``"opt_in"``, ``"help"`` or None for an inbound message.

    Twilio's ``OptOutType`` (STOP, START, HELP), when given, decides. Otherwise a
    reply that is a single keyword classifies as that keyword; a reply made only of
    opt-out keywords and courtesy words ("please stop", "STOP ALL") or one that
    plainly asks to stop ("please stop texting me", "remove me from your list") is an
    opt-out; a message that merely contains such a word ("I can't stop smiling") is
    None.
    """
    if opt_out_type:
        mapped = TWILIO_OPT_OUT_TYPES.get(opt_out_type.strip().upper())
        if mapped:
            return mapped
    text = normalise(body or "")
    if not text:
        return None
    if text in OPT_OUT_WORDS:
        return "opt_out"
    if text in OPT_IN_WORDS:
        return "opt_in"
    if text in HELP_WORDS:
        return "help"
    return "opt_out" if _asks_to_stop(text) else None


def _asks_to_stop(text: str) -> bool:
    words = text.split()
    rest = [w for w in words if w not in OPT_OUT_FILLERS]
    if rest and all(w in OPT_OUT_WORDS for w in rest):
        return True
    for pattern, negatable in OPT_OUT_PHRASES:
        for match in pattern.finditer(text):
            if not negatable or not _negated(text, match.start()):
                return True
    return False


def _negated(text: str, start: int) -> bool:
    before = text[:start].split()
    return bool(before) and before[-1] in NEGATORS
