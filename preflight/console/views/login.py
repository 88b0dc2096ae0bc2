"""Login and logout, with per-email lockout and a per-IP failure limit."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ...api.registry import db, runtime
from .. import auth
from ..blueprint import bp
from ..users import attempt_login, normalise_email

INVALID = "The email or password is not right."


def _refused(email: str, retry_at, nxt: str | None):
    """429: this email or this address failed too often; say when to try again."""
    return render_template("console/login.html", email=email, retry_at=retry_at, errors={}, next=nxt), 429


@bp.get("/login")
def login():
    if auth.current() is not None:
        return redirect(auth.safe_next(request.args.get("next")))
    return render_template("console/login.html", email="", errors={}, next=request.args.get("next"))


@bp.post("/login")
def login_post():
    rt, s = runtime(), db()
    now = rt.now()
    email = normalise_email(request.form.get("email"))
    password = request.form.get("password", "")
    nxt = request.form.get("next")
    errors = {}
    if not email:
        errors["email"] = "Enter your email address."
    if not password:
        errors["password"] = "Enter your password."
    if errors:
        return render_template("console/login.html", email=email, errors=errors, next=nxt), 400
    by_ip, by_email = auth.limiters()
    ip = request.remote_addr or "unknown"
    retry_at = by_ip.blocked_until(ip, now) or by_email.blocked_until(email, now)
    if retry_at is not None:
        return _refused(email, retry_at, nxt)
    result = attempt_login(s, email, password, now)
    s.commit()
    if result.user is None:
        if result.failure in ("invalid", "locked"):
            by_ip.fail(ip, now)
            by_email.fail(email, now)
        if result.failure == "locked":
            return _refused(email, result.retry_at, nxt)
        errors["password"] = ("The sender role has no console; use an admin or compliance account."
                              if result.failure == "no_console" else INVALID)
        return render_template("console/login.html", email=email, errors=errors, next=nxt), 401
    auth.start_session(result.user, now)
    return redirect(auth.safe_next(nxt))


@bp.post("/logout")
def logout():
    auth.end_session()
    return redirect(url_for("console.login"))
