"""The JSON API under /v1: thin views over the domain packages."""
from __future__ import annotations


def blueprints():
    """Every /v1 blueprint, in the order the OpenAPI document lists them."""
    from . import connection, meta

    mods = [meta, connection]
    for name in ("readiness", "consents", "messages", "audit", "reports"):
        try:
            mods.append(__import__(f"{__name__}.{name}", fromlist=["bp"]))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    return [m.bp for m in mods]
