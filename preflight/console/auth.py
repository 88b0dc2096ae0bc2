"""Who is logged in: session handling, idle timeout and role checks for console views."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort, current_app, g, redirect, request, session, url_for

from ..api.registry import db, runtime
from ..models import User, Workspace
from .limiter import FailureLimiter
from .users import LOCK_FOR, MAX_FAILURES

IDLE_TIMEOUT = timedelta(hours=8)
IP_FAILURE_LIMIT = 10


@dataclass(frozen=True)
class ConsoleUser:
    """The logged-in user and their workspace, loaded once per request."""

    user: User
    workspace: Workspace

    @property
    def is_admin(self) -> bool:
        return self.user.role == "admin"

    @property
    def workspace_id(self) -> str:
        return self.workspace.id

    @property
    def actor(self) -> str:
        return self.user.id


def limiters() -> tuple[FailureLimiter, FailureLimiter]:
    """(per IP, per email) failure limiters of this app."""
    ext = current_app.extensions
    if "preflight_console_limiters" not in ext:
        ext["preflight_console_limiters"] = (FailureLimiter(IP_FAILURE_LIMIT, LOCK_FOR),
                                             FailureLimiter(MAX_FAILURES, LOCK_FOR))
    return ext["preflight_console_limiters"]


def start_session(user: User, now: datetime) -> None:
    """Log `user` in on a fresh session (a new CSRF token; nothing carried over)."""
    session.clear()
    session["uid"] = user.id
    session["seen"] = now.timestamp()


def end_session() -> None:
    session.clear()


def current() -> ConsoleUser | None:
    """The logged-in user, or None (no session, idle too long, or the user is gone)."""
    if "console_user" in g:
        return g.console_user
    found = None
    uid, seen = session.get("uid"), session.get("seen")
    now = runtime().now()
    if uid and isinstance(seen, (int, float)) and now.timestamp() - seen <= IDLE_TIMEOUT.total_seconds():
        user = db().get(User, uid)
        if user is not None and user.role in ("admin", "compliance"):
            found = ConsoleUser(user, db().get(Workspace, user.workspace_id))
            session["seen"] = now.timestamp()
        # The lookup is its own read-only unit, as for API keys: end it so no lock (SQLite's
        # write lock in particular) is held while the page does slow work (a PDF, a verify).
        db().commit()
    if found is None and uid:
        session.clear()
    g.console_user = found
    return found


def login_required(roles: tuple[str, ...] = ("admin", "compliance")):
    """Redirect anonymous visitors to the login page; 403 for a role not in `roles`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            who = current()
            if who is None:
                target = request.full_path if request.method == "GET" else None
                return redirect(url_for("console.login", next=target.rstrip("?") if target else None))
            if who.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


admin_required = login_required(roles=("admin",))


def safe_next(target: str | None) -> str:
    """Only same-site console paths are followed after login (no open redirect)."""
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("console.dashboard")
