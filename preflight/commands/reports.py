"""preflight reports readiness | audit | contact"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

import reports
from reports.common import parse_instant

from ..errors import PreflightError


def _write(report: reports.Report, out) -> None:
    out.write(report.pdf)
    click.echo(f"wrote {report.kind} report to {out.name}: {len(report.pdf)} bytes, "
               f"data SHA-256 {report.data_sha256}, checkpoint at event {report.checkpoint['seq']}, "
               f"recorded as audit event {report.event_seq}")


def _run(build, out, *args) -> None:
    try:
        report = build(current_app.extensions["preflight"], *args, actor="system")
    except PreflightError as exc:
        raise click.ClickException(exc.message) from None
    _write(report, out)


@click.group("reports")
def reports_group():
    """PDF reports for compliance officers."""


@reports_group.command("readiness")
@click.option("--workspace", "workspace_id", required=True)
@click.option("--check", "check_id", default="latest", show_default=True, help="A check id, or 'latest'.")
@click.option("--out", type=click.File("wb"), required=True)
@with_appcontext
def reports_readiness(workspace_id, check_id, out):
    """The readiness report of one stored check."""
    _run(reports.build_readiness_report, out, workspace_id, check_id)


@reports_group.command("audit")
@click.option("--workspace", "workspace_id", required=True)
@click.option("--from", "start", required=True, help="ISO date or date-time (inclusive).")
@click.option("--to", "end", required=True, help="ISO date (inclusive day) or date-time (exclusive).")
@click.option("--out", type=click.File("wb"), required=True)
@with_appcontext
def reports_audit(workspace_id, start, end, out):
    """The audit report for a period."""
    try:
        lo, hi = parse_instant(start, "from"), parse_instant(end, "to", end=True)
    except PreflightError as exc:
        raise click.BadParameter(exc.message) from None
    if hi <= lo:
        raise click.BadParameter("--to must be after --from")
    _run(reports.build_audit_report, out, workspace_id, lo, hi)


@reports_group.command("contact")
@click.option("--workspace", "workspace_id", required=True)
@click.option("--phone", "phone_number", required=True)
@click.option("--out", type=click.File("wb"), required=True)
@with_appcontext
def reports_contact(workspace_id, phone_number, out):
    """One number's consent and message history."""
    _run(reports.build_contact_report, out, workspace_id, phone_number)


GROUPS = [reports_group]
