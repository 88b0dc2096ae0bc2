"""What a gate rule is: a small function over a `GateContext` returning findings.

Every rule returns a sequence of findings built by `preflight.law.reasons.finding`
(``{code, message, rule, severity}``); an empty tuple when it has nothing to say.
`scope` says what the rule reads:

- ``"shared"``: only the account, the message and whether the destination is US.
  Its answer is the same for every recipient of one campaign, so the decision
  function may compute it once per (account, message, is_us) and reuse it;
- ``"recipient"``: anything, recipient included.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .context import GateContext

Finding = dict
NONE: tuple = ()


@dataclass(frozen=True)
class Rule:
    """A named rule function and its scope."""

    name: str
    scope: str
    check: Callable[[GateContext], Sequence[Finding]]


def rule(scope: str):
    """Decorator: wrap a function as a `Rule` of the given scope, named after it."""
    if scope not in ("shared", "recipient"):
        raise ValueError(f"unknown rule scope {scope!r}")

    def wrap(fn: Callable[[GateContext], Sequence[Finding]]) -> Rule:
        return Rule(fn.__name__, scope, fn)

    return wrap
