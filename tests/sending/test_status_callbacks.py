"""Status callbacks: forward-only statuses, duplicates with one effect, 21610, 30034,
unknown messages."""
from __future__ import annotations

from sqlalchemy import func, select

from preflight.models import AuditEvent, CarrierError, ContactState, Message, StatusEvent
from preflight.sandbox.callbacks import signed_headers
from tests.sending.send_helpers import NY, send
from tests.conftest import PUBLIC_URL


def post_status(client, sandbox, ws, params, message_id=None):
    url = f"{PUBLIC_URL}/webhooks/twilio/{ws.id}/status"
    if message_id:
        url += f"?message={message_id}"
    return client.post(url.replace(PUBLIC_URL, ""), data=params,
                       headers=signed_headers(sandbox.auth_token, url, params))


def params(sid, status, error=None):
    out = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status, "To": NY,
           "From": "+14155550100", "AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01"}
    if error:
        out["ErrorCode"] = error
    return out


def sent_message(client, ws):
    data = send(client, ws).get_json()
    return data["id"], data["twilio_sid"]


def status(rt, message_id):
    with rt.transaction() as s:
        return s.get(Message, message_id).status


def test_statuses_never_move_backwards(client, ready, sandbox, rt):
    mid, sid = sent_message(client, ready)
    assert post_status(client, sandbox, ready, params(sid, "delivered"), mid).status_code == 204
    assert post_status(client, sandbox, ready, params(sid, "sent"), mid).status_code == 204
    assert status(rt, mid) == "delivered"
    with rt.transaction() as s:
        assert sorted(s.scalars(select(StatusEvent.status).where(StatusEvent.message_id == mid))) == [
            "delivered", "sent"]


def test_found_by_sid_without_our_id(client, ready, sandbox, rt):
    mid, sid = sent_message(client, ready)
    post_status(client, sandbox, ready, params(sid, "sent"))
    assert status(rt, mid) == "sent"


def test_duplicate_callbacks_have_one_effect(client, ready, sandbox, rt):
    mid, sid = sent_message(client, ready)
    for _ in range(3):
        assert post_status(client, sandbox, ready, params(sid, "undelivered", "21610"), mid).status_code == 204
    with rt.transaction() as s:
        assert s.scalar(select(func.count()).select_from(StatusEvent).where(StatusEvent.message_id == mid)) == 1
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "message.status", AuditEvent.subject == mid)) == 1
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "consent.opt_out")) == 1


def test_21610_records_an_opt_out(client, ready, sandbox, rt):
    mid, sid = sent_message(client, ready)
    post_status(client, sandbox, ready, params(sid, "undelivered", "21610"), mid)
    with rt.transaction() as s:
        assert s.get(ContactState, (ready.id, NY)).opted_out is True
        msg = s.get(Message, mid)
        assert msg.status == "undelivered" and msg.error_code == "21610"
    assert "opted_out" in [r["code"] for r in send(client, ready).get_json()["reasons"]]


def test_30034_records_a_carrier_error_for_the_sender(client, ready, sandbox, rt):
    mid, sid = sent_message(client, ready)
    post_status(client, sandbox, ready, params(sid, "undelivered", "30034"), mid)
    with rt.transaction() as s:
        rows = s.scalars(select(CarrierError)).all()
        assert [(r.sender, r.error_code, r.message_id) for r in rows] == [("+14155550100", "30034", mid)]
    assert [r["code"] for r in send(client, ready).get_json()["reasons"]] == ["carrier_registration_error"]


def test_unknown_message_is_ignored(client, ready, sandbox, rt):
    assert post_status(client, sandbox, ready, params("SM" + "f" * 32, "delivered")).status_code == 204
    assert post_status(client, sandbox, ready, params("SM" + "e" * 32, "delivered"), "msg_nope").status_code == 204
    with rt.transaction() as s:
        assert s.scalars(select(StatusEvent)).all() == []


def test_another_workspaces_message_is_not_touched(client, ready, sandbox, rt):
    from tests.conftest import make_workspace

    mid, sid = sent_message(client, ready)
    other = make_workspace(rt, "Other")
    client.put("/v1/connection", headers=other.headers("admin"), json={
        "account_sid": sandbox.account_sid, "auth_token": sandbox.auth_token, "phone_number": "+14155550100"})
    post_status(client, sandbox, other, params(sid, "failed"), mid)
    assert status(rt, mid) == "submitted"


def test_forged_callback_changes_nothing(client, ready, sandbox, rt):
    mid, sid = sent_message(client, ready)
    resp = client.post(f"/webhooks/twilio/{ready.id}/status?message={mid}", data=params(sid, "failed"),
                       headers={"X-Twilio-Signature": "forged"})
    assert resp.status_code == 403
    assert status(rt, mid) == "submitted"
