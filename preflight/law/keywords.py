"""Reply keywords and plain-language stop requests.

Sources:
- 47 CFR 64.1200(a)(10) (FCC 24-24, in force 2025-04-11): consent may be revoked by
  any reasonable means; a reply of stop, quit, end, revoke, opt out, cancel or
  unsubscribe always revokes, and other wording counts when a reasonable person would
  read it as a request to stop.
- Twilio Advanced Opt-Out docs: opt-out STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT,
  REVOKE, OPTOUT; opt-in START, YES, UNSTOP; help HELP, INFO. Twilio forwards its own
  classification as ``OptOutType`` (STOP, START, HELP) on the inbound webhook.
- CONTRACT.md "Opt-out and opt-in words": normalisation (trim, case-fold, strip
  punctuation, "opt-out"/"opt out" -> "optout").

The phrase rules run on normalised text: lower case, apostrophes dropped ("don't" ->
"dont"), other punctuation and symbols turned into single spaces. Opting out is read
generously (a missed revocation is a violation; an extra one only stops messages);
opting in and help take an exact single keyword, because a false opt-in would restore
consent the person did not give.
"""

from __future__ import annotations

import re

OPT_OUT_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
)
OPT_IN_WORDS = frozenset({"start", "yes", "unstop"})
HELP_WORDS = frozenset({"help", "info"})

# Twilio's OptOutType webhook parameter -> our classification.
TWILIO_OPT_OUT_TYPES = {"STOP": "opt_out", "START": "opt_in", "HELP": "help"}

# Words that may surround an opt-out keyword without changing its meaning
# ("please stop", "stop all", "stop it now, thanks").
OPT_OUT_FILLERS = frozenset(
    {
        "please", "pls", "plz", "plse", "thanks", "thank", "you", "thx", "ty",
        "now", "ok", "okay", "just", "asap", "it", "already", "all", "hi",
        "hello", "hey", "sir", "maam", "me", "immediately", "right", "away",
    }
)

# A phrase match preceded by one of these is not a request ("won't stop texting me").
NEGATORS = frozenset(
    {"not", "dont", "wont", "cant", "cannot", "didnt", "doesnt", "couldnt",
     "wouldnt", "never", "isnt", "shouldnt"}
)

_MSGS = r"(?:texts?|txts?|messages?|msgs?|sms|text messages?|notifications?|alerts?|spam)"
_TEXTING = r"(?:texting|txting|messaging|msging|contacting|spamming|bothering|calling|sending)"

# Plain-language requests to stop, searched anywhere in the normalised message.
# ``negatable`` phrases are ignored when a negator comes just before them.
OPT_OUT_PHRASES: tuple[tuple[re.Pattern[str], bool], ...] = tuple(
    (re.compile(pattern), negatable)
    for pattern, negatable in (
        (rf"\bstop {_TEXTING} (?:me|us|this number)\b", True),
        (rf"\bstop {_TEXTING}$", True),
        (rf"\bstop (?:sending|all)(?: me| us)? (?:the |these |those |your |ur |any )?{_MSGS}\b", True),
        (r"\b(?:unsubscribe|remove|delete|drop|optout) me\b", True),
        (r"\b(?:take|get) (?:me|my number|my name) off\b", True),
        (r"\bremove my (?:number|name|phone)\b", True),
        (r"\b(?:dont|do not|never) (?:text|txt|message|msg|contact|sms|send) (?:me|us|this number)\b", False),
        (rf"\b(?:dont|do not|never) send (?:me |us )?(?:any )?(?:more )?{_MSGS}\b", False),
        (rf"\bno more {_MSGS}\b", False),
        (r"\b(?:i|we) (?:want|wish|would like|d like|need) to (?:unsubscribe|optout|stop (?:receiving|getting))\b", False),
        (r"\bhow (?:do|can) i (?:unsubscribe|optout)\b", False),
        (r"\b(?:leave me alone|lose my number)\b", False),
    )
)
