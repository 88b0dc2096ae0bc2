"""Twilio error codes Preflight recognises, and what each means for a send.

Source: Twilio error dictionary (https://www.twilio.com/docs/api/errors) and RULES.md.
Twilio advises against hard-coding logic on codes, so the mapping is data: ``maps_to``
names the Preflight reason code a code becomes (None: report it as ``twilio_error``);
``retryable`` says whether the same request may succeed later unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TwilioError:
    """One Twilio error code."""

    code: int
    title: str
    meaning: str
    maps_to: str | None
    retryable: bool


def _table(*rows: tuple[int, str, str, str | None, bool]) -> dict[int, TwilioError]:
    return {row[0]: TwilioError(*row) for row in rows}


TWILIO_ERRORS: dict[int, TwilioError] = _table(
    (20003, "Authentication failed",
     "The Account SID or Auth Token is wrong, or the account is closed.", None, False),
    (20404, "Resource not found",
     "The account, number, service, campaign or brand asked for does not exist.", None, False),
    (20429, "Too many requests",
     "Twilio's API concurrency limit was hit.", None, True),
    (21211, "Invalid 'To' phone number",
     "The recipient is not a valid phone number.", "invalid_number", False),
    (21408, "Permission to send to this region not enabled",
     "The account's geo permissions do not allow this destination.", None, False),
    (21602, "Message body is required", "The message has no body.", None, False),
    (21606, "'From' number is not a valid, SMS-capable number of this account",
     "The sender is not owned by the account or cannot send SMS.", "number_not_sms_capable", False),
    (21608, "Trial account: unverified recipient",
     "Trial accounts may only send to verified numbers.", "trial_account", False),
    (21610, "Attempt to send to unsubscribed recipient",
     "The recipient replied STOP to this sender; Twilio will not deliver.", "opted_out", False),
    (21612, "'To' number cannot be reached from the 'From' number",
     "No route between the sender and the recipient for SMS.", None, False),
    (21614, "'To' number is not a valid mobile number",
     "The recipient cannot receive SMS (for example a landline).", None, False),
    (21617, "Message body exceeds the 1600 character limit",
     "The body is too long to send.", None, False),
    (30001, "Queue overflow",
     "Too many messages queued for the sender.", None, True),
    (30002, "Account suspended",
     "The Twilio account is suspended.", "account_not_active", False),
    (30003, "Unreachable destination handset",
     "The handset is off or out of coverage.", None, True),
    (30004, "Message blocked",
     "The recipient or its carrier blocked the message.", None, False),
    (30005, "Unknown destination handset",
     "The number does not exist or is no longer in service.", None, False),
    (30006, "Landline or unreachable carrier",
     "The recipient is a landline or its carrier cannot take SMS.", None, False),
    (30007, "Message filtered",
     "Carrier filtering flagged the message (spam, content, unregistered traffic).", None, False),
    (30008, "Unknown error", "Delivery failed for an unknown reason.", None, True),
    (30022, "US A2P 10DLC rate limit exceeded",
     "The campaign's per-second or per-minute carrier limit was exceeded.", None, True),
    (30024, "Sender not provisioned by carrier",
     "The number is still being provisioned for A2P 10DLC.", None, True),
    (30027, "US A2P 10DLC T-Mobile daily message limit reached",
     "The brand's T-Mobile daily cap is used up until midnight Pacific.", "daily_cap_reached", True),
    (30032, "Toll-free number has not been verified",
     "Unverified toll-free senders are blocked to US and Canada.", None, False),
    (30034, "US A2P 10DLC message from an unregistered number",
     "The sender is not in a Messaging Service with a verified campaign of an approved brand.",
     "carrier_registration_error", False),
    (30035, "US A2P 10DLC number still registering",
     "The number's campaign registration is not finished yet.", None, True),
)


def lookup(code: int | str | None) -> TwilioError | None:
    """The table entry for a Twilio error code (int or numeric string), or None."""
    if code is None:
        return None
    try:
        return TWILIO_ERRORS.get(int(code))
    except (TypeError, ValueError):
        return None
