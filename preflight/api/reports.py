"""PDF reports (/v1/reports/...) and streamed CSV exports (/v1/exports/...)."""
from __future__ import annotations

from flask import Blueprint, Response, stream_with_context
from marshmallow import fields

import reports
from reports.common import parse_period
from reports.contact_data import normalize_phone

from ..audit import append
from .registry import caller, db, route, runtime
from .schemas import Strict

bp = Blueprint("reports", __name__)
ROLES = ("admin", "compliance")


class PeriodArgs(Strict):
    from_ = fields.String(data_key="from", load_default=None)
    to = fields.String(load_default=None)


class MessagesExportArgs(PeriodArgs):
    phone_number = fields.String(load_default=None)


def _pdf(report: reports.Report) -> Response:
    resp = Response(report.pdf, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    resp.headers["X-Report-Data-SHA256"] = report.data_sha256
    resp.headers["X-Audit-Checkpoint-Seq"] = str(report.checkpoint["seq"])
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _csv(kind: str, chunks, params: dict) -> Response:
    """Record the export in the audit chain (its own transaction), then stream it."""
    rt, who = runtime(), caller()
    with rt.transaction() as s:
        append(s, workspace_id=who.workspace_id, actor=who.actor, action="export.generated", subject=kind,
               data={"export": kind, "params": params}, now=rt.now())
    resp = Response(stream_with_context(chunks), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@route(bp, "/reports/readiness/{check_id}.pdf", "GET", roles=ROLES, produces="application/pdf",
       summary="Readiness report (PDF) of a stored check ('latest' for the newest)",
       responses={200: "The report as PDF"})
def get_readiness_report(check_id):
    db().close()
    return _pdf(reports.build_readiness_report(runtime(), caller().workspace_id, check_id, actor=caller().actor))


@route(bp, "/reports/audit.pdf", "GET", roles=ROLES, produces="application/pdf", query=PeriodArgs(),
       summary="Audit report (PDF) for [from, to): dates or ISO date-times; default the last 30 days",
       responses={200: "The report as PDF"})
def get_audit_report(args):
    start, end = parse_period(args["from_"], args["to"])
    db().close()
    return _pdf(reports.build_audit_report(runtime(), caller().workspace_id, start, end, actor=caller().actor))


@route(bp, "/reports/contacts/{phone_number}.pdf", "GET", roles=ROLES, produces="application/pdf",
       summary="Contact report (PDF): one number's consent and message history",
       responses={200: "The report as PDF"})
def get_contact_report(phone_number):
    db().close()
    return _pdf(reports.build_contact_report(runtime(), caller().workspace_id, phone_number, actor=caller().actor))


@route(bp, "/exports/messages.csv", "GET", roles=ROLES, produces="text/csv", query=MessagesExportArgs(),
       summary="Every send decision created in [from, to) as CSV (streamed)", responses={200: "CSV"})
def get_messages_export(args):
    start, end = parse_period(args["from_"], args["to"])
    phone = normalize_phone(args["phone_number"]) if args["phone_number"] else None
    db().close()
    chunks = reports.messages_csv(runtime(), caller().workspace_id, start, end, phone)
    return _csv("messages", chunks, {"from": args["from_"], "to": args["to"], "phone_number": phone})


@route(bp, "/exports/consent-events.csv", "GET", roles=ROLES, produces="text/csv", query=PeriodArgs(),
       summary="Every consent ledger event as CSV (streamed; optional from/to on when it occurred)",
       responses={200: "CSV"})
def get_consent_events_export(args):
    start, end = parse_period(args["from_"], args["to"])
    db().close()
    chunks = reports.consent_events_csv(runtime(), caller().workspace_id, start, end)
    return _csv("consent-events", chunks, {"from": args["from_"], "to": args["to"]})
