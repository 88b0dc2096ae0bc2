"""preflight audit verify | checkpoint"""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from ..audit import make_checkpoint, public_key_hex, verify_chain
from ..models import Workspace


def _rt():
    return current_app.extensions["preflight"]


def _workspace_or_fail(session, workspace_id: str) -> None:
    if session.get(Workspace, workspace_id) is None:
        raise click.ClickException(f"workspace {workspace_id} not found")


@click.group("audit")
def audit_group():
    """The audit trail: verify the chain, sign checkpoints."""


@audit_group.command("verify")
@click.option("--workspace", "workspace_id", required=True)
@click.option("--checkpoint", "checkpoint_file", type=click.File("r"), default=None,
              help="A signed checkpoint (JSON) the log must still hold.")
@with_appcontext
def audit_verify(workspace_id, checkpoint_file):
    """Recompute the chain; exit 0 when intact, 1 naming the first bad event."""
    rt = _rt()
    checkpoint = None
    if checkpoint_file is not None:
        try:
            checkpoint = json.load(checkpoint_file)
        except ValueError:
            raise click.ClickException("the checkpoint file is not JSON") from None
    with rt.read_session() as s:
        _workspace_or_fail(s, workspace_id)
        result = verify_chain(s, workspace_id, checkpoint,
                              public_key_hex(rt.settings["PREFLIGHT_AUDIT_SIGNING_KEY"]))
    click.echo(json.dumps(result, indent=2))
    if not result["intact"]:
        bad = result["first_bad"]
        click.echo(f"audit chain BROKEN at event {bad['seq']}: {bad['reason']}", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain intact: {result['events']} events, head {result['head']['seq']}", err=True)


@audit_group.command("checkpoint")
@click.option("--workspace", "workspace_id", required=True)
@with_appcontext
def audit_checkpoint(workspace_id):
    """Print a signed checkpoint of the chain head (JSON, with the public key)."""
    rt = _rt()
    with rt.sessions() as s:
        _workspace_or_fail(s, workspace_id)
        checkpoint = make_checkpoint(s, workspace_id, rt.now(), rt.settings["PREFLIGHT_AUDIT_SIGNING_KEY"])
    click.echo(json.dumps(checkpoint, indent=2))


GROUPS = [audit_group]
