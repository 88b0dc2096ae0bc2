"""CLI command groups, one module per area."""
from __future__ import annotations

import importlib


def groups():
    from . import core

    out = list(core.GROUPS)
    for name in ("readiness", "consent", "gate", "audit", "reports", "demo", "console"):
        try:
            mod = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue
        out.extend(mod.GROUPS)
    return out
