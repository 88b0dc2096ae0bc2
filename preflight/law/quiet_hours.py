"""Quiet hours and frequency caps for marketing texts, by US state.

Sources (behaviour fixed by CONTRACT.md "Quiet hours and frequency caps"; the windows
are the ones Twilio's Compliance Toolkit enforces, RULES.md):

- Federal default 08:00-21:00 at the called party's location: 47 CFR 64.1200(c)(1).
- AL 08:00-20:00: Ala. Admin. Code r. 770-X-5-.17(1)(b).
- FL 08:00-20:00 and at most 3 per 24 h: Fla. Stat. 501.616(6)(a) and (6)(b), as
  amended by ch. 2021-174 (SB 1120, the same act that amended the FTSA, 501.059).
  Choice: the hours and the cap sit in 501.616(6), not in 501.059 (which holds the
  consent rule and the area-code presumption), so 501.616(6) is cited.
- LA 08:00-20:00: La. Rev. Stat. 45:811(2).
- MD 08:00-20:00 and at most 3 per 24 h: Md. Code, Com. Law 14-4503 (Stop the Spam
  Calls Act of 2023, in force 2024-01-01).
- MS 08:00-20:00: Miss. Code Ann. 77-3-723(1).
- OK 08:00-20:00 and at most 3 per 24 h: Okla. Stat. tit. 15, 775C.4 (Oklahoma
  Telephone Solicitation Act of 2022).
- TN 08:00-20:00: Tenn. Code Ann. 65-4-401 et seq. with Tenn. Comp. R. & Regs.
  1220-04-11; the 20:00 end is the Compliance Toolkit's (the rule text says 21:00),
  kept because the contract fixes the table.
- WA 08:00-20:00: Rev. Code Wash. 19.158.040(2).
- CT 09:00-20:00: Conn. Gen. Stat. 42-288a (as amended by Public Act 23-98).
- NV 09:00-20:00: Nev. Rev. Stat. ch. 228 (telecommunication solicitation), window
  per Twilio's Compliance Toolkit.
- TX Mon-Sat 09:00-21:00, Sun 12:00-21:00: Tex. Bus. & Com. Code 301.051 (texts
  covered since 2025-09-01 by SB 140).

Some states also forbid Sundays or holidays for calls; the contract's table does not,
and this module follows the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

FEDERAL_RULE = "47 CFR 64.1200(c)(1)"


@dataclass(frozen=True)
class Window:
    """An allowed local window, half-open: ``start <= t < end``."""

    start: time
    end: time


@dataclass(frozen=True)
class StateWindows:
    """The allowed window for each weekday (Monday = 0) and the rule that sets it."""

    weekly: tuple[Window, ...]
    rule: str

    def on(self, weekday: int) -> Window:
        """The window for ``weekday`` (``date.weekday()``, Monday = 0)."""
        return self.weekly[weekday]


@dataclass(frozen=True)
class FrequencyCap:
    """At most ``limit`` marketing messages per rolling ``period``."""

    limit: int
    period: timedelta
    rule: str


def _daily(start: int, end: int, rule: str) -> StateWindows:
    window = Window(time(start), time(end))
    return StateWindows((window,) * 7, rule)


FEDERAL = _daily(8, 21, FEDERAL_RULE)

STATE_WINDOWS: dict[str, StateWindows] = {
    "AL": _daily(8, 20, "Ala. Admin. Code r. 770-X-5-.17(1)(b)"),
    "FL": _daily(8, 20, "Fla. Stat. 501.616(6)(a)"),
    "LA": _daily(8, 20, "La. Rev. Stat. 45:811(2)"),
    "MD": _daily(8, 20, "Md. Code, Com. Law 14-4503"),
    "MS": _daily(8, 20, "Miss. Code Ann. 77-3-723(1)"),
    "OK": _daily(8, 20, "Okla. Stat. tit. 15, 775C.4"),
    "TN": _daily(8, 20, "Tenn. Comp. R. & Regs. 1220-04-11"),
    "WA": _daily(8, 20, "Rev. Code Wash. 19.158.040(2)"),
    "CT": _daily(9, 20, "Conn. Gen. Stat. 42-288a"),
    "NV": _daily(9, 20, "Nev. Rev. Stat. ch. 228"),
    "TX": StateWindows(
        (Window(time(9), time(21)),) * 6 + (Window(time(12), time(21)),),
        "Tex. Bus. & Com. Code 301.051",
    ),
}

FREQUENCY_CAPS: dict[str, FrequencyCap] = {
    "FL": FrequencyCap(3, timedelta(hours=24), "Fla. Stat. 501.616(6)(b)"),
    "OK": FrequencyCap(3, timedelta(hours=24), "Okla. Stat. tit. 15, 775C.4"),
    "MD": FrequencyCap(3, timedelta(hours=24), "Md. Code, Com. Law 14-4503"),
}


def windows_for(state: str | None) -> StateWindows:
    """The windows for a state code; the federal default for None or any other state."""
    if state is None:
        return FEDERAL
    return STATE_WINDOWS.get(state, FEDERAL)


def cap_for(state: str | None) -> FrequencyCap | None:
    """The frequency cap of a state code, or None where the state sets none."""
    if state is None:
        return None
    return FREQUENCY_CAPS.get(state)
