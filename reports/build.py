"""Building a report: data -> SHA-256 -> signed checkpoint -> HTML -> PDF -> audit event."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from preflight.audit import append, sign_checkpoint
from preflight.audit.chain import canonical_json
from preflight.law import RULESET_VERSION
from preflight.models import AuditHead

from .audit_data import audit_data
from .charts import audit_charts
from .common import iso
from .contact_data import contact_data
from .readiness_data import readiness_data
from .render import html_to_pdf, render_html

TITLES = {"readiness": "A2P 10DLC readiness report", "audit": "Compliance audit report",
          "contact": "Contact consent report"}


@dataclass(frozen=True)
class Report:
    """A generated report: the PDF and what it attests."""

    kind: str
    pdf: bytes
    data: dict
    data_sha256: str
    checkpoint: dict
    event_seq: int  # the report.generated audit event
    filename: str


def data_sha256(data: dict) -> str:
    """SHA-256 (hex) of a report's data dict in canonical JSON (sorted keys, no spaces, UTF-8)."""
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def _head(session: Session, workspace_id: str) -> tuple[int, str]:
    head = session.get(AuditHead, workspace_id)
    if head is None:
        raise LookupError(f"workspace {workspace_id} has no audit chain")
    return head.seq, head.hash


def _finish(rt, kind: str, data: dict, head: tuple[int, str], *, subject: str, params: dict, actor: str,
            filename: str, charts: dict | None = None) -> Report:
    now = rt.now()
    data = {**data, "ruleset_version": RULESET_VERSION}
    canonical = canonical_json(data)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    workspace_id = data["workspace"]["id"]
    checkpoint = sign_checkpoint(workspace_id, head[0], head[1], now, rt.settings["PREFLIGHT_AUDIT_SIGNING_KEY"])
    checkpoint_json = json.dumps(checkpoint, indent=2)
    html = render_html(f"reports/{kind}.html", title=TITLES[kind], data=data, charts=charts or {},
                       data_sha256=digest, checkpoint=checkpoint, checkpoint_json=checkpoint_json,
                       generated_at=now)
    pdf = html_to_pdf(html, [("data.json", canonical, "The report's data; its SHA-256 is printed in the seal"),
                             ("checkpoint.json", checkpoint_json, "Signed audit chain checkpoint")], when=now)
    with rt.transaction() as s:
        event = append(s, workspace_id=workspace_id, actor=actor, action="report.generated", subject=subject,
                       data={"report": kind, "params": params, "data_sha256": digest,
                             "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
                             "checkpoint": {"seq": head[0], "hash": head[1]},
                             "ruleset_version": RULESET_VERSION}, now=now)
        seq = event.seq
    return Report(kind=kind, pdf=pdf, data=data, data_sha256=digest, checkpoint=checkpoint, event_seq=seq,
                  filename=filename)


def build_readiness_report(rt, workspace_id: str, check_id: str = "latest", *, actor: str = "system") -> Report:
    """The readiness report of one stored check (``"latest"``: the newest complete one)."""
    with rt.read_session() as s:
        data = readiness_data(s, workspace_id, check_id)
        head = _head(s, workspace_id)
    cid = data["check"]["id"]
    return _finish(rt, "readiness", data, head, subject=f"readiness:{cid}", params={"check_id": cid},
                   actor=actor, filename=f"readiness-{cid}.pdf")


def build_audit_report(rt, workspace_id: str, start: datetime | None = None, end: datetime | None = None, *,
                       actor: str = "system") -> Report:
    """The audit report for ``[start, end)`` (default: the 30 days up to now)."""
    end = end or rt.now()
    start = start or end - timedelta(days=30)
    with rt.read_session() as s:
        data = audit_data(s, workspace_id, start, end)
    head = (data["chain"]["head"]["seq"], data["chain"]["head"]["hash"])
    params = {"from": iso(start), "to": iso(end)}
    return _finish(rt, "audit", data, head, subject=f"audit:{params['from']}/{params['to']}", params=params,
                   actor=actor, filename=f"audit-{start:%Y%m%d}-{end:%Y%m%d}.pdf", charts=audit_charts(data))


def build_contact_report(rt, workspace_id: str, phone_number: str, *, actor: str = "system") -> Report:
    """One number's consent and message history (the evidence for a dispute)."""
    with rt.read_session() as s:
        data = contact_data(s, workspace_id, phone_number)
        head = _head(s, workspace_id)
    phone = data["phone_number"]
    return _finish(rt, "contact", data, head, subject=f"contact:{phone}", params={"phone_number": phone},
                   actor=actor, filename=f"contact-{phone.lstrip('+')}.pdf")
