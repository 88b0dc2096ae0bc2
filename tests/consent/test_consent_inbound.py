"""Inbound replies through the signed webhook: signatures, retries, classification."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from preflight import connection as conn_service
from preflight.consent import ledger
from preflight.consent.inbound import handle_inbound
from preflight.errors import InvalidInput
from preflight.models import AuditEvent, ConsentEvent, InboundMessage
from tests.conftest import PUBLIC_URL, make_app, make_workspace
from tests.consent.consent_helpers import fresh_number, inbound_params, opt_in_fields, sign

OTHER_TOKEN = "f" * 32
OTHER_SID = "AC" + "e" * 32


def path_for(ws_id: str) -> str:
    return f"/webhooks/twilio/{ws_id}/inbound"


def post_signed(client, ws_id, params, token, url=None, **kwargs):
    url = url or PUBLIC_URL + path_for(ws_id)
    return client.post(path_for(ws_id), data=params, headers={"X-Twilio-Signature": sign(token, url, params)},
                       **kwargs)


def counts(rt):
    with rt.transaction() as s:
        return (s.scalar(select(func.count()).select_from(InboundMessage)),
                s.scalar(select(func.count()).select_from(ConsentEvent)))


@pytest.fixture
def consented(rt, connected):
    """A number of the connected workspace with both scopes consented."""
    number = fresh_number()
    now = rt.now()
    with rt.transaction() as s:
        ledger.record_opt_in(s, connected.id, opt_in_fields(number, now - timedelta(days=2)), now, "t")
        ledger.record_opt_in(s, connected.id, opt_in_fields(number, now - timedelta(days=1), "informational"),
                             now, "t")
    return number


def state_of(rt, ws_id, number):
    with rt.transaction() as s:
        return ledger.state_dict(ledger.contact_state(s, ws_id, number))


def test_signed_stop_opts_out_and_answers_empty_twiml(client, rt, connected, sandbox, consented):
    resp = post_signed(client, connected.id, inbound_params(sandbox.account_sid, "SM" + "1" * 32, consented,
                                                            "STOP"), sandbox.auth_token)
    assert resp.status_code == 200
    assert resp.mimetype == "text/xml" and b"<Response></Response>" in resp.data
    state = state_of(rt, connected.id, consented)
    assert state["opted_out"] and state["scopes"] == []
    with rt.transaction() as s:
        (event,) = [e for e in ledger.history(s, connected.id, consented) if e.kind == "opt_out"]
        assert (event.channel, event.actor, event.text, event.dedupe_key) == ("sms", "twilio", "STOP",
                                                                              "SM" + "1" * 32)
        message = s.scalars(select(InboundMessage)).one()
        assert message.classification == "opt_out" and message.body == "STOP"


def test_replayed_message_sid_has_one_effect(client, rt, connected, sandbox, consented):
    params = inbound_params(sandbox.account_sid, "SM" + "2" * 32, consented, "Stop texting me please")
    for _ in range(3):
        assert post_signed(client, connected.id, params, sandbox.auth_token).status_code == 200
    assert counts(rt) == (1, 3)  # two opt-ins + one opt-out
    with rt.transaction() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(["consent.opt_out", "inbound.received"]))) == 2


def test_handle_inbound_twice_in_one_transaction_is_one_effect(rt, connected, sandbox, consented):
    params = inbound_params(sandbox.account_sid, "SM" + "3" * 32, consented, "STOP")
    with rt.transaction() as s:
        assert handle_inbound(s, connected.id, params, rt.now()) is not None
        assert handle_inbound(s, connected.id, params, rt.now()) is None
    assert counts(rt) == (1, 3)


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": ""}, {"X-Twilio-Signature": "Zm9yZ2Vk"}])
def test_missing_or_forged_signature_is_refused_and_changes_nothing(client, rt, connected, sandbox, consented,
                                                                     headers):
    params = inbound_params(sandbox.account_sid, "SM" + "4" * 32, consented, "STOP")
    resp = client.post(path_for(connected.id), data=params, headers=headers)
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "invalid_signature"
    assert counts(rt) == (0, 2)
    assert not state_of(rt, connected.id, consented)["opted_out"]


def test_tampered_body_is_refused(client, rt, connected, sandbox, consented):
    params = inbound_params(sandbox.account_sid, "SM" + "5" * 32, consented, "thanks!")
    signature = sign(sandbox.auth_token, PUBLIC_URL + path_for(connected.id), params)
    resp = client.post(path_for(connected.id), data={**params, "Body": "STOP"},
                       headers={"X-Twilio-Signature": signature})
    assert resp.status_code == 403 and counts(rt) == (0, 2)


def test_signature_made_with_another_workspaces_token_is_refused(client, rt, connected, sandbox, consented):
    other = make_workspace(rt, "Other Clinic")
    with rt.transaction() as s:
        conn_service.set_connection(s, rt.cipher, other.id, account_sid=OTHER_SID, auth_token=OTHER_TOKEN,
                                    phone_number="+12125550100", now=rt.now(), actor="t")
    params = inbound_params(sandbox.account_sid, "SM" + "6" * 32, consented, "STOP")
    # B's token over A's URL, and A's token over B's URL: both refused.
    assert post_signed(client, connected.id, params, OTHER_TOKEN).status_code == 403
    resp = client.post(path_for(other.id), data=params, headers={
        "X-Twilio-Signature": sign(sandbox.auth_token, PUBLIC_URL + path_for(other.id), params)})
    assert resp.status_code == 403
    # A request correctly signed for B is accepted by B only and changes only B's ledger.
    assert post_signed(client, other.id, params, OTHER_TOKEN).status_code == 200
    assert not state_of(rt, connected.id, consented)["opted_out"]
    assert state_of(rt, other.id, consented)["opted_out"]


def test_unknown_workspace_is_refused(client, sandbox, connected, consented):
    params = inbound_params(sandbox.account_sid, "SM" + "7" * 32, consented, "STOP")
    assert post_signed(client, "ws_doesnotexist", params, sandbox.auth_token).status_code == 403


def test_behind_a_proxy_the_public_url_is_what_is_signed(client, rt, connected, sandbox, consented):
    """The request reaches the app as http://10.0.0.5:8000/...; Twilio signed https://preflight.test/..."""
    params = inbound_params(sandbox.account_sid, "SM" + "8" * 32, consented, "STOP")
    internal = "http://10.0.0.5:8000"
    resp = post_signed(client, connected.id, params, sandbox.auth_token, base_url=internal)
    assert resp.status_code == 200
    assert state_of(rt, connected.id, consented)["opted_out"]
    # A signature over the internal URL is not what Twilio would send: refused.
    params = inbound_params(sandbox.account_sid, "SM" + "9" * 32, consented, "STOP")
    resp = post_signed(client, connected.id, params, sandbox.auth_token,
                       url=internal + path_for(connected.id), base_url=internal)
    assert resp.status_code == 403


def test_public_url_on_another_host_than_the_request(db_url, clock, sandbox, scenario):
    app = make_app(db_url, clock, sandbox, PREFLIGHT_PUBLIC_URL="https://hooks.example.com/")
    try:
        rt = app.extensions["preflight"]
        client = app.test_client()
        ws = make_workspace(rt)
        with rt.transaction() as s:
            conn_service.set_connection(s, rt.cipher, ws.id, account_sid=sandbox.account_sid,
                                        auth_token=sandbox.auth_token, phone_number="+14155550100",
                                        now=rt.now(), actor="t")
        number = fresh_number()
        params = inbound_params(sandbox.account_sid, "SM" + "a" * 32, number, "STOP")
        resp = post_signed(client, ws.id, params, sandbox.auth_token,
                           url="https://hooks.example.com" + path_for(ws.id), base_url="http://127.0.0.1:8080")
        assert resp.status_code == 200
        assert state_of(rt, ws.id, number)["opted_out"]
    finally:
        app.extensions["preflight"].close()


@pytest.mark.parametrize("body, extra, kind, opted_out", [
    ("STOP", {}, "opt_out", True),
    ("Stop texting me please", {}, "opt_out", True),
    ("  unsubscribe!! ", {}, "opt_out", True),
    ("I can't stop smiling", {}, None, False),
    ("See you Tuesday", {}, None, False),
    ("HELP", {}, "help", False),
    ("whatever", {"OptOutType": "STOP"}, "opt_out", True),
])
def test_classification_end_to_end(client, rt, connected, sandbox, consented, body, extra, kind, opted_out):
    sid = "SM" + fresh_number()[2:].rjust(32, "0")
    params = inbound_params(sandbox.account_sid, sid, consented, body, **extra)
    assert post_signed(client, connected.id, params, sandbox.auth_token).status_code == 200
    state = state_of(rt, connected.id, consented)
    assert state["opted_out"] is opted_out
    assert state["marketing"] is (not opted_out)
    with rt.transaction() as s:
        kinds = [e.kind for e in ledger.history(s, connected.id, consented)]
        message = s.scalars(select(InboundMessage).where(InboundMessage.message_sid == sid)).one()
    assert kinds == ["opt_in", "opt_in"] + ([kind] if kind else [])
    assert message.body == body and message.classification == kind


def test_start_restores_what_stop_removed(client, rt, connected, sandbox, consented):
    post_signed(client, connected.id, inbound_params(sandbox.account_sid, "SM" + "b" * 32, consented, "STOP"),
                sandbox.auth_token)
    assert state_of(rt, connected.id, consented)["scopes"] == []
    post_signed(client, connected.id, inbound_params(sandbox.account_sid, "SM" + "c" * 32, consented, "start",
                                                     OptOutType="START"), sandbox.auth_token)
    state = state_of(rt, connected.id, consented)
    assert state["scopes"] == ["marketing", "informational"] and not state["opted_out"]


def test_reply_from_a_non_phone_sender_is_stored_only(client, rt, connected, sandbox):
    params = inbound_params(sandbox.account_sid, "SM" + "d" * 32, "+1555", "STOP")
    assert post_signed(client, connected.id, params, sandbox.auth_token).status_code == 200
    assert counts(rt) == (1, 0)


def test_message_without_sid_is_invalid(rt, connected):
    with rt.transaction() as s:
        with pytest.raises(InvalidInput) as exc:
            handle_inbound(s, connected.id, {"From": "+14155550100", "Body": "STOP"}, rt.now())
    assert "MessageSid" in exc.value.details


def test_concurrent_deliveries_of_one_message_have_one_effect(rt, connected, sandbox):
    """Twilio retrying while the first delivery is still in flight: no check-then-insert race."""
    import threading

    number = fresh_number()
    params = inbound_params(sandbox.account_sid, "SM" + "e" * 32, number, "STOP")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def deliver():
        try:
            barrier.wait()
            with rt.transaction() as s:
                results.append(handle_inbound(s, connected.id, params, rt.now()) is not None)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(results) == [False, False, False, True]
    assert counts(rt) == (1, 1)
    assert state_of(rt, connected.id, number)["opted_out"]
