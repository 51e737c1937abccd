"""What the chat endpoints share: their secrets, the refusal they answer with, replay
protection, and handing work to the follow-up pool with the request's site attached."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request

from .errors import WebError
from .feedback import store
from .followup import Followups, allow_list, allowed

NOT_VERIFIED = WebError(401, "unauthorized", "The request could not be verified.")
REPLAYED = WebError(409, "replayed", "This request was already answered.")


def setting(key: str, service: str) -> str:
    """A chat endpoint's secret; without one the endpoint refuses every request (503)."""
    value = current_app.config.get(key)
    if not value:
        message = f"{service} is not configured on this server: set {key}."
        raise WebError(503, "not_configured", message)
    return value


def first_time(timestamp: int, signature: str) -> None:
    """Refuse (409) a validly signed request seen before: a signature answers once."""
    if not store().remember_request(timestamp, signature):
        raise REPLAYED


def init_app(app: Flask) -> None:
    app.extensions["kb_followups"] = Followups()


def followups() -> Followups:
    return current_app.extensions["kb_followups"]


def response_url_allowed(url: object) -> bool:
    """Whether a follow-up may go to *url* (webapp.followup); a refusal is logged, host only."""
    if allowed(url, allow_list(current_app.config.get("KB_SLACK_RESPONSE_URL_ALLOW"))):
        return True
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url).hostname if isinstance(url, str) and len(url) < 2000 else None
    except ValueError:  # not even a URL ("http://[::1")
        host = None
    current_app.logger.warning("follow-up dropped: response_url host %r is not allowed", host)
    return False


def run_later(job: Callable[[], None]) -> bool:
    """Run *job* in the follow-up pool, inside a request context for this request's site (so
    entry and permalink URLs come out as they would here); False when the pool is full."""
    app = current_app._get_current_object()
    base = request.host_url

    def run() -> None:
        with app.test_request_context(base_url=base):
            job()

    return followups().submit(run)
