"""Response headers for every answer, and the checks that prove a chat request is genuine.

- Headers: a Content-Security-Policy with no script source at all (the pages need no
  JavaScript), nosniff, no referrer, no framing; ``no-store`` on answers to POSTs (pastes may
  name hosts and accounts).
- Slack: ``X-Slack-Signature`` is ``v0=`` + HMAC-SHA256(signing secret,
  ``v0:{X-Slack-Request-Timestamp}:{raw body}``), compared in constant time; a timestamp more
  than five minutes away from now is refused (replay).
- Mattermost: the ``token`` of the outgoing webhook or slash command, compared in constant time.
- Browser forms: a POST a browser marks as cross-site (``Sec-Fetch-Site``) is refused; no
  cookies are used, so this is the whole of the CSRF story.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import Flask, request

from .errors import WebError
from .requests import bounded_int

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' https: data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
SLACK_MAX_AGE = 5 * 60  # seconds, either way
BROWSER_FORMS = ("/diagnose", "/feedback")


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def verify_slack(secret: str, headers, body: bytes, now: float | None = None) -> bool:
    """True when the request carries a fresh, valid Slack signature over *body*."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    seconds = bounded_int(timestamp, 12)  # int() of 5,000 digits raises (a 500, before)
    if seconds is None or not signature:
        return False
    if abs((time.time() if now is None else now) - seconds) > SLACK_MAX_AGE:
        return False
    return _equal(slack_signature(secret, timestamp, body), signature)


def verify_token(configured: str, given: str | None) -> bool:
    """True when *given* equals one of the comma-separated *configured* tokens.

    Each Mattermost integration (an outgoing webhook, a slash command) has its own token, so
    several may be configured. Every candidate is compared, so timing says nothing.
    """
    candidates = [t.strip() for t in configured.split(",") if t.strip()]
    if not given:
        return False
    matched = False
    for candidate in candidates:
        matched |= _equal(candidate, given)
    return matched


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_cross_site_forms():
        if (
            request.method == "POST"
            and request.path in BROWSER_FORMS
            and request.headers.get("Sec-Fetch-Site") == "cross-site"
        ):
            raise WebError(403, "cross_site", "Forms may only be sent from this site.")

    @app.after_request
    def add_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.method == "POST":
            response.headers["Cache-Control"] = "no-store"
        return response
