"""Result permalinks: a paste and what it was answered with, under an unguessable token.

The page (``/r/<token>``), the API and the chat endpoints all store a result here and link to
it, so an answer can be shared, bookmarked and reopened without pasting again. The store keeps
it for ``KB_RESULT_TTL_S`` seconds (30 days by default).

Expired results are deleted by the process that saves one when it has not done so for
``KB_RESULT_EXPIRE_EVERY_S`` seconds (an hour by default; the first save after a start always
does): no scheduler to run, every node takes part, and the delete, one indexed range, costs
little however often several nodes happen to run it.
"""

from __future__ import annotations

import time

from flask import current_app, request

from engine.model import Diagnosis

from .feedback import store
from .store import RESULT_TTL_S


def save(paste: str, diagnosis: Diagnosis, *, top: int, kb_version: str | None = None) -> str:
    """Store the paste and its answer; return the token. Raises StoreUnavailable."""
    payload = {
        "paste": paste,
        "top": top,
        "kb_version": kb_version,
        "confident": diagnosis.confident,
        "results": [
            {"id": r.entry.id, "confidence": round(r.confidence, 3)} for r in diagnosis.remedies
        ],
    }
    ttl = current_app.config.get("KB_RESULT_TTL_S") or RESULT_TTL_S
    token = store().save_result(payload, ttl_s=float(ttl)).token
    expire_now_and_then()
    return token


def expire_now_and_then(now: float | None = None) -> int | None:
    """Delete expired results when this app last did it ``KB_RESULT_EXPIRE_EVERY_S`` ago or
    more; return how many, or None when it was not time yet."""
    now = time.monotonic() if now is None else now
    every = float(current_app.config.get("KB_RESULT_EXPIRE_EVERY_S", 3600))
    last = current_app.extensions.get("kb_results_expired_at")
    if last is not None and now - last < every:
        return None
    current_app.extensions["kb_results_expired_at"] = now
    removed = store().expire_results()
    if removed:
        current_app.logger.info("deleted %d expired result(s)", removed)
    return removed


def load(token: str) -> dict | None:
    """The stored payload, or None when the token is malformed, unknown or expired."""
    found = store().load_result(token)
    return found.payload if found is not None else None


def page_url(token: str) -> str:
    """The permalink page's absolute address (``KB_PUBLIC_URL`` when set: chat messages are
    read far from the request that made them)."""
    base = current_app.config.get("KB_PUBLIC_URL") or request.host_url
    return f"{base.rstrip('/')}/r/{token}"
