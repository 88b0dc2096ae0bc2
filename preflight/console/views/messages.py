"""Messages: gate decisions with their reasons, rule citations and delivery status,
filtered by date, outcome and reason, over a chart of allowed and blocked per day."""
from __future__ import annotations

from flask import render_template, request

from ...api.registry import db, runtime
from ...law.reasons import REASONS
from .. import auth, queries
from ..blueprint import bp
from ..charts import daily_bars
from ..formatting import local_date, parse_date


def _filter_from_args(args) -> tuple[queries.MessageFilter, dict, dict]:
    """The filter, the form values to show back, and errors by field."""
    form = {k: (args.get(k) or "").strip() for k in ("from", "to", "outcome", "reason")}
    errors = {}
    start, end = parse_date(form["from"]), parse_date(form["to"])
    if form["from"] and start is None:
        errors["from"] = "Use a date like 2026-06-01."
    if form["to"] and end is None:
        errors["to"] = "Use a date like 2026-06-30."
    if start and end and start > end:
        errors["to"] = "The end date is before the start date."
    outcome = form["outcome"] if form["outcome"] in ("allowed", "blocked") else None
    reason = form["reason"] if form["reason"] in REASONS else None
    if form["reason"] and reason is None:
        errors["reason"] = "Unknown reason code."
    if errors:
        return queries.MessageFilter(), form, errors
    return queries.MessageFilter(start, end, outcome, reason), form, errors


@bp.get("/messages")
@auth.login_required()
def messages():
    me, rt = auth.current(), runtime()
    tz = me.workspace.time_zone
    flt, form, errors = _filter_from_args(request.args)
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    rows, more = queries.list_messages(db(), me.workspace_id, flt, tz, page)
    start, end = queries.chart_range(flt, local_date(rt.now(), tz))
    counts = queries.daily_counts(db(), me.workspace_id, start, end, tz, flt)
    any_messages = bool(rows) or page > 1 or queries.list_messages(db(), me.workspace_id,
                                                                   queries.MessageFilter(), tz, 1, 1)[0]
    args = {k: v for k, v in form.items() if v}
    return render_template("console/messages.html", rows=rows, more=more, page=page, form=form, errors=errors,
                           args=args, chart=daily_bars(counts),
                           chart_compact=daily_bars(counts, width=380, height=220, css="chart chart-compact",
                                                    key="chart-compact"), counts=counts, chart_start=start,
                           chart_end=end, any_messages=any_messages,
                           reason_codes=sorted(c for c, r in REASONS.items() if r.severity == "block"))
