"""Registration-chain rules (US destinations only): the account, the sending number,
its Messaging Service, the campaign and the brand, as the latest readiness check saw
them, plus 30034 errors Twilio reported since.

A link the check could not see (because an earlier one failed) has the value None in
the chain facts and raises nothing here: the earlier link's reason already blocks,
and "unknown" is not evidence of a second defect.

`not_connected` is the one exception to "US only": a real send without a connection
has nothing to send through, so in send mode it blocks every destination; a dry run
follows the contract's letter and checks it for US destinations only.
"""
from __future__ import annotations

from preflight.law.reasons import finding
from preflight.law.registration import (BRAND_SENDABLE_STATUS, CAMPAIGN_READY_STATUS, allows_marketing)

from .context import READINESS_OK, READINESS_STALE, READINESS_UNKNOWN, GateContext
from .rule_base import NONE, rule

_NOT_10DLC_KINDS = frozenset({"toll_free", "toll-free", "tollfree", "short_code", "shortcode"})


def _chain(ctx: GateContext) -> dict | None:
    """The chain facts when the registration chain applies and is known, else None."""
    acct = ctx.account
    if not ctx.is_us or not acct.connected or acct.readiness != READINESS_OK:
        return None
    return acct.chain


@rule("shared")
def not_connected(ctx: GateContext):
    acct = ctx.account
    if acct.connected:
        return NONE
    if ctx.is_us or acct.mode == "send":
        return (finding("not_connected"),)
    return NONE


@rule("shared")
def readiness(ctx: GateContext):
    acct = ctx.account
    if not ctx.is_us or not acct.connected:
        return NONE
    if acct.readiness == READINESS_UNKNOWN:
        return (finding("readiness_unknown"),)
    if acct.readiness == READINESS_STALE:
        return (finding("readiness_stale"),)
    return NONE


@rule("shared")
def account_active(ctx: GateContext):
    chain = _chain(ctx)
    if chain is None:
        return NONE
    if chain.get("credentials_valid") is False:
        return (finding("account_not_active", "Twilio refused the connection's credentials at the last "
                        "readiness check."),)
    out = []
    status = chain.get("account_status")
    if status is not None and str(status).lower() != "active":
        out.append(finding("account_not_active", f"The Twilio account is {status}, not active."))
    if str(chain.get("account_type") or "").lower() == "trial":
        out.append(finding("trial_account"))
    return out


@rule("shared")
def sending_number(ctx: GateContext):
    chain = _chain(ctx)
    if chain is None:
        return NONE
    sender = ctx.account.sender
    if chain.get("number_owned") is False:
        return (finding("number_not_owned", f"The sending number {sender} is not in the Twilio account."),)
    out = []
    if chain.get("sms_capable") is False:
        out.append(finding("number_not_sms_capable", f"The sending number {sender} cannot send SMS."))
    kind = chain.get("number_kind")
    if kind is not None and str(kind).lower() in _NOT_10DLC_KINDS:
        out.append(finding("number_not_10dlc",
                           f"The sending number {sender} is a {str(kind).replace('_', '-')} number, "
                           "not a local 10DLC number."))
    if chain.get("in_service") is False:
        out.append(finding("number_not_in_messaging_service"))
    return out


@rule("shared")
def campaign(ctx: GateContext):
    chain = _chain(ctx)
    if chain is None or not chain.get("in_service"):
        return NONE
    status = chain.get("campaign_status")
    if status is None:
        return (finding("campaign_missing"),)
    out = []
    if str(status).upper() != CAMPAIGN_READY_STATUS:
        out.append(finding("campaign_not_verified", f"The A2P 10DLC campaign is {status}, not VERIFIED."))
    use_case = chain.get("use_case")
    if ctx.marketing and not allows_marketing(use_case):
        out.append(finding("use_case_mismatch",
                           f"The campaign's use case {use_case} does not allow marketing messages."))
    return out


@rule("shared")
def brand(ctx: GateContext):
    chain = _chain(ctx)
    if chain is None:
        return NONE
    status = chain.get("brand_status")
    if status is None or str(status).upper() == BRAND_SENDABLE_STATUS:
        return NONE
    return (finding("brand_not_approved", f"The A2P 10DLC brand is {status}, not APPROVED."),)


@rule("shared")
def carrier_registration(ctx: GateContext):
    acct = ctx.account
    if not ctx.is_us or not acct.connected or not acct.carrier_error:
        return NONE
    return (finding("carrier_registration_error",
                    f"Twilio reported error 30034 (unregistered number) for {acct.sender} since the "
                    "last readiness check; run a new check once the registration is fixed."),)


RULES = [not_connected, readiness, account_active, sending_number, campaign, brand, carrier_registration]
