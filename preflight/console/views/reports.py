"""Reports: the three PDF reports and the two CSV exports, downloaded with the console
session as authentication. Dates are local days in the workspace's time zone."""
from __future__ import annotations

from datetime import timedelta

from flask import Response, render_template, request, stream_with_context

import reports as report_builder

from ...api.registry import db, runtime
from ...audit import append
from ...errors import InvalidInput, NotFound, PreflightError
from ...readiness import service as readiness
from .. import auth
from ..blueprint import bp
from ..formatting import local_date, local_day_bounds, parse_date
from .contacts import normalise_phone

DEFAULT_DAYS = 30


def _period(prefix: str = "") -> tuple:
    """[start, end) in UTC from the `from`/`to` date pickers; InvalidInput names a bad field."""
    tz = auth.current().workspace.time_zone
    raw = {k: (request.args.get(k) or "").strip() for k in ("from", "to")}
    start, end = parse_date(raw["from"]), parse_date(raw["to"])
    errors = {}
    if raw["from"] and start is None:
        errors[prefix + "from"] = "Use a date like 2026-06-01."
    if raw["to"] and end is None:
        errors[prefix + "to"] = "Use a date like 2026-06-30."
    if start and end and end < start:
        errors[prefix + "to"] = "The end date is before the start date."
    if errors:
        raise InvalidInput("invalid period", details=errors)
    return (local_day_bounds(start, tz)[0] if start else None, local_day_bounds(end, tz)[1] if end else None)


def _page(errors: dict | None = None, status: int = 200):
    me, rt = auth.current(), runtime()
    today = local_date(rt.now(), me.workspace.time_zone)
    checks, _cursor = readiness.history(db(), me.workspace_id, limit=20)
    return render_template("console/reports.html", errors=errors or {}, checks=[c for c in checks if c.complete],
                           form=request.args, default_from=(today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
                           default_to=today.isoformat()), status


def _refused(exc: PreflightError, prefix: str, field: str):
    """The reports page again with the problem shown beside the field that caused it."""
    details = {(k if k.startswith(prefix) else prefix + k): v for k, v in exc.details.items()} \
        if isinstance(exc, InvalidInput) and exc.details else {prefix + field: exc.message}
    return _page(details, exc.status if exc.status < 500 else 503)


def _pdf(report) -> Response:
    resp = Response(report.pdf, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    resp.headers["X-Report-Data-SHA256"] = report.data_sha256
    return resp


@bp.get("/reports")
@auth.login_required()
def reports():
    return _page()


@bp.get("/reports/readiness.pdf")
@auth.login_required()
def report_readiness():
    me, rt = auth.current(), runtime()
    check_id = request.args.get("check") or "latest"
    db().close()  # the builder opens its own sessions; hold no lock meanwhile (SQLite)
    try:
        report = report_builder.build_readiness_report(rt, me.workspace_id, check_id, actor=me.actor)
    except NotFound:
        return _page({"check": "No completed readiness check yet. Run one from the Readiness page."
                      if check_id == "latest" else "That check is not in this workspace."}, 404)
    return _pdf(report)


@bp.get("/reports/audit.pdf")
@auth.login_required()
def report_audit():
    me, rt = auth.current(), runtime()
    try:
        start, end = _period("audit_")
        db().close()
        report = report_builder.build_audit_report(rt, me.workspace_id, start, end, actor=me.actor)
    except PreflightError as exc:
        return _refused(exc, "audit_", "from")
    return _pdf(report)


@bp.get("/reports/contact.pdf")
@auth.login_required()
def report_contact():
    me, rt = auth.current(), runtime()
    phone = normalise_phone(request.args.get("phone"))
    if not phone:
        return _page({"phone": "Enter the phone number the report is about."}, 400)
    db().close()
    try:
        report = report_builder.build_contact_report(rt, me.workspace_id, phone, actor=me.actor)
    except PreflightError as exc:
        return _page({"phone": "Enter a phone number with area code, e.g. +1 415 555 0123."
                      if isinstance(exc, InvalidInput) else exc.message}, exc.status if exc.status < 500 else 503)
    return _pdf(report)


def _csv(kind: str, chunks, params: dict) -> Response:
    """Record the export in the audit trail (its own transaction), then stream it."""
    me, rt = auth.current(), runtime()
    with rt.transaction() as s:
        append(s, workspace_id=me.workspace_id, actor=me.actor, action="export.generated", subject=kind,
               data={"export": kind, "params": params}, now=rt.now())
    resp = Response(stream_with_context(chunks), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return resp


def _export(kind: str, build, prefix: str):
    me, rt = auth.current(), runtime()
    try:
        start, end = _period(prefix)
    except InvalidInput as exc:
        return _refused(exc, prefix, "from")
    db().close()
    params = {"from": start, "to": end}
    return _csv(kind, build(rt, me.workspace_id, start, end), params)


@bp.get("/exports/messages.csv")
@auth.login_required()
def export_messages():
    return _export("messages", report_builder.messages_csv, "messages_")


@bp.get("/exports/consent-events.csv")
@auth.login_required()
def export_consent_events():
    return _export("consent-events", report_builder.consent_events_csv, "consent_")
