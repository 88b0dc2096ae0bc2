"""Checks on the first links: credentials, account, number, Messaging Service webhooks."""
from __future__ import annotations

from urllib.parse import urlsplit

from .context import CONSOLE_SERVICES, Context, number_kind, outcome, sms_capable


def credentials_valid(ctx: Context) -> dict:
    """Twilio accepted the Account SID and Auth Token."""
    chain = ctx.chain
    if chain.credentials_valid:
        return outcome("pass", "Twilio accepted the connection's Account SID and Auth Token.",
                       evidence={"account_sid": (chain.account or {}).get("sid")})
    return outcome(
        "fail", f"Twilio refused the connection's credentials ({chain.auth_error}).",
        "Copy the Account SID and the current primary Auth Token from Twilio Console > Account "
        "Dashboard > Account Info, then save them again with PUT /v1/connection (an Auth Token that "
        "was rotated or a SID from another account or subaccount fails this way).",
        {"error": chain.auth_error})


def account_active(ctx: Context) -> dict:
    """The account's status is `active`."""
    account = ctx.chain.account or {}
    evidence = {"account_sid": account.get("sid"), "status": account.get("status")}
    if account.get("status") == "active":
        return outcome("pass", f"Account {account.get('sid')} is active.", evidence=evidence)
    return outcome(
        "fail", f"Account {account.get('sid')} is {account.get('status')}: Twilio sends nothing from "
        "a suspended or closed account.",
        "Open Twilio Console > Admin > Account billing and settle whatever suspended the account "
        "(an unpaid balance or an expired payment method), or ask Twilio Support (Console > Help > "
        "Create a ticket) to reactivate it; then run this check again.", evidence)


def account_full(ctx: Context) -> dict:
    """The account is a Full (upgraded) account: trial accounts cannot register."""
    account = ctx.chain.account or {}
    evidence = {"account_sid": account.get("sid"), "type": account.get("type")}
    if account.get("type") == "Full":
        return outcome("pass", f"Account {account.get('sid')} is a Full (upgraded) account.", evidence=evidence)
    return outcome(
        "fail", f"Account {account.get('sid')} is a {account.get('type')} account: trial accounts cannot "
        "register A2P 10DLC brands or campaigns and may text only verified numbers (21608).",
        "Upgrade the account in Twilio Console > Admin > Account billing > Upgrade account, then register "
        "the brand and campaign.", evidence)


def number_owned(ctx: Context) -> dict:
    """The configured number is an Incoming Phone Number of the account."""
    number, account = ctx.chain.number, ctx.chain.account or {}
    if number is not None:
        return outcome("pass", f"{ctx.phone} is number {number.get('sid')} of the account.",
                       evidence={"phone_number": ctx.phone, "number_sid": number.get("sid"),
                                 "status": number.get("status")})
    return outcome(
        "fail", f"{ctx.phone} is not among the account's phone numbers (account {account.get('sid')}).",
        f"Buy or port {ctx.phone} into this account (Twilio Console > Phone Numbers > Manage > Active "
        "numbers), or point the connection at a number the account owns with PUT /v1/connection.",
        {"phone_number": ctx.phone, "account_sid": account.get("sid")})


def number_sms_capable(ctx: Context) -> dict:
    """The number can send SMS."""
    number = ctx.chain.number or {}
    capable = sms_capable(number)
    evidence = {"number_sid": number.get("sid"), "capabilities": number.get("capabilities")}
    if capable:
        return outcome("pass", f"{ctx.phone} can send SMS.", evidence=evidence)
    return outcome(
        "fail", f"{ctx.phone} has no SMS capability, so Twilio refuses it as a sender (21606).",
        "Buy an SMS-capable local number (Twilio Console > Phone Numbers > Manage > Buy a number, "
        "capability: SMS), add it to the Messaging Service's sender pool and update the connection.",
        evidence)


def number_local_10dlc(ctx: Context) -> dict:
    """The number is a US local (10DLC) number, not toll-free or a short code."""
    number = ctx.chain.number or {}
    kind = number_kind(ctx.phone, number.get("type"))
    evidence = {"number_sid": number.get("sid"), "kind": kind, "twilio_type": number.get("type")}
    if kind == "local":
        return outcome("pass", f"{ctx.phone} is a US local number (10DLC).", evidence=evidence)
    if kind == "toll_free":
        return outcome(
            "fail", f"{ctx.phone} is toll-free: toll-free numbers are not registered through A2P 10DLC "
            "campaigns but through toll-free verification; unverified ones are blocked (30032).",
            "Either submit toll-free verification for it (Twilio Console > Messaging > Regulatory "
            "compliance > Toll-free verifications) and use it outside this 10DLC chain, or buy a local "
            "number, add it to the campaign's Messaging Service and update the connection.",
            evidence, prevents=["30032"])
    if kind == "short_code":
        return outcome(
            "fail", f"{ctx.phone} is a short code: short codes are provisioned through a separate "
            "carrier application, not A2P 10DLC.",
            "Use a local 10DLC number for this chain: buy one in Twilio Console > Phone Numbers > Buy a "
            "number, add it to the campaign's Messaging Service and update the connection.", evidence)
    return outcome(
        "fail", f"{ctx.phone} is not a US local number, so it cannot be registered for A2P 10DLC.",
        "Buy a US local number (Twilio Console > Phone Numbers > Buy a number, country: United States), "
        "add it to the campaign's Messaging Service and update the connection.", evidence)


def number_in_messaging_service(ctx: Context) -> dict:
    """A Messaging Service's sender pool holds the number."""
    chain = ctx.chain
    if chain.service is not None:
        return outcome(
            "pass", f"{ctx.phone} is in the sender pool of Messaging Service {ctx.service_label}.",
            evidence={"service_sid": chain.service.get("sid"), "services_scanned": chain.services_scanned,
                      "sender_pool_size": len(chain.service_pool)})
    return outcome(
        "fail", f"None of the account's {chain.services_scanned} Messaging Service(s) holds {ctx.phone} "
        "in its sender pool, so its US messages are unregistered and carriers block them (30034).",
        f"Open {CONSOLE_SERVICES} > (the service that holds your A2P campaign) > Sender Pool > Add "
        f"Senders, and add {ctx.phone}. A number belongs to one service at a time.",
        {"services_scanned": chain.services_scanned, "number_sid": (chain.number or {}).get("sid")})


def _reaches(configured: str | None, expected: str | None, suffix: str) -> bool:
    if not configured:
        return False
    got = urlsplit(configured.strip())
    if expected:
        want = urlsplit(expected)
        return (got.scheme.lower(), got.netloc.lower(), got.path.rstrip("/"), got.query) == \
               (want.scheme.lower(), want.netloc.lower(), want.path.rstrip("/"), want.query)
    return got.path.rstrip("/").endswith(suffix)


def _expected(ctx: Context, kind: str, url: str | None) -> str:
    return url or f"https://<your Preflight host>/webhooks/twilio/{ctx.workspace_id}/{kind}"


def service_inbound_webhook(ctx: Context) -> dict:
    """Inbound messages (STOP replies) reach this workspace's webhook."""
    service, number = ctx.chain.service or {}, ctx.chain.number or {}
    suffix = f"/webhooks/twilio/{ctx.workspace_id}/inbound"
    want = _expected(ctx, "inbound", ctx.inbound_url)
    on_number = bool(service.get("use_inbound_webhook_on_number"))
    configured = number.get("sms_url") if on_number else service.get("inbound_request_url")
    method = (number.get("sms_method") if on_number else service.get("inbound_method")) or "POST"
    evidence = {"service_sid": service.get("sid"), "use_inbound_webhook_on_number": on_number,
                "configured_url": configured, "method": method, "expected_url": want}
    if _reaches(configured, ctx.inbound_url, suffix) and method.upper() == "POST":
        return outcome("pass", "Replies to the number (STOP, HELP, START) are posted to Preflight.",
                       evidence=evidence)
    where = (f"the number's own messaging webhook ({configured or 'unset'})" if on_number
             else f"the service's inbound Request URL ({configured or 'unset'})")
    fix = (f"In Twilio Console > Phone Numbers > Active numbers > {ctx.phone} > Messaging, set 'A message "
           f"comes in' to Webhook {want} (HTTP POST), or set the service to handle inbound itself."
           if on_number else
           f"In {CONSOLE_SERVICES} > {ctx.service_label} > Integration, choose 'Send a webhook' and set "
           f"the Request URL to {want} (HTTP POST).")
    return outcome(
        "warn", f"Inbound messages go to {where}{'' if method.upper() == 'POST' else ' by ' + method}, not "
        "to this workspace's Preflight webhook: STOP replies would not reach the consent ledger, and a "
        "later send to that person fails with 21610.", fix, evidence)


def service_status_callback(ctx: Context) -> dict:
    """Delivery status callbacks reach this workspace's webhook."""
    service = ctx.chain.service or {}
    suffix = f"/webhooks/twilio/{ctx.workspace_id}/status"
    want = _expected(ctx, "status", ctx.status_url)
    configured = service.get("status_callback")
    evidence = {"service_sid": service.get("sid"), "configured_url": configured, "expected_url": want}
    if _reaches(configured, ctx.status_url, suffix):
        return outcome("pass", "Delivery status callbacks are posted to Preflight.", evidence=evidence)
    return outcome(
        "warn", f"The service's status callback is {configured or 'unset'}, not this workspace's Preflight "
        "webhook: messages sent outside Preflight would report delivery failures (such as 30034) to no one.",
        f"In {CONSOLE_SERVICES} > {ctx.service_label} > Integration, set 'Delivery Status Callback' to {want}.",
        evidence)
