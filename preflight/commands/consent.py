"""consents import: bulk opt-ins from CSV with a progress bar."""
from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..consent.importer import import_csv
from ..errors import PreflightError
from ..workspaces import get_workspace


@click.group("consents")
def consents_group():
    """The consent ledger."""


@consents_group.command("import")
@click.option("--workspace", "workspace_id", required=True)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def consents_import(workspace_id, path):
    """Import opt-ins from FILE.csv (header row naming the opt-in fields).

    Prints imported, duplicate and rejected counts and each rejected row with its line
    number and reason. Good rows are committed either way; exit status 1 when any row
    was rejected (or the file itself is unusable), else 0.
    """
    rt = current_app.extensions["preflight"]
    size = os.path.getsize(path)
    try:
        with rt.transaction() as s, open(path, "rb") as fh:
            get_workspace(s, workspace_id)
            with click.progressbar(length=size, label="importing", file=sys.stderr, show_pos=False) as bar:
                seen = [0]

                def progress(done: int) -> None:
                    bar.update(done - seen[0])
                    seen[0] = done

                # Commit chunk by chunk: a large file never holds the workspace's writers up.
                result = import_csv(s, workspace_id, fh, rt.now(), "system", progress=progress,
                                    commit=s.commit)
    except PreflightError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.details.items())
        raise click.ClickException(exc.message + (f" ({details})" if details else "")) from None
    click.echo(f"imported: {result.imported}")
    click.echo(f"duplicates: {result.duplicates}")
    click.echo(f"rejected: {result.rejected}")
    click.echo(f"sha256: {result.sha256}")
    for err in result.errors:
        click.echo(f"line {err['line']}: {err['reason']}")
    if result.rejected:
        click.get_current_context().exit(1)


GROUPS = [consents_group]
