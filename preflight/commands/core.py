"""db, workspaces, keys, connection and sandbox commands."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import connection as conn_service
from .. import workspaces
from ..migrate import upgrade


def rt():
    return current_app.extensions["preflight"]


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group("db")
def db_group():
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Create or migrate the schema to the newest revision."""
    upgrade(rt().settings["PREFLIGHT_DATABASE_URL"])
    click.echo("database is up to date")


@click.group("workspaces")
def workspaces_group():
    """Workspaces (one business each)."""


@workspaces_group.command("create")
@click.argument("name")
@with_appcontext
def workspaces_create(name):
    with rt().transaction() as s:
        ws = workspaces.create_workspace(s, name, rt().now())
        out = {"id": ws.id, "name": ws.name}
    echo_json(out)


@click.group("keys")
def keys_group():
    """API keys."""


@keys_group.command("create")
@click.option("--workspace", "workspace_id", required=True)
@click.option("--role", type=click.Choice(["admin", "compliance", "sender"]), required=True)
@click.option("--name", default=None)
@with_appcontext
def keys_create(workspace_id, role, name):
    """Create a key; the secret is printed only this once."""
    with rt().transaction() as s:
        key, secret = workspaces.create_key(s, workspace_id, role, name, rt().now())
        out = {"id": key.id, "key": secret, "role": key.role, "workspace_id": key.workspace_id, "name": name}
    echo_json(out)


@keys_group.command("revoke")
@click.argument("key_id")
@with_appcontext
def keys_revoke(key_id):
    with rt().transaction() as s:
        key = workspaces.revoke_key(s, key_id, rt().now())
        out = {"id": key.id, "revoked_at": key.revoked_at.isoformat()}
    echo_json(out)


@click.group("connections")
def connections_group():
    """Twilio connections."""


@connections_group.command("rotate-keys")
@with_appcontext
def connections_rotate():
    """Re-encrypt every stored Auth Token with the newest encryption key."""
    with rt().transaction() as s:
        count = conn_service.rotate_tokens(s, rt().cipher)
    click.echo(f"re-encrypted {count} token(s) with the newest key")


@click.group("sandbox")
def sandbox_group():
    """The simulated Twilio API."""


@sandbox_group.command("serve")
@click.option("--scenario", "scenario_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=4010, type=int)
def sandbox_serve(scenario_path, host, port):
    """Serve a scenario over HTTP (both Twilio hosts on one port)."""
    from ..sandbox import Sandbox, serve

    sb = Sandbox.from_file(scenario_path)
    click.echo(f"sandbox for {sb.account_sid} on http://{host}:{port}")
    serve(sb, host, port)


GROUPS = [db_group, workspaces_group, keys_group, connections_group, sandbox_group]
