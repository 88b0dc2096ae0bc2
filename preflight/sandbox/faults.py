"""Injected faults: HTTP errors, lost responses, refused connections, latency spikes.

A fault spec is a dict:

- `path_regex` (searched in the request path, no query) and optional `method`;
- what happens, one of: `status` (an HTTP error answered with Twilio's error body,
  `code` overriding the Twilio error code, `retry_after` adding a Retry-After header,
  `message` overriding the text); `kind: "timeout"` (the request is performed, then its
  response is lost: the in-process client raises requests' ReadTimeout, the HTTP server
  withholds the answer for `hold_ms`, default 30,000, then drops the connection);
  `kind: "connection_error"` (nothing is performed: the in-process client raises
  requests' ConnectionError, the HTTP server drops the connection); or neither, for a
  pure latency spike;
- `latency_ms`: extra delay for the matching requests;
- `after`: let the first N matching requests through untouched;
- `count`: how many requests it hits, absent or null for every one.

Faults are tried in order; the first that fires takes the request.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

KINDS = ("http", "timeout", "connection_error", "latency")
_KEYS = {"method", "path_regex", "status", "count", "kind", "retry_after", "code", "after",
         "latency_ms", "hold_ms", "message"}


@dataclass
class Fault:
    """One compiled fault spec and its counters."""

    kind: str
    pattern: re.Pattern
    method: str | None = None
    status: int | None = None
    code: int | None = None
    message: str | None = None
    retry_after: int | None = None
    count: int | None = None
    after: int = 0
    latency_ms: float = 0
    hold_ms: float = 30_000
    spec: dict = field(default_factory=dict)
    seen: int = 0
    fired: int = 0

    @classmethod
    def from_spec(cls, spec: dict) -> "Fault":
        """Compile a spec, refusing unknown keys and contradictory ones."""
        if not isinstance(spec, dict):
            raise ValueError("a fault is a JSON object")
        unknown = set(spec) - _KEYS
        if unknown:
            raise ValueError(f"fault: unknown keys {sorted(unknown)}")
        kind = spec.get("kind")
        if kind is None:
            kind = "http" if spec.get("status") is not None else "latency"
        if kind not in KINDS:
            raise ValueError(f"fault: kind must be one of {KINDS}")
        if kind == "http" and not (isinstance(spec.get("status"), int) and 400 <= spec["status"] <= 599):
            raise ValueError("fault: an HTTP fault needs a status between 400 and 599")
        if kind in ("timeout", "connection_error") and spec.get("status") is not None:
            raise ValueError(f"fault: kind {kind!r} takes no status")
        count = spec.get("count")
        if count is not None and (not isinstance(count, int) or count < 0):
            raise ValueError("fault: count must be a non-negative integer or null")
        try:
            pattern = re.compile(spec.get("path_regex") or "")
        except re.error as exc:
            raise ValueError(f"fault: bad path_regex: {exc}") from None
        return cls(
            kind=kind,
            pattern=pattern,
            method=(spec.get("method") or "").upper() or None,
            status=spec.get("status"),
            code=spec.get("code"),
            message=spec.get("message"),
            retry_after=spec.get("retry_after"),
            count=count,
            after=int(spec.get("after") or 0),
            latency_ms=float(spec.get("latency_ms") or 0),
            hold_ms=float(spec.get("hold_ms", 30_000)),
            spec=dict(spec),
        )


class FaultSet:
    """The sandbox's faults, consumed thread-safely as requests arrive."""

    def __init__(self, specs=()):
        self._lock = threading.Lock()
        self._faults = [Fault.from_spec(s) for s in specs]

    def add(self, spec: dict) -> Fault:
        """Append a fault; it applies to requests from now on."""
        fault = Fault.from_spec(spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The fault this request triggers, if any, counting it as used."""
        with self._lock:
            for fault in self._faults:
                if fault.method and fault.method != method.upper():
                    continue
                if not fault.pattern.search(path):
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                if fault.count is not None and fault.fired >= fault.count:
                    continue
                fault.fired += 1
                return fault
        return None
