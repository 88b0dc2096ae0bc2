"""Preflight: compliance preflight service and send gate for US A2P 10DLC SMS.

`create_app` reads like a checklist: settings, runtime, blueprints, error handlers,
commands. Nothing is created, migrated or fetched at import time.
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT_ROOT / "templates"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then the environment, then `test_config` overrides."""
    from .config import load_settings
    from .runtime import Runtime

    app = Flask(__name__, instance_relative_config=True, template_folder=str(TEMPLATES))
    settings = load_settings(app.instance_path, test_config)
    app.config.update(settings)
    app.config["SECRET_KEY"] = settings["PREFLIGHT_SECRET_KEY"]
    app.config["MAX_CONTENT_LENGTH"] = settings["PREFLIGHT_MAX_CONTENT_LENGTH"]
    app.config["JSON_SORT_KEYS"] = False
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.extensions["preflight"] = Runtime(settings)
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)

    _register_blueprints(app)
    from .api import errors

    errors.register(app)
    from .cli import register_commands

    register_commands(app)

    @app.teardown_appcontext
    def _close_session(_exc):
        quick = g.pop("read_db", None)
        if quick is not None:
            quick.close()
        session = g.pop("db", None)
        if session is not None:
            session.close()

    return app


def _register_blueprints(app: Flask) -> None:
    from .api import blueprints as api_blueprints
    from .api.meta import health_bp

    for bp in api_blueprints():
        app.register_blueprint(bp, url_prefix="/v1")
    app.register_blueprint(health_bp)
    from . import webhooks
    from .console import bp as console_bp

    app.register_blueprint(webhooks.bp)
    app.register_blueprint(console_bp)
