"""`preflight check --workspace ID`: run a readiness check and print the checklist."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import readiness
from ..errors import PreflightError

SYMBOLS = {"pass": "✓", "warn": "!", "fail": "✗", "skip": "–"}
HEADLINES = {"ready": "READY", "ready_with_warnings": "READY WITH WARNINGS", "not_ready": "NOT READY"}


def format_checklist(result: dict) -> str:
    """A readiness result (`readiness.to_dict`) as a readable checklist."""
    number = (result["chain"].get("number") or {}).get("phone_number", "")
    lines = [f"Readiness {result['id']} for {number}: {HEADLINES.get(result['status'], result['status'])}", ""]
    for check in result["checks"]:
        lines.append(f"  {SYMBOLS[check['status']]} {check['title']}  [{check['id']}]")
        if check["status"] != "pass":
            lines.append(f"      {check['detail']}")
            if check["remediation"] and check["status"] != "skip":
                lines.append(f"      Fix: {check['remediation']}")
    lines += ["", f"{result['twilio_requests']} Twilio request(s), finished {result['finished_at']}"]
    return "\n".join(lines)


@click.command("check")
@click.option("--workspace", "workspace_id", required=True, help="Workspace id")
@with_appcontext
def check_command(workspace_id):
    """Run a readiness check; exit 0 when ready (with or without warnings), 1 when not
    ready, 2 when it could not run (no connection, Twilio unavailable)."""
    rt = current_app.extensions["preflight"]
    ctx = click.get_current_context()
    try:
        with rt.transaction() as session:
            result = readiness.run(session, rt, workspace_id, "system")
            data = readiness.to_dict(result.check)
    except PreflightError as exc:
        click.echo(f"error: {exc.message}", err=True)
        ctx.exit(2)
    if result.error is not None:
        click.echo(f"error: {result.error.message} (attempt {data['id']} recorded as incomplete)", err=True)
        ctx.exit(2)
    click.echo(format_checklist(data))
    ctx.exit(0 if data["status"] in ("ready", "ready_with_warnings") else 1)


GROUPS = [check_command]
