"""The service's runtime: settings, database, clock, cipher and Twilio client factory.

Built once by `create_app` (or the CLI) and kept in `app.extensions["preflight"]`. It
imports no Flask, so domain code may receive it.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from .db import make_engine, make_read_engine, make_sessionmaker, transaction
from .models import Connection
from .security.tokens import TokenCipher
from .twilio import TwilioGateway, build_http_client


CACHE_SIZE = 512  # send gateways and decrypted tokens, each


class Runtime:
    def __init__(self, settings: dict):
        self.settings = settings
        self.engine = make_engine(settings["PREFLIGHT_DATABASE_URL"])
        self.sessions = make_sessionmaker(self.engine)
        self._read_engine = make_read_engine(settings["PREFLIGHT_DATABASE_URL"])
        self._read_sessions = make_sessionmaker(self._read_engine) if self._read_engine is not None else None
        self.cipher = TokenCipher(settings["PREFLIGHT_ENCRYPTION_KEYS"])
        self._clock = settings["PREFLIGHT_CLOCK"]
        self._http_client = None
        # Single-statement reads (API key lookups): the read engine on SQLite (no write
        # lock), autocommit on PostgreSQL (no BEGIN/COMMIT round trips).
        if self._read_sessions is not None:
            self._quick_sessions = self._read_sessions
        elif self.engine.dialect.name == "sqlite":  # in-memory: one database, one engine
            self._quick_sessions = self.sessions
        else:
            self._quick_sessions = make_sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"))
        self._send_gateways: dict[tuple, TwilioGateway] = {}
        self._tokens: dict[tuple, str] = {}
        self._cache_lock = threading.Lock()

    def now(self) -> datetime:
        value = self._clock()
        if value.tzinfo is None:
            raise ValueError("PREFLIGHT_CLOCK must return an aware datetime")
        return value

    def transaction(self):
        return transaction(self.sessions)

    @contextmanager
    def read_session(self):
        """A session for reads that must not hold up writers (auth, long reports, exports).

        SQLite: a separate engine without BEGIN IMMEDIATE (WAL readers never block the
        writer). PostgreSQL: one REPEATABLE READ, READ ONLY transaction, so every query
        sees one snapshot. Never commits."""
        if self._read_sessions is not None:
            session = self._read_sessions()
        else:
            session = self.sessions()
            session.connection(execution_options={"isolation_level": "REPEATABLE READ",
                                                  "postgresql_readonly": True})
        try:
            yield session
        finally:
            # close() ends the transaction and detaches objects without expiring them,
            # so what was read stays usable after the block.
            session.close()

    def quick_session(self) -> Session:
        """A `quick_read` session the caller closes (a request's reads)."""
        return self._quick_sessions()

    @contextmanager
    def quick_read(self):
        """A session for one or two independent reads that need no snapshot and must
        hold no lock (authentication). Never commits."""
        session = self.quick_session()
        try:
            yield session
        finally:
            session.close()

    @property
    def http_client(self):
        if self._http_client is None:
            self._http_client = build_http_client(self.settings)
        return self._http_client

    def auth_token(self, connection: Connection) -> str:
        """The connection's Auth Token, decrypted (kept in memory per ciphertext, as the
        send gateways are: every signed webhook needs it)."""
        key = (connection.workspace_id, connection.token_ciphertext)
        token = self._tokens.get(key)
        if token is None:
            token = self._remember(self._tokens, key,
                                   self.cipher.decrypt(connection.workspace_id, connection.token_ciphertext))
        return token

    def gateway(self, connection: Connection) -> TwilioGateway:
        """A gateway for this workspace's connection (credentials decrypted just now)."""
        return TwilioGateway(connection.account_sid, self.auth_token(connection), self.http_client,
                             timeout=self.settings["PREFLIGHT_TWILIO_TIMEOUT"])

    def send_gateway(self, connection: Connection) -> TwilioGateway:
        """The gateway the send path uses, kept per connection (workspace, Account SID
        and token ciphertext: a changed or rotated token makes a new one), so that a send
        neither decrypts the token nor builds a twilio Client each time. Readiness runs
        use `gateway` (a fresh one counts its own requests)."""
        key = (connection.workspace_id, connection.account_sid, connection.token_ciphertext)
        gateway = self._send_gateways.get(key)
        if gateway is None:
            gateway = self._remember(self._send_gateways, key, self.gateway(connection))
        return gateway

    def _remember(self, cache: dict, key, value):
        """Keep `value` in a bounded in-process cache (emptied when full) and return it."""
        with self._cache_lock:
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            cache[key] = value
        return value

    def public_url(self, fallback: str | None = None) -> str | None:
        return self.settings.get("PREFLIGHT_PUBLIC_URL") or fallback

    def webhook_url(self, workspace_id: str, kind: str, base: str | None = None) -> str | None:
        root = self.public_url(base)
        if not root:
            return None
        return f"{root.rstrip('/')}/webhooks/twilio/{workspace_id}/{kind}"

    def close(self):
        self.engine.dispose()
        if self._read_engine is not None:
            self._read_engine.dispose()


def session_scope(rt: Runtime) -> Session:
    return rt.sessions()
