"""Serving a sandbox over HTTP: a threaded werkzeug server plus the callback pump."""
from __future__ import annotations

from typing import Callable

from werkzeug.serving import make_server as _werkzeug_server

from .callbacks import CallbackPump


class SandboxServer:
    """A running-ready HTTP server for one sandbox (both Twilio hosts on one port)."""

    def __init__(self, sandbox, host: str = "127.0.0.1", port: int = 4010):
        self.sandbox = sandbox
        self._server = _werkzeug_server(host, port, sandbox.wsgi_app, threaded=True)
        self.host = host
        self.port: int = self._server.server_port

    @property
    def base_url(self) -> str:
        """http://host:port of the bound socket."""
        return f"http://{self.host}:{self.port}"

    def serve_forever(self) -> None:
        """Serve until shutdown(), delivering status callbacks in the background."""
        pump = CallbackPump(self.sandbox)
        pump.start()
        try:
            self._server.serve_forever()
        finally:
            pump.stop()
            self._server.server_close()

    def shutdown(self) -> None:
        """Stop serve_forever (from another thread)."""
        self._server.shutdown()


def make_server(sandbox, host: str = "127.0.0.1", port: int = 4010) -> SandboxServer:
    """Bind a server for `sandbox`; port 0 picks a free one (see `.port`)."""
    return SandboxServer(sandbox, host, port)


def serve(sandbox, host: str = "127.0.0.1", port: int = 4010,
          on_ready: Callable[[SandboxServer], None] | None = None) -> None:
    """Serve `sandbox` over HTTP; blocks until interrupted or shut down.
    `on_ready(server)` is called once the socket is bound (e.g. to learn the port)."""
    server = make_server(sandbox, host, port)
    if on_ready is not None:
        on_ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
