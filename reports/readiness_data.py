"""Readiness report data: one stored check, its chain as links, every check."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from preflight.errors import NotFound
from preflight.models import ReadinessCheck

from .common import iso, workspace_info

LINKS = (("account", "Account"), ("number", "Phone number"), ("messaging_service", "Messaging Service"),
         ("campaign", "A2P campaign"), ("brand", "Brand"))
_SEVERITY = {"fail": 4, "warn": 3, "skip": 2, "pass": 1}
MAX_LINK_FIELDS = 8


def link_of(check_id: str) -> str | None:
    """Which chain link a check id belongs to (None for checks outside the chain)."""
    if check_id == "number.in_messaging_service" or check_id.startswith("service."):
        return "messaging_service"
    prefix = check_id.split(".", 1)[0]
    return {"credentials": "account", "account": "account", "number": "number",
            "campaign": "campaign", "brand": "brand"}.get(prefix)


def _scalar_fields(link: dict) -> dict:
    out = {}
    for key in sorted(link, key=lambda k: (k != "sid", k)):
        value = link[key]
        if isinstance(value, (str, int, float, bool)) or value is None:
            out[key] = value
        if len(out) >= MAX_LINK_FIELDS:
            break
    return out


def _sids(chain: dict, account_sid: str | None) -> list[dict]:
    found, seen = [], set()
    if account_sid:
        found.append({"link": "account", "field": "account_sid", "sid": account_sid})
        seen.add(account_sid)
    for key, _title in LINKS:
        link = chain.get(key) or {}
        if not isinstance(link, dict):
            continue
        for field, value in sorted(link.items()):
            if (field == "sid" or field.endswith("_sid")) and isinstance(value, str) and value and value not in seen:
                seen.add(value)
                found.append({"link": key, "field": field, "sid": value})
    return found


def _links(chain: dict, checks: list[dict]) -> list[dict]:
    out = []
    for key, title in LINKS:
        own = [c for c in checks if link_of(str(c.get("id", ""))) == key]
        worst = max((c.get("status", "skip") for c in own), key=lambda s: _SEVERITY.get(s, 0), default=None)
        link = chain.get(key) if isinstance(chain.get(key), dict) else {}
        out.append({"key": key, "title": title, "status": worst or ("unknown" if not link else "pass"),
                    "sid": link.get("sid"), "fields": _scalar_fields(link),
                    "checks": [c.get("id") for c in own]})
    return out


def find_check(session: Session, workspace_id: str, check_id: str) -> ReadinessCheck:
    """The workspace's check by id, or its latest complete one for ``"latest"``; 404 otherwise."""
    if check_id == "latest":
        row = session.scalars(
            select(ReadinessCheck).where(ReadinessCheck.workspace_id == workspace_id, ReadinessCheck.complete)
            .order_by(ReadinessCheck.finished_at.desc()).limit(1)).first()
    else:
        row = session.get(ReadinessCheck, check_id)
        if row is not None and row.workspace_id != workspace_id:
            row = None
    if row is None:
        raise NotFound(f"readiness check {check_id} not found")
    return row


def readiness_data(session: Session, workspace_id: str, check_id: str) -> dict:
    """Plain data for the readiness report of one stored check."""
    row = find_check(session, workspace_id, check_id)
    chain = row.chain if isinstance(row.chain, dict) else {}
    checks = [c for c in (row.checks or []) if isinstance(c, dict)]
    summary = {s: 0 for s in ("pass", "warn", "fail", "skip")}
    for c in checks:
        summary[c.get("status")] = summary.get(c.get("status"), 0) + 1
    return {
        "report": "readiness",
        "workspace": workspace_info(session, workspace_id),
        "check": {"id": row.id, "status": row.status, "complete": row.complete,
                  "started_at": iso(row.started_at), "finished_at": iso(row.finished_at),
                  "twilio_requests": row.twilio_requests, "phone_number": row.phone_number,
                  "account_sid": row.account_sid, "error": row.error},
        "links": _links(chain, checks),
        "checks": checks,
        "summary": summary,
        "sids": _sids(chain, row.account_sid),
    }
