"""Readiness results shaped for the dashboard: the chain's links with their state,
and the checks ordered worst first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..models import ReadinessCheck

LINKS = (
    ("account", "Account", ("credentials.", "account.")),
    ("number", "Number", ("number.owned", "number.sms_capable", "number.local_10dlc", "delivery.")),
    ("messaging_service", "Messaging Service", ("number.in_messaging_service", "service.")),
    ("campaign", "Campaign", ("campaign.",)),
    ("brand", "Brand", ("brand.",)),
)
SEVERITY = {"fail": 0, "warn": 1, "pass": 2, "skip": 3}
# Per link: the identifying field and the Twilio fields summarising its state.
LINK_FIELDS = {
    "account": ("sid", ("status", "type")),
    "number": ("phone_number", ("kind",)),
    "messaging_service": ("sid", ("friendly_name",)),
    "campaign": ("sid", ("campaign_status", "us_app_to_person_usecase")),
    "brand": ("sid", ("status", "identity_status")),
}


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    state: str  # pass | warn | fail | skip
    sid: str | None
    twilio_status: str | None
    failing: int


def _link_of(check_id: str) -> str | None:
    for key, _label, prefixes in LINKS:
        if any(check_id == p or (p.endswith(".") and check_id.startswith(p)) for p in prefixes):
            return key
    return None


def _summary(data: dict, keys: tuple[str, ...]) -> str | None:
    values = [str(data[k]).replace("_", " ") for k in keys if isinstance(data.get(k), str) and data[k]]
    return " · ".join(values) or None


def chain_links(chain: dict | None, checks: list[dict]) -> list[Link]:
    """The five links in order; a link's state is its worst check (all skipped: skip)."""
    by_link: dict[str, list[str]] = {key: [] for key, _l, _p in LINKS}
    for check in checks:
        key = _link_of(check.get("id", ""))
        if key:
            by_link[key].append(check.get("status", "skip"))
    out = []
    for key, label, _p in LINKS:
        states = [s for s in by_link[key] if s != "skip"]
        state = min(states, key=lambda s: SEVERITY.get(s, 3)) if states else "skip"
        data = (chain or {}).get(key) or {}
        data = data if isinstance(data, dict) else {}
        ident, status_keys = LINK_FIELDS[key]
        out.append(Link(key, label, state, data.get(ident) if isinstance(data.get(ident), str) else None,
                        _summary(data, status_keys), sum(1 for s in by_link[key] if s == "fail")))
    return out


def ordered_checks(checks: list[dict]) -> tuple[list[dict], list[dict]]:
    """(failing and warning checks, worst first; the rest) in their original order within each."""
    problems = [c for c in checks if c.get("status") in ("fail", "warn")]
    problems.sort(key=lambda c: SEVERITY.get(c.get("status"), 3))
    rest = [c for c in checks if c.get("status") not in ("fail", "warn")]
    return problems, rest


def is_stale(check: ReadinessCheck, now: datetime, max_age_seconds: int) -> bool:
    return (now - check.finished_at).total_seconds() > max_age_seconds
