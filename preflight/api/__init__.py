"""The JSON API under /v1: thin views over the domain packages."""
from __future__ import annotations


def blueprints():
    """Every /v1 blueprint, in the order the OpenAPI document lists them."""
    from . import audit, connection, consents, messages, meta, readiness, reports

    return [m.bp for m in (meta, connection, readiness, consents, messages, audit, reports)]
