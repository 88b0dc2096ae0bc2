"""Audit report data for a period, aggregated in the database (GROUP BY)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from preflight.audit import verify_chain
from preflight.law.reasons import REASONS
from preflight.models import ConsentEvent, Message, ReadinessCheck

from .common import PDF_LIST_CAP, iso, workspace_info

HONOUR_BUCKETS = ((60, "under 1 minute"), (3600, "1 minute to 1 hour"), (86400, "1 hour to 1 day"),
                  (864000, "1 to 10 days"), (None, "over 10 days"))


def _seconds_between(session: Session, start, end):
    """SQL for (end - start) in seconds on the session's backend."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def _decisions(session: Session, workspace_id: str, lo: datetime, hi: datetime) -> dict:
    stmt = (select(Message.decision, Message.category, Message.status, Message.reason_codes,
                   func.count(), func.coalesce(func.sum(Message.segments), 0))
            .where(Message.workspace_id == workspace_id, Message.created_at >= lo, Message.created_at < hi)
            .group_by(Message.decision, Message.category, Message.status, Message.reason_codes))
    outcome, reasons, category, status = {"allowed": 0, "blocked": 0}, {}, {}, {}
    total = segments = 0
    for decision, cat, st, codes, count, segs in session.execute(stmt):
        total += count
        outcome[decision] = outcome.get(decision, 0) + count
        row = category.setdefault(cat, {"category": cat, "allowed": 0, "blocked": 0})
        row[decision] = row.get(decision, 0) + count
        if decision == "allowed":
            status[st] = status.get(st, 0) + count
            segments += segs
        for code in filter(None, (codes or "").split(";")):
            reasons[code] = reasons.get(code, 0) + count
    by_reason = [{"code": code, "count": n, "message": REASONS[code].message if code in REASONS else "",
                  "rule": REASONS[code].rule if code in REASONS else ""}
                 for code, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"total": total, "by_outcome": outcome, "by_reason": by_reason,
            "by_category": sorted(category.values(), key=lambda r: r["category"]),
            "by_status": [{"status": k, "count": v} for k, v in sorted(status.items(), key=lambda kv: -kv[1])],
            "segments_submitted": int(segments)}


def _sent_after_opt_out(session: Session, workspace_id: str, lo: datetime, hi: datetime) -> int:
    """Messages submitted to a number after an opt-out in the period, with no opt-in in between."""
    c, later = ConsentEvent, aliased(ConsentEvent)
    reopt = exists().where(later.workspace_id == c.workspace_id, later.phone_number == c.phone_number,
                           later.kind.in_(("opt_in", "opt_back_in")), later.occurred_at > c.occurred_at,
                           later.occurred_at < Message.submitted_at)
    stmt = (select(func.count(func.distinct(Message.id))).select_from(c)
            .join(Message, and_(Message.workspace_id == c.workspace_id, Message.to_number == c.phone_number,
                                Message.submitted_at > c.recorded_at))
            .where(c.workspace_id == workspace_id, c.kind == "opt_out", c.occurred_at >= lo,
                   c.occurred_at < hi, ~reopt))
    return int(session.scalar(stmt) or 0)


def _opt_outs(session: Session, workspace_id: str, lo: datetime, hi: datetime) -> dict:
    c = ConsentEvent
    secs = _seconds_between(session, c.occurred_at, c.recorded_at)
    bucket = case(*[(secs < limit, label) for limit, label in HONOUR_BUCKETS if limit is not None],
                  else_=HONOUR_BUCKETS[-1][1])
    where = (c.workspace_id == workspace_id, c.kind == "opt_out", c.occurred_at >= lo, c.occurred_at < hi)
    channels, buckets = {}, {label: 0 for _limit, label in HONOUR_BUCKETS}
    total, sum_secs, max_secs = 0, 0.0, None
    stmt = select(c.channel, bucket, func.count(), func.sum(secs), func.max(secs)).where(*where).group_by(c.channel, bucket)
    for channel, label, count, total_secs, most in session.execute(stmt):
        total += count
        channels[channel or "unknown"] = channels.get(channel or "unknown", 0) + count
        buckets[label] += count
        sum_secs += float(total_secs or 0)
        if most is not None:
            max_secs = float(most) if max_secs is None else max(max_secs, float(most))
    slowest = session.execute(select(c.phone_number, c.channel, c.occurred_at, c.recorded_at, secs)
                              .where(*where).order_by(secs.desc(), c.id).limit(10)).all()
    return {"total": total,
            "by_channel": [{"channel": k, "count": v} for k, v in sorted(channels.items(), key=lambda kv: -kv[1])],
            "honour": {"average_seconds": round(sum_secs / total, 3) if total else None,
                       "max_seconds": round(max_secs, 3) if max_secs is not None else None,
                       "buckets": [{"label": k, "count": v} for k, v in buckets.items()]},
            "slowest": [{"phone_number": p, "channel": ch, "occurred_at": iso(o), "recorded_at": iso(r),
                         "seconds": round(float(s or 0), 3)} for p, ch, o, r, s in slowest],
            "sent_after_opt_out": _sent_after_opt_out(session, workspace_id, lo, hi)}


def _consent_events(session: Session, workspace_id: str, lo: datetime, hi: datetime) -> dict:
    c = ConsentEvent
    stmt = (select(c.kind, c.method, c.channel, func.count())
            .where(c.workspace_id == workspace_id, c.occurred_at >= lo, c.occurred_at < hi)
            .group_by(c.kind, c.method, c.channel).order_by(c.kind, c.method, c.channel))
    rows = [{"kind": k, "method": m or ch or "-", "count": n} for k, m, ch, n in session.execute(stmt)]
    merged: dict[tuple, int] = {}
    for r in rows:
        merged[(r["kind"], r["method"])] = merged.get((r["kind"], r["method"]), 0) + r["count"]
    by_method: dict[str, int] = {}
    for (_kind, method), n in merged.items():
        by_method[method] = by_method.get(method, 0) + n
    return {"total": sum(merged.values()),
            "by_kind_method": [{"kind": k, "method": m, "count": n} for (k, m), n in sorted(merged.items())],
            "by_method": [{"method": m, "count": n} for m, n in sorted(by_method.items(), key=lambda kv: -kv[1])]}


def _readiness(session: Session, workspace_id: str, lo: datetime, hi: datetime) -> dict:
    r = ReadinessCheck
    where = (r.workspace_id == workspace_id, r.finished_at >= lo, r.finished_at < hi)
    by_status = {s: n for s, n in session.execute(select(r.status, func.count()).where(*where).group_by(r.status))}
    recent = session.scalars(select(r).where(*where).order_by(r.finished_at.desc(), r.id).limit(PDF_LIST_CAP)).all()
    return {"total": sum(by_status.values()), "by_status": dict(sorted(by_status.items())),
            "recent": [{"id": row.id, "status": row.status, "complete": row.complete,
                        "finished_at": iso(row.finished_at),
                        "failed": sorted(str(c.get("id")) for c in (row.checks or [])
                                         if isinstance(c, dict) and c.get("status") == "fail")}
                       for row in recent]}


def audit_data(session: Session, workspace_id: str, lo: datetime, hi: datetime) -> dict:
    """Plain data for the audit report of ``[lo, hi)``: decisions, opt-outs, consent events,
    readiness history and the chain's verification."""
    return {
        "report": "audit",
        "workspace": workspace_info(session, workspace_id),
        "period": {"from": iso(lo), "to": iso(hi)},
        "decisions": _decisions(session, workspace_id, lo, hi),
        "opt_outs": _opt_outs(session, workspace_id, lo, hi),
        "consent_events": _consent_events(session, workspace_id, lo, hi),
        "readiness": _readiness(session, workspace_id, lo, hi),
        "chain": verify_chain(session, workspace_id),
    }
