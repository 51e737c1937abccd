"""Rate limits per client, with Flask-Limiter (the `limits` library underneath).

Four budgets, each shared by the routes that do the same work, counted per client address
(the real client's when ``KB_TRUSTED_PROXIES`` says how many proxies to believe):

    diagnose  POST /, /diagnose, /request-article,      KB_RATELIMIT_DIAGNOSE  120/minute
              POST /api/v1/diagnose
    feedback  POST /feedback, POST /api/v1/feedback     KB_RATELIMIT_FEEDBACK   30/minute
    triage    POST /triage, POST /api/v1/triage         KB_RATELIMIT_TRIAGE     20/minute
    chat      /api/v1/slack, /teams, /mattermost (+ buttons) KB_RATELIMIT_CHAT 120/minute

A client over its budget gets 429 in the one error shape with ``Retry-After``. Counters live
in each worker process by default (``memory://``); ``KB_RATELIMIT_STORAGE_URI=redis://...``
shares them between processes and nodes. A storage that cannot be reached never fails a
request: the limits fall back to memory and a warning is logged.
"""

from __future__ import annotations

import math
import time

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

BUDGETS = {
    "diagnose": (
        "KB_RATELIMIT_DIAGNOSE",
        ("web.diagnose", "web.request_article", "api.diagnose"),
        None,
    ),
    "feedback": ("KB_RATELIMIT_FEEDBACK", ("web.give_feedback", "api.give_feedback"), None),
    "triage": ("KB_RATELIMIT_TRIAGE", ("triage.page", "triage.api"), ["POST"]),
    "chat": (
        "KB_RATELIMIT_CHAT",
        ("chatops.slack", "chatops.mattermost", "chatops.teams")
        + ("chatops.slack_interactions", "chatops.mattermost_actions"),
        None,
    ),
}


def init_app(app: Flask) -> None:
    """Put the four budgets on their routes (call after the blueprints are registered)."""
    uri = app.config["KB_RATELIMIT_STORAGE_URI"]
    options = {}
    if uri.startswith(("redis://", "rediss://", "redis+")):
        # a Redis that stops answering must cost a request milliseconds, not seconds
        options = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=uri,
        storage_options=options,
        strategy="sliding-window-counter",
        key_prefix="kb",
        headers_enabled=False,  # Retry-After only on a 429 (webapp.errors), not on every answer
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        enabled=app.config["KB_RATELIMIT_ENABLED"],
    )
    for scope, (setting, endpoints, methods) in BUDGETS.items():
        shared = limiter.shared_limit(
            lambda setting=setting: current_app.config[setting], scope=scope, methods=methods
        )
        for endpoint in endpoints:
            app.view_functions[endpoint] = shared(app.view_functions[endpoint])
    app.extensions["kb_limiter"] = limiter


def retry_after() -> int:
    """Whole seconds until the limit this request hit lets the client in again: at least 1, at
    most the limit's window (flask-limiter rounds the reset time up a second, so a per-minute
    limit could say 61)."""
    limiter: Limiter | None = current_app.extensions.get("kb_limiter")
    current = limiter.current_limit if limiter is not None else None
    if current is None:
        return 60
    wait = math.ceil(current.reset_at - time.time())
    return max(1, min(current.limit.get_expiry(), wait))
