"""The ledger's domain functions: validation, the state rules, dedupe, audit, bulk reads."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from preflight.consent import ledger
from preflight.errors import InvalidInput, NotFound
from preflight.models import AuditEvent, ConsentEvent
from tests.consent.consent_helpers import DISCLOSURE, fresh_number, opt_in_fields


def test_marketing_opt_in_records_every_evidence_field(rt, ws, number):
    now = rt.now()
    fields = opt_in_fields(number, now - timedelta(hours=2), ip="203.0.113.9", user_agent="Mozilla/5.0",
                           postal_code="33101", evidence_uri="https://evidence.example/form/1.png")
    with rt.transaction() as s:
        event = ledger.record_opt_in(s, ws.id, fields, now, "key_1")
    with rt.transaction() as s:
        contact = ledger.describe_contact(s, ws.id, number)
    assert contact["state"] == {"marketing": True, "informational": False, "opted_out": False,
                                "opted_out_at": None, "postal_code": "33101", "scopes": ["marketing"],
                                "last_revoked_scopes": []}
    (shown,) = contact["history"]
    assert shown["id"] == event.id
    assert shown["disclosure_text"] == DISCLOSURE
    assert shown["captured_at"] == now - timedelta(hours=2)
    assert (shown["ip"], shown["user_agent"], shown["evidence_uri"]) == (
        "203.0.113.9", "Mozilla/5.0", "https://evidence.example/form/1.png")
    assert shown["method"] == "web_form" and shown["written"] is True and shown["actor"] == "key_1"


@pytest.mark.parametrize("overrides, field", [
    ({"written": False}, "written"),
    ({"disclosure_text": None}, "disclosure_text"),
    ({"disclosure_text": "   "}, "disclosure_text"),
    ({"captured_at": "2026-06-01T10:00:00"}, "captured_at"),
    ({"captured_at": "yesterday"}, "captured_at"),
    ({"phone_number": "+1415555"}, "phone_number"),
    ({"phone_number": "4155550100"}, "phone_number"),
    ({"phone_number": "+10005550100"}, "phone_number"),
    ({"scope": "promotions"}, "scope"),
    ({"method": "carrier_pigeon"}, "method"),
    ({"source": ""}, "source"),
    ({"ip": "999.1.1.1"}, "ip"),
    ({"evidence_uri": "form.png"}, "evidence_uri"),
    ({"postal_code": "!"}, "postal_code"),
    ({"favourite_colour": "blue"}, "favourite_colour"),
])
def test_invalid_opt_ins_are_rejected_naming_the_field(rt, ws, number, overrides, field):
    now = rt.now()
    with rt.transaction() as s:
        with pytest.raises(InvalidInput) as exc:
            ledger.record_opt_in(s, ws.id, opt_in_fields(number, now - timedelta(days=1), **overrides), now, "t")
        assert field in exc.value.details
        assert s.scalar(select(func.count()).select_from(ConsentEvent)) == 0


def test_captured_at_in_the_future_is_rejected(rt, ws, number, clock):
    now = rt.now()
    with rt.transaction() as s:
        with pytest.raises(InvalidInput) as exc:
            ledger.record_opt_in(s, ws.id, opt_in_fields(number, now + timedelta(seconds=1)), now, "t")
    assert exc.value.details == {"captured_at": "in the future"}
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, now), now, "t")  # exactly now is fine


def test_informational_opt_in_needs_no_written_consent(rt, ws, number):
    now = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, now, "informational", method="verbal"), now, "t")
        state = ledger.contact_state(s, ws.id, number)
    assert state.informational and not state.marketing


def test_revocation_ends_every_scope_and_start_restores_exactly_those(rt, ws, number):
    now = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, now - timedelta(days=3)), now, "t")
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, now - timedelta(days=2), "informational"), now, "t")
        out = ledger.record_opt_out(s, ws.id, number, "email", "please stop", None, now, "key_1")
        state = ledger.contact_state(s, ws.id, number)
        assert sorted(out.scopes) == ["informational", "marketing"]
        assert (state.marketing, state.informational, state.opted_out) == (False, False, True)
        assert state.opted_out_at == now
        again = ledger.record_opt_out(s, ws.id, number, "sms", "STOP", None, now, "twilio")
        assert again.scopes == []
        assert sorted(ledger.contact_state(s, ws.id, number).last_revoked_scopes) == ["informational",
                                                                                   "marketing"]
        back = ledger.record_opt_back_in(s, ws.id, number, "sms", "START", None, now, "twilio")
        assert sorted(back.scopes) == ["informational", "marketing"]
        state = ledger.contact_state(s, ws.id, number)
        assert (state.marketing, state.informational, state.opted_out, state.opted_out_at) == (
            True, True, False, None)
        assert ledger.record_opt_back_in(s, ws.id, number, "sms", "START", None, now, "twilio").scopes == []


def test_opt_back_in_restores_only_what_was_revoked(rt, ws, number):
    now = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, now - timedelta(days=3), "informational"), now, "t")
        ledger.record_opt_out(s, ws.id, number, "sms", "STOP", None, now, "twilio")
        ledger.record_opt_back_in(s, ws.id, number, "sms", "UNSTOP", None, now, "twilio")
        state = ledger.contact_state(s, ws.id, number)
    assert state.informational and not state.marketing


def test_fresh_written_opt_in_after_an_opt_out_lifts_it_for_its_scope_only(rt, ws, number, clock):
    stop_at = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, stop_at - timedelta(days=9), "informational"),
                             stop_at, "t")
        ledger.record_opt_out(s, ws.id, number, "sms", "STOP", stop_at, stop_at, "twilio")
    now = clock.advance(days=1)
    with rt.transaction() as s:
        event = ledger.record_opt_in(s, ws.id, opt_in_fields(number, now - timedelta(hours=1)), now, "t")
        state = ledger.contact_state(s, ws.id, number)
    assert event.scopes == ["marketing"]
    assert (state.marketing, state.informational, state.opted_out) == (True, False, False)


@pytest.mark.parametrize("case", ["backdated", "same_instant", "unwritten"])
def test_opt_in_that_is_not_a_fresh_consent_never_undoes_a_stop(rt, ws, number, clock, case):
    stop_at = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_out(s, ws.id, number, "sms", "STOP", stop_at, stop_at, "twilio")
    now = clock.advance(days=1)
    captured = {"backdated": stop_at - timedelta(minutes=1), "same_instant": stop_at,
                "unwritten": now}[case]
    fields = opt_in_fields(number, captured, "informational" if case == "unwritten" else "marketing")
    with rt.transaction() as s:
        event = ledger.record_opt_in(s, ws.id, fields, now, "crm")
        state = ledger.contact_state(s, ws.id, number)
        assert event.scopes == []
        assert (state.marketing, state.informational, state.opted_out) == (False, False, True)
        assert len(ledger.history(s, ws.id, number)) == 2  # kept as evidence


def test_a_late_reported_revocation_still_applies(rt, ws, number):
    now = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, now - timedelta(hours=1)), now, "t")
        ledger.record_opt_out(s, ws.id, number, "phone", "said stop on a call", now - timedelta(days=5), now, "t")
        assert ledger.contact_state(s, ws.id, number).opted_out


def test_opt_out_of_an_unknown_number_creates_an_opted_out_state(rt, ws, number):
    now = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_out(s, ws.id, number, "web", None, None, now, "t")
        state = ledger.contact_state(s, ws.id, number)
    assert state.opted_out and state.last_revoked_scopes == []


def test_help_is_recorded_and_changes_nothing(rt, ws, number):
    now = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, now), now, "t")
        event = ledger.record_help(s, ws.id, number, "sms", "HELP", None, now, "twilio")
        assert event.kind == "help"
        assert ledger.contact_state(s, ws.id, number).marketing


@pytest.mark.parametrize("channel, field", [("fax", "channel"), ("sms", None)])
def test_revocation_validation(rt, ws, number, channel, field):
    now = rt.now()
    with rt.transaction() as s:
        if field:
            with pytest.raises(InvalidInput) as exc:
                ledger.record_opt_out(s, ws.id, number, channel, None, None, now, "t")
            assert field in exc.value.details
        for bad, name in ((now + timedelta(minutes=1), "received_at"),
                          (datetime(2026, 1, 1), "received_at")):
            with pytest.raises(InvalidInput) as exc:
                ledger.record_opt_out(s, ws.id, number, "sms", None, bad, now, "t")
            assert name in exc.value.details
        with pytest.raises(InvalidInput) as exc:
            ledger.record_opt_out(s, ws.id, "+1555", "sms", None, None, now, "t")
        assert "phone_number" in exc.value.details


def test_twilio_21610_opt_out_is_idempotent_per_message(rt, ws, number):
    """The status webhook and the gate record Twilio's 21610 with channel twilio."""
    now = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, now), now, "t")
        first = ledger.record_opt_out(s, ws.id, number, "twilio", "Twilio error 21610", None, now, "twilio",
                                      dedupe_key="twilio-21610:SM0123")
        again = ledger.record_opt_out(s, ws.id, number, "twilio", "Twilio error 21610", None, now, "twilio",
                                      dedupe_key="twilio-21610:SM0123")
    assert first is not None and first.channel == "twilio" and again is None
    with rt.transaction() as s:
        assert [e.kind for e in ledger.history(s, ws.id, number)] == ["opt_in", "opt_out"]
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "consent.opt_out")) == 1
        assert ledger.contact_state(s, ws.id, number).opted_out


def test_opt_in_with_a_known_dedupe_key_returns_the_first_event(rt, ws, number):
    now = rt.now()
    with rt.transaction() as s:
        first = ledger.record_opt_in(s, ws.id, opt_in_fields(number, now), now, "t", dedupe_key="form-77")
        again = ledger.record_opt_in(s, ws.id, opt_in_fields(number, now), now, "t", dedupe_key="form-77")
        assert again.id == first.id
        assert len(ledger.history(s, ws.id, number)) == 1


def test_every_event_writes_an_audit_event_in_the_same_transaction(rt, ws, number):
    now = rt.now()
    with pytest.raises(RuntimeError):
        with rt.transaction() as s:
            ledger.record_opt_out(s, ws.id, number, "sms", "STOP", None, now, "twilio")
            raise RuntimeError("crash before commit")
    with rt.transaction() as s:
        assert ledger.contact_state(s, ws.id, number) is None
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, now), now, "key_9")
        ledger.record_opt_out(s, ws.id, number, "sms", "STOP", None, now, "twilio")
        ledger.record_opt_back_in(s, ws.id, number, "sms", "START", None, now, "twilio")
        ledger.record_help(s, ws.id, number, "sms", "HELP", None, now, "twilio")
        rows = s.execute(select(AuditEvent.action, AuditEvent.actor, AuditEvent.data).where(
            AuditEvent.subject == number).order_by(AuditEvent.seq)).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("consent.opt_in", "key_9"), ("consent.opt_out", "twilio"), ("consent.opt_back_in", "twilio"),
        ("consent.help", "twilio")]
    assert DISCLOSURE in rows[0].data


def test_workspaces_have_separate_ledgers(rt, ws, number):
    from tests.conftest import make_workspace

    other = make_workspace(rt, "Other Clinic")
    now = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, now), now, "t")
        ledger.record_opt_out(s, other.id, number, "sms", "STOP", None, now, "twilio")
    with rt.transaction() as s:
        assert ledger.contact_state(s, ws.id, number).marketing
        assert not ledger.contact_state(s, ws.id, number).opted_out
        assert [e.kind for e in ledger.history(s, other.id, number)] == ["opt_out"]


def test_contact_states_reads_many_numbers_in_chunks(rt, ws):
    now = rt.now()
    numbers = [fresh_number() for _ in range(1203)]
    with rt.transaction() as s:
        for n in numbers[::100]:
            ledger.record_opt_out(s, ws.id, n, "api", None, None, now, "t")
    statements = []
    from sqlalchemy import event

    def count(conn, cursor, statement, *args):
        if "FROM contact_states" in statement:
            statements.append(statement)

    event.listen(rt.engine, "before_cursor_execute", count)
    try:
        with rt.transaction() as s:
            states = ledger.contact_states(s, ws.id, numbers + numbers[:10])
    finally:
        event.remove(rt.engine, "before_cursor_execute", count)
    assert sorted(states) == sorted(numbers[::100])
    assert all(state.opted_out for state in states.values())
    assert len(statements) == 3  # 1,203 distinct numbers in IN-queries of at most 500


def test_describe_contact_unknown_and_invalid(rt, ws, number):
    with rt.transaction() as s:
        with pytest.raises(NotFound) as exc:
            ledger.describe_contact(s, ws.id, number)
        assert exc.value.code == "contact_not_found"
        with pytest.raises(InvalidInput):
            ledger.describe_contact(s, ws.id, "not-a-number")


def test_captured_at_keeps_the_instant_of_any_offset(rt, ws, number):
    now = rt.now()
    at = datetime(2026, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=-7)))
    with rt.transaction() as s:
        ledger.record_opt_in(s, ws.id, opt_in_fields(number, at), now, "t")
        (event,) = ledger.history(s, ws.id, number)
    assert event.occurred_at == at


def test_concurrent_events_on_one_new_number_lose_no_update(rt, ws):
    """Eight writers at once on a number without a state row: the state still folds the history."""
    import threading

    from tests.consent.test_consent_properties import fold, stored

    number = fresh_number()
    now = rt.now()
    barrier = threading.Barrier(8)
    errors = []

    def write(i):
        try:
            barrier.wait()
            with rt.transaction() as s:
                if i % 4 == 3:
                    ledger.record_opt_out(s, ws.id, number, "sms", "STOP", None, now, "twilio")
                else:
                    scope = "marketing" if i % 2 else "informational"
                    ledger.record_opt_in(s, ws.id, opt_in_fields(number, now - timedelta(minutes=i), scope),
                                         now, "t")
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with rt.transaction() as s:
        events = ledger.history(s, ws.id, number)
        assert len(events) == 8
        assert stored(ledger.contact_state(s, ws.id, number)) == fold(events)


def test_consent_events_refuse_update_and_delete(client, connected, rt):
    """The ledger is evidence: the database itself refuses edits and deletions."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    resp = client.post("/v1/opt-outs", headers=connected.headers("sender"),
                       json={"phone_number": "+14045550111", "channel": "web"})
    assert resp.status_code == 201, resp.get_json()
    for sql in ("UPDATE consent_events SET text = 'edited'", "DELETE FROM consent_events"):
        with pytest.raises(DatabaseError, match="append-only"):
            with rt.transaction() as s:
                s.execute(text(sql))
