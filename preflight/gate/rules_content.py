"""Content and account rules.

Content: the first marketing message to a recipient must say how to opt out (CTIA
5.1.2.1); public URL shorteners block (Twilio 30892). Warnings: http:// links, links
or phone numbers the campaign does not declare (US only, where the campaign is
known), restricted topics.

Account: credits (a workspace with no balance is unlimited) and, for US sends, the
brand's T-Mobile daily segment cap since midnight America/Los_Angeles. The cap
blocks when this message's segments would take the day's total past the cap, so a
day whose total already reached the cap blocks every further message.
"""
from __future__ import annotations

from preflight.law.reasons import finding

from .context import READINESS_OK, GateContext
from .rule_base import NONE, rule


@rule("recipient")
def missing_opt_out(ctx: GateContext):
    if ctx.marketing and ctx.recipient.first_marketing and not ctx.message.has_opt_out:
        return (_MISSING_OPT_OUT,)
    return NONE


_MISSING_OPT_OUT = finding("content_missing_opt_out")


@rule("shared")
def public_shortener(ctx: GateContext):
    found = ctx.message.shorteners
    if not found:
        return NONE
    return (finding("content_public_shortener",
                    "The message uses a public URL shortener: " + ", ".join(found) + "."),)


@rule("shared")
def credits(ctx: GateContext):
    balance, needed = ctx.account.credit_balance, ctx.message.segments
    if balance is None or balance >= needed:
        return NONE
    return (finding("insufficient_credits",
                    f"The message needs {needed} credit(s) (one per segment); the balance is {balance}."),)


@rule("shared")
def daily_cap(ctx: GateContext):
    acct = ctx.account
    cap = acct.daily_cap
    if not ctx.is_us or cap is None or acct.readiness != READINESS_OK:
        return NONE
    if acct.us_segments_today + ctx.message.segments <= cap:
        return NONE
    tier = acct.chain.get("tier") or "its"
    return (finding("daily_cap_reached",
                    f"{acct.us_segments_today} US segments were sent since midnight Pacific; the brand's "
                    f"{tier} tier allows {cap} a day."),)


@rule("shared")
def insecure_link(ctx: GateContext):
    found = ctx.message.insecure_links
    if not found:
        return NONE
    return (finding("content_insecure_link", "The message links over http://: " + ", ".join(found) + "."),)


def _declared(ctx: GateContext, key: str) -> bool | None:
    """The campaign's declaration (`has_embedded_links`/`_phone`) when known for a US send."""
    acct = ctx.account
    if not ctx.is_us or not acct.connected or acct.readiness != READINESS_OK:
        return None
    value = acct.chain.get(key)
    return value if isinstance(value, bool) else None


@rule("shared")
def undeclared_link(ctx: GateContext):
    if ctx.message.links and _declared(ctx, "has_embedded_links") is False:
        return (finding("content_undeclared_link",
                        "The message has a link (" + ctx.message.links[0] + ") but the campaign declares "
                        "no embedded links."),)
    return NONE


@rule("shared")
def undeclared_phone(ctx: GateContext):
    if ctx.message.phones and _declared(ctx, "has_embedded_phone") is False:
        return (finding("content_undeclared_phone",
                        "The message has a phone number (" + ctx.message.phones[0] + ") but the campaign "
                        "declares no embedded phone numbers."),)
    return NONE


@rule("shared")
def restricted_topic(ctx: GateContext):
    topics = ctx.message.topics
    if not topics:
        return NONE
    return (finding("content_restricted_topic",
                    "The message mentions restricted topics: " + ", ".join(t.replace("_", " ") for t in topics)
                    + "."),)


CONTENT_RULES = [missing_opt_out, public_shortener]
ACCOUNT_RULES = [credits, daily_cap]
WARNINGS = [insecure_link, undeclared_link, undeclared_phone, restricted_topic]
