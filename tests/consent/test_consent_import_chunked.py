"""Chunked imports (the CLI's mode): each chunk commits with its own audit event, the
chain head is free between chunks, and an interrupted import resumes by re-running."""
from __future__ import annotations

import threading
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from preflight.audit.verify import verify_chain
from preflight.consent import importer, ledger
from preflight.errors import InvalidInput
from preflight.models import AuditEvent, ConsentEvent
from tests.consent.consent_helpers import fresh_number
from tests.consent.test_consent_import import HEADER


def rows(now, numbers):
    at = (now - timedelta(days=1)).isoformat()
    return [f"{n},informational,false,paper,{at},front desk,,,,," for n in numbers]


def count(rt, ws_id, model, *where):
    with rt.transaction() as s:
        return s.scalar(select(func.count()).select_from(model).where(model.workspace_id == ws_id, *where))


def test_chunks_commit_with_their_own_audit_events(rt, ws):
    numbers = [fresh_number() for _ in range(7)]
    data = "\n".join([HEADER, *rows(rt.now(), numbers)]).encode()
    commits = []
    with rt.transaction() as s:
        result = importer.import_csv(s, ws.id, BytesIO(data), rt.now(), "system", chunk_rows=3,
                                     commit=lambda: (commits.append(1), s.commit()))
    assert result.imported == 7 and len(commits) == 2  # 3 + 3 committed early, the last 1 at the end
    with rt.transaction() as s:
        chunks = s.scalars(select(AuditEvent).where(AuditEvent.workspace_id == ws.id,
                                                    AuditEvent.action == "consent.import_chunk")
                           .order_by(AuditEvent.seq)).all()
        assert [c.data for c in chunks] == [
            '{"duplicates":0,"imported":3,"lines":[2,4],"rejected":0}',
            '{"duplicates":0,"imported":3,"lines":[5,7],"rejected":0}']
    with rt.read_session() as s:
        assert verify_chain(s, ws.id)["intact"] is True


def test_interrupted_import_keeps_committed_chunks_and_resumes(rt, ws):
    numbers = [fresh_number() for _ in range(6)]
    good = [HEADER, *rows(rt.now(), numbers)]
    broken = good[:5] + ['"unterminated quoted field']  # malformed after two full chunks
    with pytest.raises(InvalidInput):
        with rt.transaction() as s:
            importer.import_csv(s, ws.id, BytesIO("\n".join(broken).encode()), rt.now(), "system",
                                chunk_rows=2, commit=s.commit)
    assert count(rt, ws.id, ConsentEvent) == 4  # the two committed chunks survive the failure
    with rt.transaction() as s:
        result = importer.import_csv(s, ws.id, BytesIO("\n".join(good).encode()), rt.now(), "system",
                                     chunk_rows=2, commit=s.commit)
    assert (result.imported, result.duplicates) == (2, 4)
    assert count(rt, ws.id, ConsentEvent) == 6


def test_stop_is_recorded_between_chunks(rt, ws):
    """A STOP for a number in the file, recorded while the import runs, is not lost."""
    numbers = [fresh_number() for _ in range(4)]
    data = "\n".join([HEADER, *rows(rt.now(), numbers)]).encode()
    done = []

    def stop_in_another_transaction():
        with rt.transaction() as other:
            ledger.record_opt_out(other, ws.id, numbers[0], "sms", "STOP", rt.now(), rt.now(), "twilio")
        done.append(True)

    def commit_then_stop(s):
        s.commit()
        if not done:
            t = threading.Thread(target=stop_in_another_transaction)
            t.start()
            t.join(timeout=20)

    with rt.transaction() as s:
        importer.import_csv(s, ws.id, BytesIO(data), rt.now(), "system", chunk_rows=2,
                            commit=lambda: commit_then_stop(s))
    assert done == [True]
    with rt.transaction() as s:
        state = ledger.contact_state(s, ws.id, numbers[0])
        assert state.opted_out is True and state.informational is False
