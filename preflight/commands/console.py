"""Console users: `preflight users create`."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from ..console.users import CONSOLE_ROLES, create_user
from ..errors import PreflightError


@click.group("users")
def users_group():
    """Console users (admins and compliance officers)."""


@users_group.command("create")
@click.option("--workspace", "workspace_id", required=True, help="The workspace the user belongs to.")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(CONSOLE_ROLES), required=True)
@click.option("--password", default=None, help="Prompted (hidden, twice) when omitted.")
@with_appcontext
def users_create(workspace_id, email, role, password):
    """Create a console user; prints the user as JSON (never the password)."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    rt = current_app.extensions["preflight"]
    try:
        with rt.transaction() as s:
            user = create_user(s, workspace_id, email, password, role, rt.now())
            out = {"id": user.id, "workspace_id": user.workspace_id, "email": user.email, "role": user.role}
    except PreflightError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.details.items())
        raise click.ClickException(f"{exc.message}{' (' + details + ')' if details else ''}") from None
    click.echo(json.dumps(out, indent=2))


GROUPS = [users_group]
