"""A simulated Twilio account (CONTRACT section 9) for the demo, tests and benchmarks.

Stand-alone: imports nothing else from `preflight`.

- `Sandbox(scenario, callback_sender=None)`: the account; `wsgi_app` serves
  api.twilio.com and messaging.twilio.com paths on one port.
- `SandboxHttpClient(sandbox)`: twilio-python's HttpClient answered in-process.
- `serve(sandbox, host, port)`: the same over HTTP, with status callbacks posted in the
  background.
- `scenarios`: scenario builders and the shipped scenario files.
"""
from . import scenarios
from .client import SandboxHttpClient
from .sandbox import Sandbox
from .server import SandboxServer, make_server, serve

__all__ = ["Sandbox", "SandboxHttpClient", "SandboxServer", "make_server", "serve", "scenarios"]
