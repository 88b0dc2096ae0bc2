"""Builds the twilio Client from a workspace's credentials only, and turns twilio's
resources into plain dicts and its exceptions into the service's own errors.

twilio-python falls back to TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN from the process
environment when given empty credentials; we refuse empty credentials and pass an
explicit, non-empty environment mapping so the fallback can never pick up anything.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.rest import Client

from .errors import TwilioAuthError, TwilioError, TwilioUnavailable
from .http import CountingHttpClient, PreflightHttpClient

ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}$")
# Never consulted: twilio-python only reads it when credentials are empty, which we refuse.
_NO_ENVIRONMENT = {"PREFLIGHT_NO_AMBIENT_TWILIO_CREDENTIALS": "1"}


def build_http_client(settings: dict) -> HttpClient:
    """The base HttpClient from settings: an injected one (the in-process sandbox),
    else the service's requests-based client, host-mapped when
    PREFLIGHT_TWILIO_HOST_MAP is set, talking to real Twilio when not."""
    injected = settings.get("PREFLIGHT_TWILIO_HTTP_CLIENT")
    if injected is not None:
        return injected
    timeout = settings.get("PREFLIGHT_TWILIO_TIMEOUT", 10.0)
    return PreflightHttpClient(settings.get("PREFLIGHT_TWILIO_HOST_MAP") or None, timeout)


def _plain(instance) -> dict[str, Any]:
    return {k: v for k, v in vars(instance).items() if not k.startswith("_")}


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


class TwilioGateway:
    """One workspace's view of Twilio. Thread-safe for concurrent reads."""

    def __init__(self, account_sid: str, auth_token: str, http_client: HttpClient, timeout: float = 10.0):
        if not account_sid or not ACCOUNT_SID_RE.match(account_sid):
            raise TwilioError("the connection has no valid Account SID", code=None)
        if not auth_token:
            raise TwilioError("the connection has no Auth Token", code=None)
        self.http = CountingHttpClient(http_client, timeout)
        self.timeout = timeout
        self.account_sid = account_sid
        self._client = Client(account_sid, auth_token, account_sid=account_sid,
                              http_client=self.http, environment=_NO_ENVIRONMENT)

    @property
    def request_count(self) -> int:
        return self.http.count

    # -- error translation -------------------------------------------------------------
    def _call(self, fn, *, creating: bool = False):
        try:
            return fn()
        except TwilioRestException as exc:
            raise self._from_status(exc.status, exc.code, exc.msg, creating) from None
        except TwilioServiceException as exc:
            raise self._from_status(exc.status, exc.code, exc.detail or exc.title, creating) from None
        except TwilioException:
            # Raised by list/page calls ("Unable to fetch page"); read the response ourselves.
            resp = self.http.thread_last_response
            status = getattr(resp, "status_code", None)
            code, message = None, "Twilio returned an error while paging"
            if resp is not None:
                try:
                    body = json.loads(resp.text)
                    code, message = body.get("code"), body.get("message") or message
                except (ValueError, AttributeError):
                    pass
            raise self._from_status(status, code, message, creating) from None
        except requests.exceptions.ConnectTimeout:
            raise TwilioUnavailable("Twilio connection timed out", maybe_sent=False) from None
        except requests.exceptions.Timeout:
            # A read timeout: the request left and may have been acted on.
            raise TwilioUnavailable("Twilio did not answer in time", maybe_sent=creating) from None
        except requests.exceptions.ConnectionError as exc:
            left = not _is_connect_failure(exc)
            raise TwilioUnavailable("could not connect to Twilio", maybe_sent=creating and left) from None
        except requests.exceptions.RequestException:
            raise TwilioUnavailable("Twilio request failed", maybe_sent=creating) from None

    def _from_status(self, status, code, message, creating):
        resp = self.http.thread_last_response
        retry_after = None
        if resp is not None and getattr(resp, "headers", None):
            ra = {k.lower(): v for k, v in resp.headers.items()}.get("retry-after")
            try:
                retry_after = float(ra) if ra is not None else None
            except ValueError:
                retry_after = None
        message = str(message or "Twilio error")
        if code == 20003 or status == 401:
            return TwilioAuthError(message, code=code or 20003, status=status)
        if status == 429:
            return TwilioUnavailable(message, code=code, status=status, retry_after=retry_after)
        if status is not None and status >= 500:
            return TwilioUnavailable(message, code=code, status=status, maybe_sent=creating)
        return TwilioError(message, code=code, status=status)

    # -- reads -------------------------------------------------------------------------
    def fetch_account(self) -> dict:
        return _plain(self._call(lambda: self._client.api.v2010.accounts(self.account_sid).fetch()))

    def find_incoming_number(self, phone_number: str) -> dict | None:
        found = self._call(lambda: self._client.api.v2010.accounts(self.account_sid)
                           .incoming_phone_numbers.list(phone_number=phone_number, limit=20))
        for item in found:
            if item.phone_number == phone_number:
                return _plain(item)
        return None

    def list_services(self) -> list[dict]:
        return [_plain(s) for s in self._call(lambda: self._client.messaging.v1.services.list(page_size=100))]

    def list_service_phone_numbers(self, service_sid: str) -> list[dict]:
        return [_plain(p) for p in self._call(
            lambda: self._client.messaging.v1.services(service_sid).phone_numbers.list(page_size=100))]

    def list_campaigns(self, service_sid: str) -> list[dict]:
        return [_plain(c) for c in self._call(
            lambda: self._client.messaging.v1.services(service_sid).us_app_to_person.list(page_size=100))]

    def fetch_brand(self, brand_sid: str) -> dict:
        return _plain(self._call(lambda: self._client.messaging.v1.brand_registrations(brand_sid).fetch()))

    def list_messages(self, *, to: str, from_: str, after: datetime, before: datetime,
                      max_items: int = 1000) -> list[dict]:
        """Messages from `from_` to `to` CREATED within [after, before].

        Filters on date_created, not Twilio's DateSent filter: a message Twilio accepted
        but has not sent yet (queued) has no date_sent, and missing it would let a
        reconcile believe an unconfirmed submit never happened."""
        items = self._call(lambda: self._client.api.v2010.accounts(self.account_sid).messages.list(
            to=to, from_=from_, page_size=100, limit=max_items))
        out = []
        for item in items:
            created = item.date_created
            if created is None or after <= created <= before:
                out.append(_plain(item))
        return out

    # -- writes ------------------------------------------------------------------------
    def create_message(self, *, to: str, from_: str, body: str, status_callback: str | None) -> dict:
        """Submit one message. Raises TwilioError; `maybe_sent` tells whether it may exist."""
        kwargs = {"to": to, "from_": from_, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        msg = self._call(lambda: self._client.api.v2010.accounts(self.account_sid).messages.create(**kwargs),
                         creating=True)
        return {k: _iso(v) for k, v in _plain(msg).items()}


def _is_connect_failure(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the connection was never made (nothing can have been sent)."""
    text = repr(exc)
    return any(s in text for s in ("NewConnectionError", "Connection refused", "Name or service not known",
                                   "Failed to establish", "ConnectTimeout"))
