"""The `preflight` command: a Flask CLI group of thin commands over the domain functions."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup


def register_commands(app) -> None:
    from .commands import groups

    for group in groups():
        app.cli.add_command(group)


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main():
    """Preflight: compliance preflight and send gate for US A2P 10DLC SMS."""


if __name__ == "__main__":
    main()
