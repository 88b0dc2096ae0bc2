"""twilio-python HttpClients: the service's own requests-based client and per-run
request counting.

Why not twilio's `TwilioHttpClient`: it runs the whole `requests.Session` path on
every call. Per request that scans os.environ for proxy and CA-bundle settings
(`Session.merge_environment_settings`), merges session cookies, headers, auth and
hooks (`Session.prepare_request`), does hook, cookie and redirect bookkeeping
(`Session.send`) and formats INFO log lines that a disabled logger then drops.
Profiling put the first two alone at ~10% of a whole send request's CPU.

`PreflightHttpClient` keeps requests underneath (the same HTTPAdapter and urllib3
pool, certifi verification, and the exception types `TwilioGateway._call`
classifies) and does only what a Twilio call needs:

- proxies and `verify` come from the session's own `merge_environment_settings`,
  once per (scheme, host), then cached: a change of HTTP(S)_PROXY, NO_PROXY,
  REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE takes effect after a process restart;
- the request is prepared directly (the session's default headers still apply)
  and sent with the adapter. No cookies are kept or sent (the API authenticates
  every request, and one client serves every workspace) and netrc is not read
  (twilio always passes credentials). Redirects are not followed unless asked for,
  which then takes the full session path;
- request and response are logged only when the logger is enabled for INFO, and
  never with the auth tuple or the Authorization header.
"""
from __future__ import annotations

import logging
import os
import threading
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.sessions import merge_setting
from requests.structures import CaseInsensitiveDict
from twilio.http import HttpClient
from twilio.http.response import Response

from .errors import TwilioError

_logger = logging.getLogger("twilio.http_client")  # twilio's logger name, so its config applies
_JSON_TYPES = ("application/json", "application/scim+json")
_POOL_MAXSIZE = min(32, (os.cpu_count() or 1) + 4)  # as TwilioHttpClient


class HostNotMapped(TwilioError):
    """PREFLIGHT_TWILIO_HOST_MAP is set and does not list the host asked for."""


def map_url(url: str, host_map: dict[str, str]) -> str:
    """Rewrite a Twilio URL (absolute paging URLs too) to the mapped base URL."""
    parts = urlsplit(url)
    base = host_map.get((parts.hostname or "").lower())
    if base is None:
        raise HostNotMapped(f"Twilio host {parts.hostname!r} is not in PREFLIGHT_TWILIO_HOST_MAP")
    b = urlsplit(base)
    path = b.path.rstrip("/") + parts.path
    return urlunsplit((b.scheme, b.netloc, path, parts.query, parts.fragment))


class PreflightHttpClient(HttpClient):
    """requests without the per-request Session overhead (see the module docstring).

    `host_map`, when given, sends every URL through `map_url` (the sandbox); `proxy`
    wins over the proxy environment, as in TwilioHttpClient. Thread-safe: a call
    leaves no state on the client beyond the per-host cache of environment settings.
    """

    def __init__(self, host_map: dict[str, str] | None = None, timeout: float | None = None, *,
                 proxy: dict[str, str] | None = None, logger: logging.Logger = _logger):
        super().__init__(logger, False, timeout)
        self.host_map = host_map
        self.proxy = dict(proxy or {})
        self.session = requests.Session()
        self.session.mount("https://", HTTPAdapter(pool_maxsize=_POOL_MAXSIZE))
        self._routes: dict[tuple[str, str], tuple[BaseAdapter, dict]] = {}

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False) -> Response:
        if timeout is None:
            timeout = self.timeout
        elif timeout <= 0:
            raise ValueError(timeout)
        if self.host_map is not None:
            url = map_url(url, self.host_map)
        method = method.upper()
        logging_on = self.logger.isEnabledFor(logging.INFO)
        if logging_on:
            self.log_request({"method": method, "url": url, "params": params, "headers": headers})
        response = self._send(self._prepare(method, url, params, data, headers, auth), timeout, allow_redirects)
        text = response.text  # reads the body, as Session.send does when not streaming
        if logging_on:
            self.log_response(response.status_code, response)
        return Response(int(response.status_code), text, response.headers)

    def _prepare(self, method, url, params, data, headers, auth) -> requests.PreparedRequest:
        """The request as Session.prepare_request builds it, minus cookies and netrc."""
        is_json = bool(headers) and headers.get("Content-Type") in _JSON_TYPES
        body = {"json": data} if is_json else {"data": data}
        prepped = requests.PreparedRequest()
        prepped.prepare(method=method, url=url, params=params, auth=auth,
                        headers=merge_setting(headers, self.session.headers, dict_class=CaseInsensitiveDict),
                        **body)
        return prepped

    def _send(self, prepped: requests.PreparedRequest, timeout, allow_redirects: bool) -> requests.Response:
        adapter, settings = self._route(prepped.url)
        if allow_redirects:
            return self.session.send(prepped, allow_redirects=True, timeout=timeout, **settings)
        return adapter.send(prepped, timeout=timeout, **settings)

    def _route(self, url: str) -> tuple[BaseAdapter, dict]:
        """The adapter and environment settings (proxies, verify, ...) for url's scheme
        and host: resolved on first use, then cached. Threads racing on a first use
        resolve the same values; one of them is kept."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc)
        route = self._routes.get(key)
        if route is None:
            # A copy: merge_environment_settings adds the environment's proxies to it.
            settings = self.session.merge_environment_settings(url, dict(self.proxy), None, None, None)
            route = self._routes.setdefault(key, (self.session.get_adapter(url), settings))
        return route


# The name the host-mapped client had; tests and bench/ build it as HostMapHttpClient(host_map, timeout).
HostMapHttpClient = PreflightHttpClient


class CountingHttpClient(HttpClient):
    """Delegates to an inner client, counting requests and remembering, per thread,
    the last response (twilio's list calls raise without the response body)."""

    def __init__(self, inner: HttpClient, timeout: float | None):
        super().__init__(logger=inner.logger if hasattr(inner, "logger") else None,
                         is_async=False, timeout=timeout)
        self.inner = inner
        self._lock = threading.Lock()
        self._local = threading.local()
        self.count = 0

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        with self._lock:
            self.count += 1
        self._local.response = None
        response = self.inner.request(method, url, params=params, data=data, headers=headers,
                                      auth=auth, timeout=timeout or self.timeout,
                                      allow_redirects=allow_redirects)
        self._local.response = response
        self.last_response = response
        return response

    @property
    def thread_last_response(self):
        return getattr(self._local, "response", None)
