"""Dashboard: is the account ready? The chain as a diagram, failing checks first with
their remediation, recent runs, and (admins) a button to run a check now."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ...api.registry import db, runtime
from ...errors import PreflightError
from ...models import Connection
from ...readiness import service as readiness
from .. import auth, readiness_view
from ..blueprint import bp

HISTORY = 10
HEADLINES = {
    "ready": "Ready to send",
    "ready_with_warnings": "Ready, with warnings",
    "not_ready": "Not ready: US messages will be blocked",
}


@bp.get("/")
@auth.login_required()
def dashboard():
    me, rt, s = auth.current(), runtime(), db()
    conn = s.get(Connection, me.workspace_id)
    latest = readiness.latest(s, me.workspace_id)
    history, _cursor = readiness.history(s, me.workspace_id, limit=HISTORY)
    attempt = history[0] if history else None
    context = {"conn": conn, "latest": latest, "headlines": HEADLINES, "history": history,
               "failed_attempt": attempt if attempt is not None and not attempt.complete else None}
    if latest is not None:
        problems, rest = readiness_view.ordered_checks(latest.checks or [])
        context.update(links=readiness_view.chain_links(latest.chain, latest.checks or []), problems=problems,
                       rest=rest, stale=readiness_view.is_stale(latest, rt.now(),
                                                                rt.settings["PREFLIGHT_READINESS_MAX_AGE"]))
    return render_template("console/dashboard.html", **context)


@bp.post("/readiness/run")
@auth.admin_required
def run_readiness():
    me, rt, s = auth.current(), runtime(), db()
    try:
        result = readiness.run(s, rt, me.workspace_id, me.actor)
        s.commit()
    except PreflightError as exc:
        s.rollback()
        flash(f"The check could not run: {exc.message}", "error")
        return redirect(url_for("console.dashboard"))
    if result.error is not None:
        flash(f"The check could not finish: {result.error.message}. The previous result still stands.", "error")
    else:
        status = result.check.status
        flash(f"Check finished: {HEADLINES.get(status, status)}.",
              "ok" if status in ("ready", "ready_with_warnings") else "info")
    return redirect(url_for("console.dashboard"))
