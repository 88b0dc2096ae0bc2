"""The sandbox's WSGI app: Twilio's paths on api.twilio.com and messaging.twilio.com,
served together (the two hosts' paths do not overlap, so the host is ignored).

Each request: latency and faults first (they stand for the network and Twilio's edge),
then HTTP Basic auth, then the resource. Every request is logged with its status.
"""
from __future__ import annotations

import hmac
import json
import socket
import time
import uuid

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import messages, paging
from .errors import TwilioError, authenticate, default_code, not_found, reason
from .state import API_VERSION, MESSAGING_BASE, render_service, render_service_number

# Set by SandboxHttpClient: lost responses and refused connections are then signalled
# with this response header (the client raises) instead of acting on a socket.
IN_PROCESS_KEY = "preflight.sandbox.in_process"
FAULT_HEADER = "X-Sandbox-Fault"

_A = f"/{API_VERSION}/Accounts"
_URLS = Map([
    Rule(f"{_A}/<sid>.json", endpoint="account", methods=["GET"]),
    Rule(f"{_A}/<account_sid>/IncomingPhoneNumbers.json", endpoint="numbers", methods=["GET"]),
    Rule(f"{_A}/<account_sid>/Messages.json", endpoint="messages", methods=["GET"]),
    Rule(f"{_A}/<account_sid>/Messages.json", endpoint="create_message", methods=["POST"]),
    Rule(f"{_A}/<account_sid>/Messages/<sid>.json", endpoint="message", methods=["GET"]),
    Rule("/v1/Services", endpoint="services", methods=["GET"]),
    Rule("/v1/Services/<sid>", endpoint="service", methods=["GET"]),
    Rule("/v1/Services/<service_sid>/PhoneNumbers", endpoint="service_numbers", methods=["GET"]),
    Rule("/v1/Services/<service_sid>/Compliance/Usa2p", endpoint="campaigns", methods=["GET"]),
    Rule("/v1/Services/<service_sid>/Compliance/Usa2p/<sid>", endpoint="campaign", methods=["GET"]),
    Rule("/v1/a2p/BrandRegistrations", endpoint="brands", methods=["GET"]),
    Rule("/v1/a2p/BrandRegistrations/<sid>", endpoint="brand", methods=["GET"]),
], strict_slashes=False)


def _json(status: int, body: dict, headers: dict | None = None) -> Response:
    response = Response(json.dumps(body), status=status, content_type="application/json; charset=utf-8")
    response.headers["Twilio-Request-Id"] = "RQ" + uuid.uuid4().hex
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _drop_connection(environ) -> None:
    # Over HTTP a refused or lost response is a connection closed without an answer.
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class SandboxApp:
    """WSGI callable over a Sandbox's state."""

    def __init__(self, sandbox):
        self.sandbox = sandbox

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self._respond(request, environ)
        return response(environ, start_response)

    # -- the request pipeline --------------------------------------------------------
    def _respond(self, request: Request, environ) -> Response:
        sb = self.sandbox
        in_process = bool(environ.get(IN_PROCESS_KEY))
        fault = sb.faults.take(request.method, request.path)
        delay_ms = sb.latency_ms + (fault.latency_ms if fault else 0)
        if delay_ms:
            time.sleep(delay_ms / 1000)  # outside any lock: concurrent requests overlap
        kind = fault.kind if fault else None
        if kind == "connection_error":
            sb.log_request(request, None, kind)
            if not in_process:
                _drop_connection(environ)
            return Response(b"", status=502, headers={FAULT_HEADER: kind})
        if kind == "http":
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            error = TwilioError(fault.status, fault.code or default_code(fault.status),
                                fault.message or reason(fault.status), headers)
            response = _json(error.status, error.body(), error.headers)
        else:
            response = self._handle(request)
        sb.log_request(request, response.status_code, kind)
        if kind == "timeout":
            if in_process:
                response.headers[FAULT_HEADER] = kind
            else:
                time.sleep(fault.hold_ms / 1000)
                _drop_connection(environ)
        return response

    def _handle(self, request: Request) -> Response:
        try:
            self._authenticate(request)
            endpoint, args = _URLS.bind("api.twilio.com").match(request.path, method=request.method)
            status, body = getattr(self, "_" + endpoint)(request, **args)
            return _json(status, body)
        except TwilioError as error:
            return _json(error.status, error.body(), error.headers)
        except NotFound:
            return _json(404, not_found(request.path).body())
        except MethodNotAllowed:
            return _json(405, TwilioError(405, 20004, "Method not allowed").body())

    def _authenticate(self, request: Request) -> None:
        auth = request.authorization
        sb = self.sandbox
        if (auth is None or auth.type != "basic"
                or not hmac.compare_digest((auth.username or "").encode(), sb.account_sid.encode())
                or not hmac.compare_digest((auth.password or "").encode(), sb.auth_token.encode())):
            raise authenticate()

    def _own(self, request: Request, account_sid: str) -> None:
        if account_sid != self.sandbox.account_sid:
            raise not_found(request.path)

    # -- api.twilio.com -----------------------------------------------------------------
    def _account(self, request, sid):
        self._own(request, sid)
        with self.sandbox.lock:
            return 200, dict(self.sandbox.state.account)

    def _numbers(self, request, account_sid):
        self._own(request, account_sid)
        wanted = request.args.get("PhoneNumber")
        friendly = request.args.get("FriendlyName")
        with self.sandbox.lock:
            records = [dict(n) for n in self.sandbox.state.numbers.values()
                       if (not wanted or wanted in n["phone_number"])
                       and (not friendly or n["friendly_name"] == friendly)]
        w = paging.window(records, request.args)
        return 200, paging.list_2010(request.path, "incoming_phone_numbers", w)

    def _messages(self, request, account_sid):
        self._own(request, account_sid)
        args = request.args
        with self.sandbox.lock:
            # Newest first, as Twilio lists them.
            records = [dict(m) for m in reversed(self.sandbox.state.messages.values())]
        records = [m for m in records
                   if (not args.get("To") or m["to"] == args["To"])
                   and (not args.get("From") or m["from"] == args["From"])
                   and messages.date_sent_matches(m, args)]
        return 200, paging.list_2010(request.path, "messages", paging.window(records, args))

    def _create_message(self, request, account_sid):
        self._own(request, account_sid)
        return 201, self.sandbox.create_message(request.form)

    def _message(self, request, account_sid, sid):
        self._own(request, account_sid)
        with self.sandbox.lock:
            message = self.sandbox.state.messages.get(sid)
            if message is None:
                raise not_found(request.path)
            return 200, dict(message)

    # -- messaging.twilio.com -----------------------------------------------------------
    def _services(self, request):
        with self.sandbox.lock:
            state = self.sandbox.state
            records = [render_service(state, sid) for sid in state.services]
        w = paging.window(records, request.args)
        return 200, paging.list_v1(f"{MESSAGING_BASE}/v1/Services", "services", w)

    def _service(self, request, sid):
        with self.sandbox.lock:
            if sid not in self.sandbox.state.services:
                raise not_found(request.path)
            return 200, render_service(self.sandbox.state, sid)

    def _service_numbers(self, request, service_sid):
        with self.sandbox.lock:
            state = self.sandbox.state
            if service_sid not in state.services:
                raise not_found(request.path)
            records = [render_service_number(state, service_sid, pn)
                       for pn in state.service_numbers[service_sid]]
        w = paging.window(records, request.args)
        url = f"{MESSAGING_BASE}/v1/Services/{service_sid}/PhoneNumbers"
        return 200, paging.list_v1(url, "phone_numbers", w)

    def _campaigns(self, request, service_sid):
        with self.sandbox.lock:
            state = self.sandbox.state
            if service_sid not in state.services:
                raise not_found(request.path)
            records = [dict(c) for c in state.campaigns[service_sid].values()]
        w = paging.window(records, request.args)
        url = f"{MESSAGING_BASE}/v1/Services/{service_sid}/Compliance/Usa2p"
        return 200, paging.list_v1(url, "compliance", w)

    def _campaign(self, request, service_sid, sid):
        with self.sandbox.lock:
            campaign = self.sandbox.state.campaigns.get(service_sid, {}).get(sid)
            if campaign is None:
                raise not_found(request.path)
            return 200, dict(campaign)

    def _brands(self, request):
        with self.sandbox.lock:
            records = [dict(b) for b in self.sandbox.state.brands.values()]
        w = paging.window(records, request.args)
        return 200, paging.list_v1(f"{MESSAGING_BASE}/v1/a2p/BrandRegistrations", "data", w)

    def _brand(self, request, sid):
        with self.sandbox.lock:
            brand = self.sandbox.state.brands.get(sid)
            if brand is None:
                raise not_found(request.path)
            return 200, dict(brand)

