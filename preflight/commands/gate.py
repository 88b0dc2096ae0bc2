"""`preflight campaign preflight` (bulk dry run) and `preflight sends reconcile`."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..errors import PreflightError
from ..gate.bulk import DryRun, count_rows, parse_send_at, run_csv
from ..gate.context import CATEGORIES
from ..sending.reconcile import reconcile
from ..workspaces import get_workspace


def rt():
    return current_app.extensions["preflight"]


@click.group("campaign")
def campaign_group():
    """Campaign tools."""


@campaign_group.command("preflight")
@click.option("--workspace", "workspace_id", required=True)
@click.option("--recipients", "recipients_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--body", required=True)
@click.option("--category", required=True, type=click.Choice(CATEGORIES))
@click.option("--at", "at", default=None, help="ISO-8601 instant with offset (default: now)")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def campaign_preflight(workspace_id, recipients_path, body, category, at, out_path):
    """Dry-run one message to every recipient of a CSV file; nothing is sent or changed."""
    runtime = rt()
    try:
        send_at = parse_send_at(at, "--at") if at else runtime.now()
    except PreflightError as exc:
        raise click.BadParameter(exc.message, param_hint="--at") from None
    total = count_rows(recipients_path)
    session = runtime.sessions()
    try:
        get_workspace(session, workspace_id)
        run = DryRun(session, runtime, workspace_id, body, category, send_at)
        with open(recipients_path, newline="", encoding="utf-8-sig") as source, \
                open(out_path, "w", newline="", encoding="utf-8") as target, \
                click.progressbar(length=total, label="Deciding", file=sys.stderr) as bar:
            summary = run_csv(run, source, target, progress=bar.update)
    except PreflightError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        session.rollback()
        session.close()
    out = summary.as_dict()
    click.echo(f"total {out['total']}  allowed {out['allowed']}  blocked {out['blocked']}")
    for code, count in out["by_reason"].items():
        click.echo(f"  {code}: {count}")
    click.echo(f"results written to {out_path}")


@click.group("sends")
def sends_group():
    """Sent messages."""


@sends_group.command("reconcile")
@click.option("--workspace", "workspace_id", default=None, help="only this workspace (default: all)")
@with_appcontext
def sends_reconcile(workspace_id):
    """Settle messages whose submit outcome is unknown against Twilio's message list."""
    counts = reconcile(rt(), workspace_id)
    if not counts:
        click.echo("nothing to reconcile")
        return
    for outcome, count in sorted(counts.items()):
        click.echo(f"{outcome}: {count}")


GROUPS = [campaign_group, sends_group]
