"""SandboxHttpClient: twilio-python's HttpClient, answered in-process by a Sandbox."""
from __future__ import annotations

import base64
import json
import logging
from urllib.parse import urlencode, urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from twilio.http import HttpClient
from twilio.http.request import Request as TwilioRequest
from twilio.http.response import Response
from werkzeug.test import EnvironBuilder, run_wsgi_app

from .app import FAULT_HEADER, IN_PROCESS_KEY

_logger = logging.getLogger("preflight.sandbox.client")


class SandboxHttpClient(HttpClient):
    """Dispatches every request into `sandbox.wsgi_app`, whatever its host (real
    Twilio hosts or host-mapped ones), so the real twilio library runs unchanged.

    Injected faults surface as requests' exceptions, as over a network:
    `connection_error` raises ConnectionError before anything happens, `timeout`
    raises ReadTimeout after the sandbox has performed the request."""

    def __init__(self, sandbox, timeout: float | None = None, logger: logging.Logger = _logger):
        super().__init__(logger, False, timeout)
        self.sandbox = sandbox

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False) -> Response:
        """Perform one request against the sandbox (see twilio.http.HttpClient)."""
        kwargs = {"method": method.upper(), "url": url, "params": params, "data": data,
                  "headers": headers, "auth": auth}
        self.log_request(kwargs)
        self._test_only_last_response = None
        self._test_only_last_request = TwilioRequest(**kwargs)

        parts = urlsplit(url)
        query = "&".join(q for q in (parts.query, urlencode(params or {}, doseq=True)) if q)
        send_headers = dict(headers or {})
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            send_headers["Authorization"] = f"Basic {token}"
        body = b""
        if data:
            if send_headers.get("Content-Type", "").startswith("application/json"):
                body = json.dumps(data).encode()
            else:
                body = urlencode(data, doseq=True).encode()
        builder = EnvironBuilder(
            path=parts.path or "/", base_url=f"{parts.scheme or 'https'}://{parts.netloc or 'api.twilio.com'}",
            method=kwargs["method"], query_string=query, headers=send_headers, data=body,
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        environ[IN_PROCESS_KEY] = True
        app_iter, status, response_headers = run_wsgi_app(self.sandbox.wsgi_app, environ, buffered=True)
        try:
            text = b"".join(app_iter).decode("utf-8")
        finally:
            if hasattr(app_iter, "close"):
                app_iter.close()

        fault = response_headers.get(FAULT_HEADER)
        if fault == "connection_error":
            raise requests.exceptions.ConnectionError(
                f"Failed to establish a new connection: [Errno 111] Connection refused (sandbox fault, {url})")
        if fault == "timeout":
            raise requests.exceptions.ReadTimeout(f"sandbox lost the response from {url}")
        response = Response(int(status.split()[0]), text,
                            CaseInsensitiveDict(response_headers.to_wsgi_list()))
        self.log_response(response.status_code, response)
        self._test_only_last_response = response
        return response
