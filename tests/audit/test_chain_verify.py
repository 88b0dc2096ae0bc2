"""The chain verifies, and every kind of tampering is detected (some only with a checkpoint)."""
from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from preflight.audit import make_checkpoint, public_key_hex, verify_chain
from preflight.audit.chain import canonical_event, format_time
from preflight.audit.checkpoint import signature_valid
from preflight.audit.verify import fast_canonical_event
from tests.audit.conftest import append_events, head_of, rechain_from, tamper
from tests.conftest import TEST_SIGNING_KEY

PUBLIC = public_key_hex(TEST_SIGNING_KEY)


def _verify(rt, ws_id, checkpoint=None):
    with rt.sessions() as s:
        return verify_chain(s, ws_id, checkpoint, PUBLIC)


def _checkpoint(rt, ws_id):
    with rt.sessions() as s:
        return make_checkpoint(s, ws_id, rt.now(), TEST_SIGNING_KEY)


def test_intact_chain_verifies(rt, chain):
    result = _verify(rt, chain.id)
    seq, digest = head_of(rt, chain.id)
    assert result == {"intact": True, "events": seq, "head": {"seq": seq, "hash": digest}, "first_bad": None}
    assert seq >= 14


def test_chains_are_per_workspace(rt, chain):
    from tests.conftest import make_workspace

    other = make_workspace(rt, "Other Co")
    append_events(rt, other.id, 3)
    assert _verify(rt, other.id)["events"] == 4 + 3
    assert _verify(rt, chain.id)["intact"]


def test_edited_event_is_named(rt, chain):
    tamper(rt, ("UPDATE audit_events SET data = :d WHERE workspace_id = :w AND seq = 7",
                {"d": '{"i":999}', "w": chain.id}))
    result = _verify(rt, chain.id)
    assert result["intact"] is False
    assert result["first_bad"]["seq"] == 7
    assert "edited" in result["first_bad"]["reason"]


def test_edited_actor_or_time_is_detected(rt, chain):
    tamper(rt, ("UPDATE audit_events SET actor = 'key_someone_else' WHERE workspace_id = :w AND seq = 5",
                {"w": chain.id}))
    assert _verify(rt, chain.id)["first_bad"]["seq"] == 5


def test_deleted_event_is_named(rt, chain):
    tamper(rt, ("DELETE FROM audit_events WHERE workspace_id = :w AND seq = 9", {"w": chain.id}))
    result = _verify(rt, chain.id)
    assert result["intact"] is False
    assert result["first_bad"]["seq"] == 9
    assert "missing" in result["first_bad"]["reason"]


def test_tail_cut_without_moving_head_is_detected(rt, chain):
    seq, _ = head_of(rt, chain.id)
    tamper(rt, ("DELETE FROM audit_events WHERE workspace_id = :w AND seq > :s", {"w": chain.id, "s": seq - 2}))
    result = _verify(rt, chain.id)
    assert result["first_bad"]["seq"] == seq - 1
    assert "missing" in result["first_bad"]["reason"]


def test_rechained_edit_needs_a_checkpoint(rt, chain):
    checkpoint = _checkpoint(rt, chain.id)
    tamper(rt, ("UPDATE audit_events SET data = :d WHERE workspace_id = :w AND seq = 6",
                {"d": '{"i":"rewritten"}', "w": chain.id}))
    rechain_from(rt, chain.id, 6)
    # Consistent in itself: a plain verify cannot tell.
    assert _verify(rt, chain.id)["intact"] is True
    result = _verify(rt, chain.id, checkpoint)
    assert result["intact"] is False
    assert result["first_bad"]["seq"] == checkpoint["seq"]
    assert "re-chained" in result["first_bad"]["reason"]
    assert result["checkpoint"]["signature_valid"] is True


def test_truncated_tail_needs_a_checkpoint(rt, chain):
    checkpoint = _checkpoint(rt, chain.id)
    seq = checkpoint["seq"]
    tamper(rt, ("DELETE FROM audit_events WHERE workspace_id = :w AND seq > :s", {"w": chain.id, "s": seq - 3}))
    rechain_from(rt, chain.id, seq - 3)  # moves the head back to the new last event
    assert _verify(rt, chain.id)["intact"] is True
    result = _verify(rt, chain.id, checkpoint)
    assert result["intact"] is False
    assert result["first_bad"] == {"seq": seq, "reason": f"checkpointed event {seq} is missing (the log was truncated)"}


def test_checkpoint_still_holds_after_more_appends(rt, chain):
    checkpoint = _checkpoint(rt, chain.id)
    append_events(rt, chain.id, 5)
    result = _verify(rt, chain.id, checkpoint)
    assert result["intact"] is True and result["checkpoint"]["valid"] is True


def test_forged_or_altered_checkpoint_is_refused(rt, chain):
    checkpoint = _checkpoint(rt, chain.id)
    assert signature_valid(checkpoint, PUBLIC)
    altered = {**checkpoint, "seq": checkpoint["seq"] - 1}
    result = _verify(rt, chain.id, altered)
    assert result["intact"] is False and result["checkpoint"]["signature_valid"] is False
    other_key = "22" * 32
    with rt.sessions() as s:
        forged = make_checkpoint(s, chain.id, rt.now(), other_key)
    result = _verify(rt, chain.id, forged)
    assert result["intact"] is False
    assert "another key" in result["first_bad"]["reason"]
    assert _verify(rt, chain.id, {"hello": 1})["intact"] is False


def test_checkpoint_carries_what_it_signs(rt, chain):
    checkpoint = _checkpoint(rt, chain.id)
    seq, digest = head_of(rt, chain.id)
    assert checkpoint["workspace_id"] == chain.id
    assert (checkpoint["seq"], checkpoint["hash"]) == (seq, digest)
    assert checkpoint["public_key"] == PUBLIC and checkpoint["algorithm"] == "Ed25519"
    assert checkpoint["created_at"] == format_time(rt.now())


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None, database=None)
@given(ws=_text, seq=st.integers(min_value=0, max_value=10**12), actor=_text, action=_text,
       subject=st.none() | _text, data=_text, prev=_text)
def test_fast_encoder_matches_canonical_event(ws, seq, actor, action, subject, data, prev):
    when = datetime(2026, 6, 2, 16, 0, 0, 123456, tzinfo=timezone.utc)
    assert fast_canonical_event(ws, seq, format_time(when), actor, action, subject, data, prev) == \
        canonical_event(ws, seq, when, actor, action, subject, data, prev)


def test_a_resumed_walk_verifies_only_what_came_after(rt, chain):
    full = _verify(rt, chain.id)
    append_events(rt, chain.id, 4)
    with rt.transaction() as s:
        resumed = verify_chain(s, chain.id, resume=(full["head"]["seq"], full["head"]["hash"]))
    assert resumed["intact"] and resumed["events"] == 4
    assert resumed["head"]["seq"] == full["head"]["seq"] + 4


def test_a_resumed_walk_names_its_anchor_when_it_changed_or_went(rt, chain):
    full = _verify(rt, chain.id)
    anchor = full["head"]["seq"]
    with rt.transaction() as s:
        assert not verify_chain(s, chain.id, resume=(anchor, "0" * 64))["intact"]
    tamper(rt, ("DELETE FROM audit_events WHERE workspace_id = :ws AND seq = :seq", {"ws": chain.id, "seq": anchor}))
    with rt.transaction() as s:
        gone = verify_chain(s, chain.id, resume=(anchor, full["head"]["hash"]))
    assert gone["first_bad"] == {"seq": anchor, "reason": f"event {anchor} is missing (it was verified before)"}
