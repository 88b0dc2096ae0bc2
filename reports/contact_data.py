"""Contact report data: one number's consent ledger and every decision sent to it."""
from __future__ import annotations

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from preflight.errors import InvalidInput
from preflight.models import ConsentEvent, ContactState, Message, StatusEvent

from .common import iso, workspace_info

CONSENT_CAP = 200
MESSAGE_CAP = 100


def normalize_phone(value: str) -> str:
    """E.164 form of a phone number (US default region); 400 when it is not one."""
    try:
        parsed = phonenumbers.parse(str(value or "").strip(), "US")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise InvalidInput("phone_number must be a phone number in E.164 form",
                           details={"phone_number": "not a phone number"})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _consent_event(e: ConsentEvent) -> dict:
    return {"id": e.id, "kind": e.kind, "scope": e.scope, "scopes": list(e.scopes or []), "written": e.written,
            "method": e.method, "channel": e.channel, "occurred_at": iso(e.occurred_at),
            "recorded_at": iso(e.recorded_at), "source": e.source, "disclosure_text": e.disclosure_text,
            "ip": e.ip, "user_agent": e.user_agent, "postal_code": e.postal_code,
            "evidence_uri": e.evidence_uri, "text": e.text, "actor": e.actor}


def _state(row: ContactState | None) -> dict | None:
    if row is None:
        return None
    return {"marketing": row.marketing, "informational": row.informational, "opted_out": row.opted_out,
            "opted_out_at": iso(row.opted_out_at), "postal_code": row.postal_code,
            "updated_at": iso(row.updated_at)}


def _messages(session: Session, workspace_id: str, phone: str) -> dict:
    where = (Message.workspace_id == workspace_id, Message.to_number == phone)
    counts = session.execute(select(Message.decision, Message.status, func.count()).where(*where)
                             .group_by(Message.decision, Message.status)).all()
    rows = session.scalars(select(Message).where(*where).order_by(Message.created_at.desc(), Message.id)
                           .limit(MESSAGE_CAP)).all()
    history: dict[str, list] = {}
    if rows:
        for ev in session.scalars(select(StatusEvent).where(StatusEvent.message_id.in_([m.id for m in rows]))
                                  .order_by(StatusEvent.received_at, StatusEvent.id)):
            history.setdefault(ev.message_id, []).append(
                {"status": ev.status, "error_code": ev.error_code, "received_at": iso(ev.received_at)})
    total = sum(n for _d, _s, n in counts)
    return {"total": total, "shown": len(rows),
            "by_decision_status": [{"decision": d, "status": s, "count": n} for d, s, n in sorted(counts)],
            "rows": [{"id": m.id, "created_at": iso(m.created_at), "category": m.category, "decision": m.decision,
                      "reasons": [c for c in (m.reason_codes or "").split(";") if c], "status": m.status,
                      "error_code": m.error_code, "twilio_sid": m.twilio_sid, "segments": m.segments,
                      "submitted_at": iso(m.submitted_at), "body": m.body,
                      "status_history": history.get(m.id, [])} for m in rows]}


def contact_data(session: Session, workspace_id: str, phone_number: str) -> dict:
    """Plain data for one number's contact report: state, consent history with the exact
    disclosure texts, and its decisions with delivery status."""
    phone = normalize_phone(phone_number)
    where = (ConsentEvent.workspace_id == workspace_id, ConsentEvent.phone_number == phone)
    consent_total = session.scalar(select(func.count()).select_from(ConsentEvent).where(*where)) or 0
    events = session.scalars(select(ConsentEvent).where(*where).order_by(ConsentEvent.occurred_at, ConsentEvent.id)
                             .limit(CONSENT_CAP)).all()
    return {
        "report": "contact",
        "workspace": workspace_info(session, workspace_id),
        "phone_number": phone,
        "state": _state(session.get(ContactState, (workspace_id, phone))),
        "consent": {"total": consent_total, "shown": len(events), "events": [_consent_event(e) for e in events]},
        "messages": _messages(session, workspace_id, phone),
    }
