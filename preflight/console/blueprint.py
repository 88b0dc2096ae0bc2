"""The console blueprint: mounted at /console, with `/` redirecting to it.

Request hooks: CSRF check on every POST, the logged-in user in templates, security
headers on every response, and console-styled error pages (HTML, not the API's JSON).
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from ..errors import PreflightError
from . import auth, formatting, security

bp = Blueprint("console", __name__, url_prefix="/console", static_folder="static",
               static_url_path="/static")

ERROR_TEXT = {
    400: ("This form has expired", "Reload the page and submit the form again."),
    403: ("Not allowed", "Your role can look at this workspace but not change it. Ask an admin."),
    404: ("Not found", "There is nothing here, or it belongs to another workspace."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    429: ("Too many attempts", "Wait a few minutes and try again."),
}


@bp.record_once
def _on_register(state) -> None:
    """Per-request Secure cookies and the site root redirect."""
    app = state.app
    app.session_interface = security.ConsoleSessionInterface()
    app.add_url_rule("/", endpoint="console_root", view_func=lambda: redirect(url_for("console.dashboard")))


bp.before_request(security.check_csrf)
bp.after_request(security.secure_headers)


@bp.context_processor
def _template_context() -> dict:
    who = auth.current()
    tz = who.workspace.time_zone if who else "UTC"
    return {
        "me": who,
        "csrf_token": security.csrf_token,
        "t": lambda value, fmt="%b %d, %Y %H:%M": formatting.time_tag(value, tz, fmt),
        "d": lambda value: formatting.time_tag(value, tz, "%b %d, %Y"),
        "local": lambda value: formatting.local_text(value, tz),
        "workspace_tz": tz,
    }


def error_page(status: int, title: str | None = None, text: str | None = None):
    default_title, default_text = ERROR_TEXT.get(status, ("Something went wrong", "Try again later."))
    return render_template("console/error.html", status=status, title=title or default_title,
                           text=text or default_text), status


@bp.errorhandler(400)
@bp.errorhandler(403)
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(429)
def _http_error(exc):
    return error_page(exc.code)


@bp.errorhandler(PreflightError)
def _domain_error(exc: PreflightError):
    """A domain error that escaped a view: shown as a page, never as the API's JSON."""
    return error_page(exc.status if exc.status < 500 else 503, text=exc.message)
