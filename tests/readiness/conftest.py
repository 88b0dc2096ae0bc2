"""Readiness tests: the `scenario` fixture takes a parametrized scenario (indirect)."""
from __future__ import annotations

import pytest

from preflight.sandbox import scenarios


@pytest.fixture
def scenario(request):
    """The test's scenario: `request.param` when parametrized indirectly, else compliant."""
    return getattr(request, "param", None) or scenarios.compliant()
