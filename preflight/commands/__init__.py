"""CLI command groups, one module per area."""
from __future__ import annotations


def groups():
    from . import audit, console, consent, core, demo, gate, readiness, reports

    out = list(core.GROUPS)
    for mod in (readiness, consent, gate, audit, reports, demo, console):
        out.extend(mod.GROUPS)
    return out
