"""The Sandbox: one simulated Twilio account, its state, faults, request log and
pending status callbacks."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import messages
from .app import SandboxApp
from .callbacks import StepQueue, post_callback, signed_headers
from .faults import FaultSet
from .state import iso8601, load_scenario

CallbackSender = Callable[[str, dict, dict], object]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Sandbox:
    """A simulated Twilio account built from a scenario (CONTRACT section 9).

    `callback_sender(url, params, headers)` delivers status callbacks; by default a
    real form POST. `clock` (an aware-UTC `datetime` factory) dates messages.
    Thread-safe: one lock guards the state, never held while sleeping or delivering.
    """

    def __init__(self, scenario: dict, callback_sender: CallbackSender | None = None, *,
                 clock: Callable[[], datetime] | None = None):
        self.state = load_scenario(scenario)
        self.lock = threading.RLock()
        self.account_sid: str = self.state.account["sid"]
        self.auth_token: str = self.state.account["auth_token"]
        self.callback_sender: CallbackSender = post_callback if callback_sender is None else callback_sender
        self.clock = clock or _utcnow
        self.faults = FaultSet(self.state.faults)
        self._steps = StepQueue()
        self._request_log: list[dict] = []
        self.wsgi_app = SandboxApp(self)

    @classmethod
    def from_file(cls, path, callback_sender: CallbackSender | None = None, **kwargs) -> "Sandbox":
        """A sandbox from a scenario JSON file."""
        with open(Path(path), encoding="utf-8") as fh:
            return cls(json.load(fh), callback_sender, **kwargs)

    # -- what tests look at ------------------------------------------------------------
    @property
    def messages(self) -> dict[str, dict]:
        """Created messages by sid, oldest first, as their Message resources now read."""
        with self.lock:
            return {sid: dict(m) for sid, m in self.state.messages.items()}

    @property
    def request_log(self) -> list[dict]:
        """Every request received: method, host, path, query, status (None when the
        connection was refused), fault kind (or None), time."""
        with self.lock:
            return [dict(entry) for entry in self._request_log]

    @property
    def latency_ms(self) -> float:
        """Delay added to every request."""
        return self.state.latency_ms

    @property
    def pending_callbacks(self) -> int:
        """Status steps not yet applied (each may carry a callback)."""
        return len(self._steps)

    # -- test controls -----------------------------------------------------------------
    def add_fault(self, spec: dict) -> None:
        """Inject a fault (see faults.py for the keys)."""
        self.faults.add(spec)

    def set_latency(self, ms: float) -> None:
        """Delay every following request by `ms` milliseconds."""
        if ms < 0:
            raise ValueError("latency must be non-negative")
        with self.lock:
            self.state.latency_ms = ms

    def set_campaign_status(self, campaign_sid: str, status: str) -> None:
        """Change a campaign's `campaign_status` (e.g. IN_PROGRESS -> VERIFIED)."""
        with self.lock:
            campaign = self.state.campaign(campaign_sid)
            if campaign is None:
                raise KeyError(campaign_sid)
            campaign["campaign_status"] = status
            campaign["date_updated"] = iso8601(self.clock())

    def set_brand_status(self, brand_sid: str, status: str) -> None:
        """Change a brand's `status` (e.g. APPROVED -> SUSPENDED)."""
        with self.lock:
            brand = self.state.brands.get(brand_sid)
            if brand is None:
                raise KeyError(brand_sid)
            brand["status"] = status
            brand["date_updated"] = iso8601(self.clock())

    def opt_out(self, number: str) -> None:
        """The recipient replied STOP: later creates to it answer 21610."""
        with self.lock:
            self.state.opted_out.add(number)

    # -- status callbacks --------------------------------------------------------------
    def flush_callbacks(self) -> list[dict]:
        """Apply every pending status step now and deliver its callback.

        Returns the callbacks handed to `callback_sender`, in order, each as
        {"url", "params", "headers"}. Messages without a callback URL still move on.
        An exception from the sender propagates: that step stays applied (its callback is
        not retried, as a receiver that was down misses it) and later steps stay queued."""
        return self._drain(None)

    def deliver_due_callbacks(self) -> list[dict]:
        """Like flush_callbacks, for the steps whose time has come (HTTP mode)."""
        return self._drain(time.monotonic())

    def _drain(self, due_before: float | None) -> list[dict]:
        delivered = []
        while (callback := self._apply_next(due_before)) is not False:
            if callback is not None:
                self.callback_sender(callback["url"], callback["params"], callback["headers"])
                delivered.append(callback)
        return delivered

    def _apply_next(self, due_before: float | None):
        """Apply one step: False when none is due, None when it has no callback URL,
        else the callback to deliver (delivered outside the lock)."""
        step = self._steps.pop(due_before)
        if step is None:
            return False
        with self.lock:
            params = messages.advance(self.state, step.message_sid, step.status, self.clock())
            url = self.state.message_meta[step.message_sid]["callback"]
        if not url:
            return None
        return {"url": url, "params": params, "headers": signed_headers(self.auth_token, url, params)}

    # -- used by the WSGI app ----------------------------------------------------------
    def create_message(self, form) -> dict:
        """Message create (raises errors.TwilioError); queues its status steps."""
        with self.lock:
            created = messages.create(self.state, form, self.clock())
            final = self.state.message_meta[created["sid"]]["final"]
        self._steps.schedule(created["sid"], final)
        return created

    def log_request(self, request, status: int | None, fault: str | None) -> None:
        """Append a werkzeug request's outcome to request_log."""
        entry = {
            "method": request.method,
            "host": request.host,
            "path": request.path,
            "query": request.args.to_dict(),
            "status": status,
            "fault": fault,
            "time": self.clock().isoformat(),
        }
        with self.lock:
            self._request_log.append(entry)
