"""twilio-python HttpClients: host mapping and per-run request counting."""
from __future__ import annotations

import threading
from urllib.parse import urlsplit, urlunsplit

from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient

from .errors import TwilioError


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


class HostMapHttpClient(TwilioHttpClient):
    """The real requests-based client, with every URL passed through the host map."""

    def __init__(self, host_map: dict[str, str], timeout: float):
        super().__init__(timeout=timeout, pool_connections=True)
        self.host_map = host_map

    def request(self, method, url, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        return super().request(method, map_url(url, self.host_map), params=params, data=data,
                               headers=headers, auth=auth, timeout=timeout, allow_redirects=allow_redirects)


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
