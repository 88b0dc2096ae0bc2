"""Inbound reply classification: keywords, plain stop requests, and non-requests."""
from __future__ import annotations

import string

import pytest
from hypothesis import given, settings, strategies as st

from preflight.consent.replies import classify_reply, normalise
from preflight.law.keywords import HELP_WORDS, OPT_IN_WORDS, OPT_OUT_WORDS

CASES = [
    ("STOP", "opt_out"), ("stop", "opt_out"), ("Stop.", "opt_out"), ("STOP!!!", "opt_out"),
    ("  stop  ", "opt_out"), ("StopAll", "opt_out"), ("stop all", "opt_out"),
    ("UNSUBSCRIBE", "opt_out"), ("Cancel", "opt_out"), ("end", "opt_out"),
    ("quit", "opt_out"), ("revoke", "opt_out"), ("OPTOUT", "opt_out"),
    ("opt-out", "opt_out"), ("Opt Out", "opt_out"), ("please stop", "opt_out"),
    ("Stop texting me please", "opt_out"), ("please unsubscribe me", "opt_out"),
    ("remove me from your list", "opt_out"), ("no more texts", "opt_out"),
    ("take me off this list", "opt_out"), ("don't text me anymore", "opt_out"),
    ("Don’t text me anymore!", "opt_out"), ("STOP SENDING ME THESE MESSAGES", "opt_out"),
    ("I want to opt out", "opt_out"), ("please stop texting", "opt_out"),
    ("START", "opt_in"), ("yes", "opt_in"), ("Unstop", "opt_in"), ("Yes!", "opt_in"),
    ("HELP", "help"), ("info", "help"), ("Help?", "help"),
    ("I can't stop smiling", None), ("stopwatch", None), ("don't stop the music", None),
    ("I'll cancel my appointment", None), ("when does the store end its sale", None),
    ("my ex won't stop texting me lol", None), ("Yes please", None), ("thanks!", None),
    ("", None), ("   ", None), ("!!!", None), ("started", None), ("helpful", None),
]


@pytest.mark.parametrize("body, expected", CASES)
def test_classify_reply(body, expected):
    assert classify_reply(body) == expected


@pytest.mark.parametrize("opt_out_type, expected", [
    ("STOP", "opt_out"), ("START", "opt_in"), ("HELP", "help"), ("stop", "opt_out"),
])
def test_twilio_opt_out_type_decides(opt_out_type, expected):
    assert classify_reply("whatever you say", opt_out_type) == expected


def test_unknown_opt_out_type_falls_back_to_the_body():
    assert classify_reply("stop", "SOMETHING") == "opt_out"
    assert classify_reply("hello", None) is None
    assert classify_reply(None) is None


def test_normalise():
    assert normalise("  Opt-Out!! ") == "optout"
    assert normalise("Don't   TEXT me.") == "dont text me"
    assert normalise("STOP\n\tALL") == "stop all"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once
    classify_reply(text)  # never raises


_KEYWORDS = sorted(OPT_OUT_WORDS | OPT_IN_WORDS | HELP_WORDS)
_KIND = {**{w: "opt_out" for w in OPT_OUT_WORDS}, **{w: "opt_in" for w in OPT_IN_WORDS},
         **{w: "help" for w in HELP_WORDS}}
_PUNCTUATION = st.text(alphabet=string.punctuation + " \t\n¡¿…“”‘’«»·", max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_KEYWORDS), st.data(), _PUNCTUATION, _PUNCTUATION)
def test_single_keyword_with_noise_still_classifies(word, data, before, after):
    cased = "".join(
        ch.upper() if data.draw(st.booleans(), label=f"upper {i}") else ch
        for i, ch in enumerate(word))
    assert classify_reply(f"{before}{cased}{after}") == _KIND[word]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["opt-out", "opt out", "OPT-OUT", "Opt  Out", "opt_out"]), _PUNCTUATION)
def test_opt_out_spellings(spelling, after):
    assert classify_reply(spelling + after) == "opt_out"
