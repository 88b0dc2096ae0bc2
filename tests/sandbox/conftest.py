"""Fixtures for the sandbox tests: a compliant sandbox, the real twilio Client over the
in-process HttpClient, a raw WSGI caller and Twilio's OpenAPI response schemas."""
from __future__ import annotations

import pytest
from twilio.rest import Client

from preflight.sandbox import Sandbox, SandboxHttpClient, scenarios
from tests.sandbox.sandbox_helpers import Callbacks, OpenApi, Raw


@pytest.fixture
def scenario():
    return scenarios.compliant()


@pytest.fixture
def callbacks():
    return Callbacks()


@pytest.fixture
def sandbox(scenario, callbacks):
    return Sandbox(scenario, callback_sender=callbacks)


@pytest.fixture
def client(sandbox):
    return Client(sandbox.account_sid, sandbox.auth_token, http_client=SandboxHttpClient(sandbox),
                  environment={"UNUSED": "1"})


@pytest.fixture
def raw(sandbox):
    return Raw(sandbox)


@pytest.fixture(scope="session")
def oai():
    return OpenApi()
