"""Property tests: over random event sequences the stored state always equals an
independent fold of the stored history, and a sequence ending in a revocation leaves
no scope consented. Runs against the real database through the domain functions."""
from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from tests.consent.consent_helpers import DISCLOSURE, fresh_number, opt_in_fields
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from preflight.consent import importer, ledger
from preflight.errors import InvalidInput
from preflight.models import AuditEvent

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])

minutes_ago = st.integers(min_value=0, max_value=20_000)
mostly_true = st.sampled_from([True, True, True, False])
opt_in_op = st.tuples(st.just("opt_in"), st.sampled_from(["marketing", "informational"]), mostly_true,
                      mostly_true, minutes_ago)
opt_out_op = st.tuples(st.just("opt_out"), minutes_ago)
operations = st.lists(st.one_of(opt_in_op, opt_out_op, st.tuples(st.just("opt_back_in")),
                                st.tuples(st.just("help"))), min_size=1, max_size=14)


def fold(events) -> dict:
    """The state the history implies, computed independently of preflight.consent.state."""
    consented: set[str] = set()
    out, out_at, revoked, postal = False, None, [], None
    for e in events:
        if e.kind == "opt_in":
            postal = e.postal_code or postal
            if out and not (e.written and e.disclosure_text and (out_at is None or e.occurred_at > out_at)):
                assert e.scopes == [], "an opt-in that lifted nothing must say so"
                continue
            out, out_at = False, None
            consented.add(e.scope)
            assert e.scopes == [e.scope]
        elif e.kind == "opt_out":
            assert sorted(e.scopes) == sorted(consented)
            if not out:
                revoked, out_at = sorted(consented), e.occurred_at
            else:
                out_at = max(out_at, e.occurred_at)
            out, consented = True, set()
        elif e.kind == "opt_back_in":
            if out:
                assert sorted(e.scopes) == sorted(revoked)
                consented |= set(revoked)
                out, out_at = False, None
            else:
                assert e.scopes == []
    return {"marketing": "marketing" in consented, "informational": "informational" in consented,
            "opted_out": out, "opted_out_at": out_at, "last_revoked_scopes": revoked, "postal_code": postal}


def stored(state) -> dict:
    return {"marketing": state.marketing, "informational": state.informational, "opted_out": state.opted_out,
            "opted_out_at": state.opted_out_at, "last_revoked_scopes": sorted(state.last_revoked_scopes),
            "postal_code": state.postal_code}


def apply_ops(s, ws_id, number, ops, now) -> list[str]:
    """Run the operations through the ledger; returns the kinds actually recorded."""
    recorded = []
    for op in ops:
        kind = op[0]
        if kind == "opt_in":
            _, scope, written, with_text, ago = op
            fields = opt_in_fields(number, now - timedelta(minutes=ago), scope, written=written,
                                   disclosure_text=DISCLOSURE if with_text else None,
                                   postal_code="33101" if ago % 2 else None)
            if scope == "marketing" and not (written and with_text):
                with pytest.raises(InvalidInput):
                    ledger.record_opt_in(s, ws_id, fields, now, "test")
                continue
            ledger.record_opt_in(s, ws_id, fields, now, "test")
        elif kind == "opt_out":
            ledger.record_opt_out(s, ws_id, number, "sms", "STOP", now - timedelta(minutes=op[1]), now, "test")
        elif kind == "opt_back_in":
            ledger.record_opt_back_in(s, ws_id, number, "sms", "START", now, now, "test")
        else:
            ledger.record_help(s, ws_id, number, "sms", "HELP", now, now, "test")
        recorded.append(kind)
    return recorded


@PROPERTY_SETTINGS
@given(ops=operations)
def test_state_equals_the_fold_of_the_history(rt, ws, ops):
    number = fresh_number()
    now = rt.now()
    with rt.transaction() as s:
        recorded = apply_ops(s, ws.id, number, ops, now)
    with rt.transaction() as s:
        events = ledger.history(s, ws.id, number)
        assert [e.kind for e in events] == recorded
        state = ledger.contact_state(s, ws.id, number)
        if not events:
            assert state is None
            return
        assert stored(state) == fold(events)
        if events[-1].kind == "opt_out":
            assert not state.marketing and not state.informational and state.opted_out
        audited = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.workspace_id == ws.id, AuditEvent.subject == number,
            AuditEvent.action.like("consent.%")))
        assert audited == len(events)
        described = ledger.describe_contact(s, ws.id, number)
        assert [e["id"] for e in described["history"]] == [e.id for e in events]


@PROPERTY_SETTINGS
@given(ops=operations, rows=st.lists(opt_in_op, min_size=1, max_size=8))
def test_bulk_import_folds_like_single_opt_ins(rt, ws, ops, rows):
    """Events first, then an import of opt-in rows: the importer applies the same rules."""
    number = fresh_number()
    now = rt.now()
    lines = ["phone_number,scope,written,method,captured_at,source,disclosure_text"]
    for _, scope, written, with_text, ago in rows:
        written = written or scope == "marketing"
        text = DISCLOSURE if (with_text or scope == "marketing") else ""
        at = (now - timedelta(minutes=ago)).isoformat()
        lines.append(f'{number},{scope},{str(written).lower()},import,{at},crm export,"{text}"')
    with rt.transaction() as s:
        apply_ops(s, ws.id, number, ops, now)
        result = importer.import_csv(s, ws.id, BytesIO("\n".join(lines).encode()), now, "test", chunk_rows=3)
    assert result.rejected == 0
    assert result.imported + result.duplicates == len(rows)
    with rt.transaction() as s:
        events = ledger.history(s, ws.id, number)
        assert stored(ledger.contact_state(s, ws.id, number)) == fold(events)
