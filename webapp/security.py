"""Response headers for every answer, and the checks that prove a chat request is genuine.

- Headers: a Content-Security-Policy that runs only the site's own script file (no inline
  script, no other origin: a writer's or a feed's text can never run) and lets it fetch only
  from the site; the pages work without it. nosniff, no referrer, no framing; ``no-store`` on answers to POSTs (pastes may
  name hosts and accounts).
- Slack: ``X-Slack-Signature`` is ``v0=`` + HMAC-SHA256(signing secret,
  ``v0:{X-Slack-Request-Timestamp}:{raw body}``), compared in constant time; a timestamp more
  than five minutes away from now is refused (replay).
- Mattermost: the ``token`` of the outgoing webhook or slash command, compared in constant time.
- Every state-changing request (a POST, the chat endpoints aside: they prove themselves by
  signature or token) must come from this site: a browser's ``Sec-Fetch-Site`` must be
  ``same-origin`` (or ``none``: typed, bookmarked); a browser too old to send it must name
  this site (or ``KB_PUBLIC_URL``) in ``Origin``, ``null`` refused. Clients that send neither
  (curl, scripts) are not browsers and pass. The one cookie, the page's language (``kb_lang``),
  authenticates nothing, so this is the whole of the CSRF story.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlsplit

from flask import Flask, request

from .errors import WebError
from .requests import bounded_int

CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # No referrer leaves the site; inside it browsers then send a real Origin with a form
    # (under no-referrer they send "Origin: null", which the form check must refuse).
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
SLACK_MAX_AGE = 5 * 60  # seconds, either way
# Server-to-server endpoints: no browser sends to them; their signature or token is the check.
SIGNED_ENDPOINTS = ("/api/v1/slack", "/api/v1/mattermost")


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


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def foreign(headers, host_url: str, public_url: str | None) -> bool:
    """Whether a browser says this request comes from another site.

    >>> foreign({"Sec-Fetch-Site": "same-origin"}, "http://kb.local/", None)
    False
    >>> foreign({"Origin": "https://evil.example"}, "http://kb.local/", None)
    True
    >>> foreign({"Origin": "https://kb.example.com"}, "http://10.0.0.5/", "https://kb.example.com")
    False
    >>> foreign({}, "http://kb.local/", None)   # not a browser
    False
    """
    site = headers.get("Sec-Fetch-Site")
    if site is not None:  # set by the browser itself, no page can forge it: it decides
        return site.strip().lower() not in ("same-origin", "none")
    origin = headers.get("Origin")  # an older browser: the origin it names must be ours
    if origin is None:
        return False
    allowed = {_origin(host_url)} | ({_origin(public_url)} if public_url else set())
    return origin.strip().lower() not in allowed


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_cross_site_posts():
        if request.method != "POST" or request.path in SIGNED_ENDPOINTS:
            return
        if foreign(request.headers, request.host_url, app.config.get("KB_PUBLIC_URL")):
            raise WebError(403, "cross_site", "Forms may only be sent from this site.")

    @app.after_request
    def add_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.method == "POST":
            response.headers["Cache-Control"] = "no-store"
        return response
