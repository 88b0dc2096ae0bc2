"""The console in a real browser (Debian's Chromium driven by Playwright), against the
app served on a local port with the in-process sandbox as Twilio.

Screenshots of every page at 1280x800 and 390x844 go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from preflight import connection as conn_service
from preflight.consent import ledger
from tests.conftest import make_app
from tests.console.console_helpers import PASSWORD, add_message, add_user, days_ago

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
CONTACT = "+14155550123"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Debian's Chromium is not installed at /usr/bin/chromium "
                                       "(apt-get install -y chromium)")


@pytest.fixture
def scenario():
    """A registered business whose campaign is still in review: the account is not ready."""
    from preflight.sandbox import scenarios

    return scenarios.variants()["campaign_in_progress"]


@pytest.fixture
def live(db_url, clock, sandbox, scenario):
    """The app on 127.0.0.1:<free port>, seeded with a connected workspace and two users."""
    from tests.conftest import make_workspace

    app = make_app(db_url, clock, sandbox, PREFLIGHT_PUBLIC_URL=None)
    rt = app.extensions["preflight"]
    ws = make_workspace(rt)
    with rt.transaction() as s:
        conn_service.set_connection(s, rt.cipher, ws.id, account_sid=sandbox.account_sid,
                                    auth_token=sandbox.auth_token,
                                    phone_number=scenario["incoming_phone_numbers"][0]["phone_number"],
                                    now=rt.now(), actor="system")
        ledger.record_opt_in(s, ws.id, {"phone_number": CONTACT, "scope": "marketing", "written": True,
                                        "method": "web_form", "captured_at": "2026-05-20T14:03:00+00:00",
                                        "source": "https://acme.example/checkout", "ip": "198.51.100.23",
                                        "disclosure_text": "I agree to receive recurring marketing texts from "
                                                           "Acme Dental. Reply STOP to cancel."},
                             rt.now(), "system")
    for day, decision, reasons in [(1, "allowed", ()), (1, "blocked", ("quiet_hours",)), (2, "allowed", ()),
                                   (2, "allowed", ()), (3, "blocked", ("no_consent", "content_missing_opt_out")),
                                   (5, "allowed", ()), (6, "blocked", ("opted_out",))]:
        add_message(rt, ws.id, decision=decision, reasons=reasons, when=days_ago(rt, day, hours=2))
    add_user(rt, ws.id, "admin@acme.example", "admin")
    add_user(rt, ws.id, "officer@acme.example", "compliance")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)
    rt.close()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=SIZES["desktop"], accept_downloads=True)
    yield context.new_page()
    context.close()


def shoot(page, name: str) -> None:
    """Save the current page at both widths (full length), then go back to desktop."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)
    page.set_viewport_size(SIZES["desktop"])


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/console/")
    assert "/console/login" in page.url
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{base}/console/")


def test_admin_checks_the_account_looks_up_a_contact_and_downloads_a_report(live, page, tmp_path):
    page.goto(f"{live}/console/login")
    page.fill("#f-email", "admin@acme.example")
    page.fill("#f-password", "wrong password")
    page.click("button:has-text('Log in')")
    assert page.locator("#f-password-error").inner_text() == "The email or password is not right."
    shoot(page, "login-error")
    log_in(page, live, "admin@acme.example")

    # Connected but never checked: the dashboard says what to do next.
    assert page.get_by_role("heading", name="No readiness check yet").is_visible()
    shoot(page, "dashboard-empty")
    page.click("button:has-text('Run the first check')")
    page.wait_for_load_state()
    assert page.locator(".flash").inner_text().startswith("Check finished: Not ready")
    assert page.locator("#status-h").inner_text() == "Not ready: US messages will be blocked"
    failing = page.locator(".chain .link-fail")
    assert failing.count() == 1 and "Campaign" in failing.inner_text()
    first_problem = page.locator(".checks .check").first
    assert "campaign.verified" in first_problem.inner_text() and "how to fix" in first_problem.inner_text().lower()
    shoot(page, "dashboard")

    page.click("nav >> text=Connection")
    assert page.locator("#f-auth_token").input_value() == ""
    shoot(page, "connection")

    page.click("nav >> text=Contacts")
    page.fill("#f-phone", "(415) 555-0123")
    page.click("button:has-text('Look up')")
    assert page.locator("#state-h").inner_text().endswith(CONTACT)
    assert "I agree to receive recurring marketing texts" in page.locator("#history-h + .table-wrap").inner_text()
    shoot(page, "contact")
    page.fill("#f-text", "Asked by phone to stop all texts")
    page.click("button:has-text('Record opt-out')")
    assert "Opt-out recorded" in page.locator(".flash").inner_text()
    assert page.locator(".kv .badge").first.inner_text().lower() == "opted out"
    shoot(page, "contact-opted-out")

    page.click("nav >> text=Messages")
    assert page.locator(".chart-wide rect.bar-blocked").count() == 14
    page.select_option("#f-outcome", "blocked")
    page.click("button:has-text('Apply')")
    assert page.locator("td[data-label=Decision]").count() == 3
    shoot(page, "messages")

    page.click("nav >> text=Reports")
    shoot(page, "reports")
    with page.expect_download() as download:
        page.click("#readiness-report button:has-text('Download PDF')")
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF") and target.name.startswith("readiness-")
    page.fill("#audit_from", "2026-06-05")
    page.fill("#audit_to", "2026-06-01")
    page.click("#audit-report button:has-text('Download PDF')")
    assert "The end date is before the start date." in page.locator("#audit_to-error").inner_text()

    page.click("nav >> text=Audit trail")
    assert "The chain is intact" in page.locator(".status-hero").inner_text()
    assert page.locator("td[data-label=Action] code", has_text="report.generated").count() == 1
    shoot(page, "audit")

    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{live}/console/login")
    shoot(page, "login")


def test_a_compliance_officer_can_read_but_not_change_anything(live, page):
    log_in(page, live, "officer@acme.example")
    assert page.locator("button:has-text('Run')").count() == 0
    shoot(page, "dashboard-compliance")
    page.click("nav >> text=Connection")
    assert page.locator("form[action='/console/connection']").count() == 0
    assert "read-only access" in page.locator(".readonly-note").inner_text()
    shoot(page, "connection-compliance")
    page.goto(f"{live}/console/contacts?phone=%2B14155550123")
    assert page.locator("button:has-text('Record opt-out')").count() == 0
    # Forge the admin's form anyway: the server refuses it.
    page.evaluate("""() => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/console/readiness/run';
        const token = document.querySelector('input[name=csrf_token]').cloneNode();
        form.appendChild(token);
        document.body.appendChild(form);
        form.submit();
    }""")
    page.wait_for_url(f"{live}/console/readiness/run")
    assert page.get_by_role("heading", name="Not allowed").is_visible()
    shoot(page, "refused-compliance")
    page.goto(f"{live}/console/")
    assert page.locator("#status-h").count() == 0  # no check was run
