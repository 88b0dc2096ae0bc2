"""Status callbacks: the queue of pending message steps, Twilio's signature, the
default sender and the background pump used by the HTTP server."""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass

import requests
from twilio.request_validator import RequestValidator

_logger = logging.getLogger(__name__)

# How long after creation a message is "sent" and then reaches its final status when
# the pump delivers (HTTP mode): soon, but after the create response has gone out.
SENT_DELAY_S = 0.05
FINAL_DELAY_S = 0.15


@dataclass
class Step:
    """A pending status change of one message."""

    message_sid: str
    status: str
    due: float  # time.monotonic() value


class StepQueue:
    """Pending steps in creation order; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._steps: deque[Step] = deque()

    def schedule(self, message_sid: str, final_status: str) -> None:
        """Queue "sent" then the final status for a new message."""
        now = time.monotonic()
        with self._lock:
            self._steps.append(Step(message_sid, "sent", now + SENT_DELAY_S))
            self._steps.append(Step(message_sid, final_status, now + FINAL_DELAY_S))

    def pop(self, due_before: float | None = None) -> Step | None:
        """The oldest step (only if due by `due_before`, when given)."""
        with self._lock:
            if not self._steps:
                return None
            if due_before is not None and self._steps[0].due > due_before:
                return None
            return self._steps.popleft()

    def __len__(self) -> int:
        with self._lock:
            return len(self._steps)


def signed_headers(auth_token: str, url: str, params: dict) -> dict:
    """The headers Twilio sends with a callback, X-Twilio-Signature included."""
    signature = RequestValidator(auth_token).compute_signature(url, params)
    return {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "User-Agent": "TwilioProxy/1.1",
        "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
        "X-Twilio-Signature": signature,
    }


def post_callback(url: str, params: dict, headers: dict) -> requests.Response:
    """Default callback sender: a real form POST, as Twilio makes it."""
    with requests.Session() as session:
        return session.post(url, data=params, headers=headers, timeout=10)


class CallbackPump(threading.Thread):
    """Delivers due callbacks in the background while the HTTP server runs."""

    def __init__(self, sandbox, interval: float = 0.02):
        super().__init__(name="sandbox-callbacks", daemon=True)
        self._sandbox = sandbox
        self._interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self._interval):
            try:
                self._sandbox.deliver_due_callbacks()
            except Exception:  # a receiver being down must not stop later callbacks
                _logger.exception("sandbox status callback failed")

    def stop(self) -> None:
        """Ask the loop to end and wait for it."""
        self._stop_event.set()
        self.join(timeout=5)
