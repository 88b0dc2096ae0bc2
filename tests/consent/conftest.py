"""Fixtures for the consent tests."""
from __future__ import annotations

import pytest
from tests.consent.consent_helpers import fresh_number


@pytest.fixture
def number():
    return fresh_number()
