"""Message create: Twilio's checks at create time, the new Message resource, and the
outcome its status callbacks will report.

Error codes (Twilio's error dictionary), in the order checked:
20005 account not active (suspended or closed; HTTP 401), 21604 To missing,
21211 invalid To, 21602 Body missing, 21617 Body over 1,600 characters,
21603 neither From nor MessagingServiceSid, 21212 From not a phone number,
21606 From not an SMS-capable number of this account, 21701 unknown Messaging
Service, 21704 Messaging Service without senders, 21608 trial account (sandbox
trial accounts have no verified numbers), 21610 recipient opted out.
"""
from __future__ import annotations

import math
import re
import uuid
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import phonenumbers

from .errors import TwilioError
from .state import API_VERSION, State, region_of, rfc2822

MAX_BODY = 1600

# GSM 03.38 basic character set (one septet each) and its extension table (two
# septets: escape + character).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


def count_segments(body: str) -> int:
    """SMS segments for `body`: GSM-7 160 alone, 153 per part; otherwise UCS-2 70
    alone, 67 per part (UTF-16 code units, so an emoji takes two)."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in body):
        units, single, multi = sum(2 if ch in _GSM_EXTENDED else 1 for ch in body), 160, 153
    else:
        units, single, multi = len(body.encode("utf-16-le")) // 2, 70, 67
    if units <= single:
        return 1
    return math.ceil(units / multi)


def is_us_bound(number: str) -> bool:
    """US destination by number region, so +1 Canadian numbers are not."""
    return region_of(number) == "US"


def _valid_to(number: str) -> bool:
    if not re.fullmatch(r"\+[1-9]\d{1,14}", number):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return False


def _sms_capable(number: dict) -> bool:
    return bool((number.get("capabilities") or {}).get("sms"))


def _choose_sender(state: State, service_sid: str) -> str:
    if service_sid not in state.services:
        raise TwilioError(400, 21701, f"The Messaging Service Sid {service_sid} is invalid.")
    for pn in state.service_numbers.get(service_sid, []):
        if _sms_capable(state.numbers[pn]):
            return state.numbers[pn]["phone_number"]
    raise TwilioError(400, 21704, "The Messaging Service contains no phone numbers")


def _check_from(state: State, sender: str) -> None:
    if not re.fullmatch(r"\+[1-9]\d{1,14}", sender):
        raise TwilioError(400, 21212, f"The 'From' number {sender} is not a valid phone number, "
                                      "shortcode, or alphanumeric sender ID.")
    number = state.number_by_phone(sender)
    if number is None or not _sms_capable(number):
        raise TwilioError(400, 21606, f"The From phone number {sender} is not a valid, SMS-capable "
                                      "inbound phone number or short code for your account.")


def create(state: State, form, now: datetime) -> dict:
    """Check a create request as Twilio does and record the new message.

    Returns the Message resource as the create call answers it. Raises TwilioError.
    `form` is the request's form (a werkzeug MultiDict). The caller holds the sandbox
    lock and queues the status callbacks."""
    account = state.account
    if account["status"] != "active":
        raise TwilioError(401, 20005, "Account not active")
    to = (form.get("To") or "").strip()
    if not to:
        raise TwilioError(400, 21604, "A 'To' phone number is required.")
    if not _valid_to(to):
        raise TwilioError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    body = form.get("Body") or ""
    if not body and not form.get("MediaUrl") and not form.get("ContentSid"):
        raise TwilioError(400, 21602, "Message body is required.")
    if len(body) > MAX_BODY:
        raise TwilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
    sender = (form.get("From") or "").strip() or None
    service_sid = (form.get("MessagingServiceSid") or "").strip() or None
    if sender is None and service_sid is None:
        raise TwilioError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required "
                                      "to send a message")
    if sender is not None:
        _check_from(state, sender)
    if service_sid is not None:
        chosen = _choose_sender(state, service_sid)
        sender = sender or chosen
    if account["type"] == "Trial":
        raise TwilioError(400, 21608, f"The number {to} is unverified. Trial accounts cannot send "
                                      "messages to unverified numbers; verify it at "
                                      "twilio.com/user/account/phone-numbers/verified, or purchase "
                                      "a Twilio number to send messages to unverified numbers.")
    if to in state.opted_out:
        raise TwilioError(400, 21610, "Attempt to send to unsubscribed recipient")

    sid = "SM" + uuid.uuid4().hex
    acct = account["sid"]
    uri = f"/{API_VERSION}/Accounts/{acct}/Messages/{sid}.json"
    stamp = rfc2822(now)
    message = {
        "body": body,
        "num_segments": str(count_segments(body)),
        "direction": "outbound-api",
        # With a Messaging Service Twilio picks the sender after accepting the request.
        "from": form.get("From") or None,
        "to": to,
        "date_updated": stamp,
        "price": None,
        "error_message": None,
        "uri": uri,
        "account_sid": acct,
        "num_media": str(len(form.getlist("MediaUrl"))),
        "status": "accepted" if service_sid else "queued",
        "messaging_service_sid": service_sid,
        "sid": sid,
        "date_sent": None,
        "date_created": stamp,
        "error_code": None,
        "price_unit": "USD",
        "api_version": API_VERSION,
        "subresource_uris": {
            "media": uri.replace(".json", "/Media.json"),
            "feedback": uri.replace(".json", "/Feedback.json"),
        },
    }
    callback = form.get("StatusCallback") or None
    if callback is None and service_sid:
        callback = state.services[service_sid].get("status_callback") or None
    final, error = "delivered", None
    if is_us_bound(to) and not state.sender_registered(sender):
        final, error = "undelivered", 30034
    state.messages[sid] = message
    state.message_meta[sid] = {"sender": sender, "callback": callback, "final": final, "error": error}
    return dict(message)


def advance(state: State, sid: str, status: str, now: datetime) -> dict:
    """Move a message to `status` ("sent" or its final status); returns the status
    callback parameters Twilio would post for that step."""
    message, meta = state.messages[sid], state.message_meta[sid]
    stamp = rfc2822(now)
    message["status"] = status
    message["date_updated"] = stamp
    message["from"] = meta["sender"]
    if status == "sent":
        message["date_sent"] = stamp
        message["price"] = f"{-0.0079 * int(message['num_segments']):.5f}"
    error = meta["error"] if status == meta["final"] else None
    if error is not None:
        message["error_code"] = error
    params = {
        "SmsSid": sid, "SmsStatus": status, "MessageStatus": status, "To": message["to"],
        "MessageSid": sid, "AccountSid": message["account_sid"], "From": meta["sender"],
        "ApiVersion": API_VERSION,
    }
    if message["messaging_service_sid"]:
        params["MessagingServiceSid"] = message["messaging_service_sid"]
    if status in ("delivered", "undelivered"):
        params["RawDlrDoneDate"] = now.strftime("%y%m%d%H%M")
    if error is not None:
        params["ErrorCode"] = str(error)
    return params


def date_sent_matches(message: dict, args) -> bool:
    """Twilio's DateSent filters: `DateSent` the same UTC day, `DateSent<` on or before,
    `DateSent>` on or after. A date alone (YYYY-MM-DD) covers its whole day."""
    wanted = {k: args.get(k) for k in ("DateSent", "DateSent<", "DateSent>") if args.get(k)}
    if not wanted:
        return True
    if not message["date_sent"]:
        return False
    sent = parsedate_to_datetime(message["date_sent"])
    for key, value in wanted.items():
        day_only = len(value) == 10
        try:
            moment = _parse_filter_time(value)
        except ValueError:
            raise TwilioError(400, 20001, f"Invalid {key}: {value}") from None
        if key == "DateSent" and sent.date() != moment.date():
            return False
        if key == "DateSent<" and (sent.date() > moment.date() if day_only else sent > moment):
            return False
        if key == "DateSent>" and (sent.date() < moment.date() if day_only else sent < moment):
            return False
    return True


def _parse_filter_time(value: str) -> datetime:
    if len(value) == 10:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
