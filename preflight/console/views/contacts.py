"""Contacts: look up a number's consent state and history; admins record an opt-out."""
from __future__ import annotations

from datetime import datetime

import phonenumbers
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ...api.registry import db, runtime
from ...consent import ledger
from ...consent.validation import CHANNELS
from ...errors import InvalidInput, NotFound
from ...models import ContactState
from .. import auth
from ..actors import actor_labels
from ..blueprint import bp
from ..formatting import zone

OPT_OUT_CHANNELS = [c for c in CHANNELS if c != "twilio"]
RECENT = 10


def normalise_phone(raw: str | None) -> str:
    """What a person types ('(415) 555-0123', '+1 415...') as E.164; US when no country code.

    Returns the input unchanged when it cannot be parsed, so the ledger's validation
    names the problem."""
    raw = (raw or "").strip()
    if not raw:
        return raw
    try:
        parsed = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return raw
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _recent(workspace_id: str) -> list[ContactState]:
    return list(db().scalars(select(ContactState).where(ContactState.workspace_id == workspace_id)
                             .order_by(ContactState.updated_at.desc()).limit(RECENT)))


def _page(phone: str, errors: dict, contact: dict | None = None, opt_form: dict | None = None,
          status: int = 200, posted: bool = False):
    me = auth.current()
    return render_template("console/contacts.html", phone=phone, contact=contact, errors=errors,
                           recent=_recent(me.workspace_id) if not phone else [],
                           channels=OPT_OUT_CHANNELS, opt_form=opt_form or {"channel": "phone"},
                           not_found=phone and contact is None and not errors, posted=posted,
                           actors=actor_labels(db(), me.workspace_id) if contact else {}), status


@bp.get("/contacts")
@auth.login_required()
def contacts():
    me = auth.current()
    phone = normalise_phone(request.args.get("phone"))
    if not phone:
        return _page("", {})
    try:
        contact = ledger.describe_contact(db(), me.workspace_id, phone)
    except InvalidInput:
        return _page(phone, {"phone": "Enter a phone number with area code, e.g. +1 415 555 0123."}, status=400)
    except NotFound:
        return _page(phone, {}, status=404)
    return _page(phone, {}, contact)


def _received_at(value: str | None, tz_name: str) -> datetime | str | None:
    """<input type=datetime-local> in the workspace's zone -> aware datetime (None when blank)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=zone(tz_name))
    except ValueError:
        return value


@bp.post("/contacts/opt-out")
@auth.admin_required
def contacts_opt_out():
    me, rt, s = auth.current(), runtime(), db()
    phone = normalise_phone(request.form.get("phone"))
    form = {"channel": request.form.get("channel", ""), "text": request.form.get("text", ""),
            "received_at": request.form.get("received_at", "")}
    try:
        ledger.record_opt_out(s, me.workspace_id, phone, form["channel"], form["text"] or None,
                              _received_at(form["received_at"], me.workspace.time_zone), rt.now(), me.actor)
    except InvalidInput as exc:
        s.rollback()
        errors = dict(exc.details)
        if "phone_number" in errors:
            errors["phone"] = errors.pop("phone_number")
        try:
            contact = ledger.describe_contact(s, me.workspace_id, phone)
        except (InvalidInput, NotFound):
            contact = None
        return _page(phone, errors, contact, form, status=400, posted=True)
    s.commit()
    flash(f"Opt-out recorded for {phone}. Every send to this number is blocked from now on.", "ok")
    return redirect(url_for("console.contacts", phone=phone))
