"""Console login, logout, sessions, lockout and per-IP rate limiting."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from preflight.models import AuditEvent, User

from tests.console.console_helpers import PASSWORD, add_user, login, post

from tests.conftest import make_app


def test_root_redirects_to_console_and_anonymous_to_login(client):
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/console/")
    resp = client.get("/console/messages?outcome=blocked")
    assert resp.status_code == 302
    assert "/console/login?next=/console/messages?outcome%3Dblocked" in resp.headers["Location"]


def test_login_shows_the_console_and_audits_it(rt, client, admin, ws):
    resp = login(client, "Admin@Acme.example", next="/console/contacts")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/console/contacts")
    page = client.get("/console/").get_data(as_text=True)
    assert "admin@acme.example" in page and "Acme Dental" in page
    with rt.transaction() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.workspace_id == ws.id)).all()
    assert "user.created" in actions and "user.login" in actions


def test_session_cookie_is_httponly_samesite_and_secure_behind_https(client, admin):
    resp = login(client, "admin@acme.example")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in cookie  # PREFLIGHT_PUBLIC_URL is https in the tests


def test_cookie_secure_follows_the_request_scheme_without_a_public_url(db_url, clock, sandbox):
    app = make_app(db_url, clock, sandbox, PREFLIGHT_PUBLIC_URL=None)
    try:
        plain = app.test_client().get("/console/login").headers["Set-Cookie"]
        tls = app.test_client().get("/console/login", base_url="https://console.example").headers["Set-Cookie"]
    finally:
        app.extensions["preflight"].close()
    assert "Secure" not in plain and "HttpOnly" in plain
    assert "Secure" in tls


def test_wrong_password_and_unknown_email_read_the_same(client, admin):
    wrong = login(client, "admin@acme.example", "not the password")
    unknown = login(client, "nobody@acme.example", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    for resp in (wrong, unknown):
        html = resp.get_data(as_text=True)
        assert 'class="error" id="f-password-error"' in html and "The email or password is not right." in html
    missing = login(client, "", "")
    assert missing.status_code == 400
    assert "Enter your email address." in missing.get_data(as_text=True)


def test_five_failures_lock_the_account_for_fifteen_minutes(rt, client, clock, admin):
    for _ in range(4):
        assert login(client, "admin@acme.example", "wrong password!").status_code == 401
    locked = login(client, "admin@acme.example", "wrong password!")
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    with rt.transaction() as s:
        user = s.get(User, admin)
        assert user.locked_until == clock() + timedelta(minutes=15)
    # The right password does not help while locked.
    assert login(client, "admin@acme.example").status_code == 429
    clock.advance(minutes=15, seconds=1)
    assert login(client, "admin@acme.example").status_code == 302
    with rt.transaction() as s:
        user = s.get(User, admin)
        assert user.failed_logins == 0 and user.locked_until is None


def test_lockout_survives_a_restart_of_the_process(rt, db_url, clock, sandbox, client, admin):
    for _ in range(5):
        login(client, "admin@acme.example", "wrong password!")
    fresh = make_app(db_url, clock, sandbox)  # new in-memory limiters, same database
    try:
        c = fresh.test_client()
        assert login(c, "admin@acme.example").status_code == 429
    finally:
        fresh.extensions["preflight"].close()


def test_failures_from_one_address_are_limited_across_emails(rt, ws, client, clock):
    add_user(rt, ws.id, "second@acme.example", "admin")
    for i in range(10):
        assert login(client, f"guess{i}@acme.example", "wrong password!").status_code == 401
    refused = login(client, "second@acme.example")
    assert refused.status_code == 429
    clock.advance(minutes=15, seconds=1)
    assert login(client, "second@acme.example").status_code == 302


def test_a_different_address_is_not_limited(app, rt, ws, clock):
    add_user(rt, ws.id, "second@acme.example", "admin")
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for i in range(10):
        login(attacker, f"guess{i}@acme.example", "wrong password!")
    assert login(attacker, "second@acme.example").status_code == 429
    office = app.test_client()
    office.environ_base["REMOTE_ADDR"] = "198.51.100.2"
    assert login(office, "second@acme.example").status_code == 302


def test_logout_needs_post_with_csrf_and_ends_the_session(admin_client):
    assert admin_client.get("/console/logout").status_code == 405
    assert admin_client.post("/console/logout").status_code == 400
    resp = post(admin_client, "/console/logout")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/console/login")
    assert admin_client.get("/console/").status_code == 302


def test_idle_sessions_expire(admin_client, clock):
    assert admin_client.get("/console/").status_code == 200
    clock.advance(hours=7, minutes=59)
    assert admin_client.get("/console/").status_code == 200  # activity renews the session
    clock.advance(hours=8, minutes=1)
    assert admin_client.get("/console/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/v1/connection", "/\\evil"])
def test_next_never_leaves_the_console(client, admin, target):
    resp = login(client, "admin@acme.example", next=target)
    assert resp.headers["Location"].endswith("/console/")


def test_sender_users_have_no_console(rt, ws, client):
    from preflight.console.users import hash_password
    from preflight.models import new_id

    with rt.transaction() as s:
        s.add(User(id=new_id("usr"), workspace_id=ws.id, email="app@acme.example",
                   password_hash=hash_password(PASSWORD), role="sender", created_at=rt.now(),
                   failed_logins=0))
    resp = login(client, "app@acme.example")
    assert resp.status_code == 401
    assert "sender role has no console" in resp.get_data(as_text=True)
