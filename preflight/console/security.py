"""Console request security: session cookie flags, CSRF tokens, response headers.

- The session cookie is HttpOnly and SameSite=Lax (set by create_app) and Secure when
  the request came over https or PREFLIGHT_PUBLIC_URL is an https URL (a TLS proxy in
  front); `ConsoleSessionInterface` decides per request.
- Every POST to the console carries `csrf_token`, a random per-session token compared in
  constant time.
- Pages send a strict Content-Security-Policy (no scripts, nothing from elsewhere) and
  are never cached.
"""
from __future__ import annotations

import hmac
import secrets

from flask import abort, current_app, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface

CSRF_FIELD = "csrf_token"
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with the Secure flag decided per request."""

    def get_cookie_secure(self, app) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        public = (app.config.get("PREFLIGHT_PUBLIC_URL") or "").lower()
        if public.startswith("https://"):
            return True
        return has_request_context() and request.is_secure


def csrf_token() -> str:
    """This session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Abort with 400 unless a state-changing request carries this session's token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = session.get("csrf")
    presented = request.form.get(CSRF_FIELD, "")
    if not expected or not presented or not hmac.compare_digest(expected, presented):
        current_app.logger.info("console: CSRF token missing or wrong on %s", request.path)
        abort(400, description="csrf")


def secure_headers(response):
    """Headers every console response carries."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response
