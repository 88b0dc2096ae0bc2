"""Readiness: walk the US A2P 10DLC chain (account -> number -> Messaging Service ->
campaign -> brand), judge each link and store the result.

Public API (no Flask): `run`, `run_check`, `latest`, `get`, `history`, `to_dict`,
`ensure_fresh`, `chain_facts`, `carrier_errors_since`; `CHECK_IDS` in chain order.
"""
from .checks import CHECK_IDS, evaluate, overall_status
from .facts import chain_facts
from .service import (RunResult, carrier_errors_since, ensure_fresh, get, history, latest, run, run_check,
                      to_dict)

__all__ = ["CHECK_IDS", "RunResult", "carrier_errors_since", "chain_facts", "ensure_fresh", "evaluate", "get",
           "history", "latest", "overall_status", "run", "run_check", "to_dict"]
