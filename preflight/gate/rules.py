"""The gate's rules, in the order their findings are listed.

Each rule is a small function over a `GateContext` (see `rule_base`), grouped by
area in its own module; adding a rule is adding one function there and one entry
here. `BLOCKING` rules return findings of severity "block", `WARNINGS` of severity
"warning". Order: registration chain, recipient, content, account; then warnings.
"""
from __future__ import annotations

from . import rules_content, rules_recipient, rules_registration
from .rule_base import Rule, rule

BLOCKING: list[Rule] = [
    *rules_registration.RULES,
    *rules_recipient.RULES,
    *rules_content.CONTENT_RULES,
    *rules_content.ACCOUNT_RULES,
]

WARNINGS: list[Rule] = [
    *rules_content.WARNINGS,
    *rules_recipient.WARNINGS,
]

ALL: list[Rule] = BLOCKING + WARNINGS

__all__ = ["ALL", "BLOCKING", "WARNINGS", "Rule", "rule"]
