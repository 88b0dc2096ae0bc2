"""Recipient rules: a valid number, no opt-out, consent for the category, and (for
marketing to US numbers) quiet hours and frequency caps in every candidate place.

Consent by category (CONTRACT section 5): marketing needs the marketing scope, which
the ledger grants only with written consent and its disclosure; informational needs
either scope; security needs none. An opt-out blocks every category.
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from preflight.law.quiet_hours import FREQUENCY_CAPS
from preflight.law.reasons import NO_CONSENT_MESSAGES, NO_CONSENT_RULES, finding

from . import windows
from .context import GateContext
from .places import Place
from .rule_base import NONE, rule


@rule("recipient")
def invalid_number(ctx: GateContext):
    info = ctx.recipient.info
    if info.valid:
        return NONE
    return (finding("invalid_number", f"{info.e164!r} is not a valid phone number."),)


@rule("recipient")
def opted_out(ctx: GateContext):
    if ctx.recipient.info.valid and ctx.recipient.consent.opted_out:
        return (_OPTED_OUT,)
    return NONE


_OPTED_OUT = finding("opted_out")
_NO_CONSENT = {cat: finding("no_consent", NO_CONSENT_MESSAGES[cat], NO_CONSENT_RULES[cat])
               for cat in NO_CONSENT_RULES}


@rule("recipient")
def consent(ctx: GateContext):
    if not ctx.recipient.info.valid:
        return NONE
    category, state = ctx.message.category, ctx.recipient.consent
    if category == "marketing" and not state.marketing:
        return (_NO_CONSENT["marketing"],)
    if category == "informational" and not (state.marketing or state.informational):
        return (_NO_CONSENT["informational"],)
    return NONE


@lru_cache(maxsize=8192)
def _quiet_hours(places: tuple[Place, ...], send_at: datetime) -> tuple:
    blocked, data, _next = windows.evaluate_quiet_hours(places, send_at)
    if not blocked:
        return NONE
    where = "; ".join(
        f"{d['local_time'][11:16]} in {d['state'] or 'an unknown state'} ({d['time_zone']}), "
        f"allowed {d['window']}" for d in data)
    rules = "; ".join(dict.fromkeys(d["rule"] for d in data))
    return (finding("quiet_hours", f"Outside the allowed hours at the recipient's location: {where}.",
                    rules),)


@rule("recipient")
def quiet_hours(ctx: GateContext):
    places = ctx.recipient.places
    if not ctx.marketing or not ctx.is_us or not places:
        return NONE
    return _quiet_hours(places, ctx.send_at)


@rule("recipient")
def frequency_cap(ctx: GateContext):
    rec = ctx.recipient
    if not ctx.marketing or not ctx.is_us or not rec.sent_times or not rec.places:
        return NONE
    blocked, cap_rule, _next = windows.evaluate_frequency_cap(rec.places, ctx.send_at, rec.sent_times)
    if not blocked:
        return NONE
    cap = windows.cap_for_places(rec.places)
    states = ", ".join(sorted({p.state for p in rec.places if p.state in FREQUENCY_CAPS}))
    return (finding("frequency_cap",
                    f"{cap.limit} marketing messages were already sent to this recipient in the 24 hours "
                    f"before this send ({states} allows at most {cap.limit}).", cap_rule),)


@rule("recipient")
def location_uncertain(ctx: GateContext):
    if ctx.recipient.info.location_uncertain:
        return (_UNCERTAIN,)
    return NONE


_UNCERTAIN = finding("recipient_location_uncertain")

RULES = [invalid_number, opted_out, consent, quiet_hours, frequency_cap]
WARNINGS = [location_uncertain]
