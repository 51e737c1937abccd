"""The JSON API, ``/api/v1``: diagnose a paste, list entries, fetch one entry, give feedback.

Bodies are the engine's own ``to_dict()`` shapes plus each entry's ``url``; every failure is
the one error shape of :mod:`webapp.errors`. The contract is written in :mod:`webapp.openapi`.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import feedback, results
from .concurrency import run_blocking
from .errors import WebError
from .kbstate import diagnoser
from .requests import json_body
from .store import TOKEN
from .store.store import MAX_REASON_CHARS
from .views import DEFAULT_TOP, MAX_TOP, entry_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _json_body() -> dict:
    if not request.is_json:
        raise WebError(415, "unsupported_media_type", "Send the body as application/json.")
    data = json_body()
    if data is None:
        raise WebError(400, "invalid_json", "The body is not valid JSON (UTF-8).")
    if not isinstance(data, dict):
        raise WebError(400, "invalid_request", 'The body must be a JSON object: {"text": "..."}.')
    return data


def _top(data: dict) -> int:
    top = data.get("top", DEFAULT_TOP)
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= MAX_TOP:
        raise WebError(400, "invalid_top", f"'top' must be a whole number from 1 to {MAX_TOP}.")
    return top


@bp.post("/diagnose")
def diagnose():
    data = _json_body()
    text = data.get("text")
    if text is None:
        raise WebError(400, "missing_text", "'text' is required: the error text to diagnose.")
    if not isinstance(text, str):
        raise WebError(400, "invalid_request", "'text' must be a string.")
    if not text.strip():
        raise WebError(400, "empty_text", "'text' is empty: paste the error message.")
    # engine errors: errors.from_engine; the computing in a real thread (webapp.concurrency)
    diagnosis = run_blocking(diagnoser().diagnose, text, _top(data))
    results.count(diagnosis)  # the day's figures; the gap queue when not confident
    body = diagnosis.to_dict()
    for result in body["results"]:
        result["url"] = entry_url(result["id"])
    return jsonify(body)


@bp.get("/entries")
def entries():
    product = request.args.get("product", "").strip().casefold()
    tag = request.args.get("tag", "").strip().casefold()
    listed = []
    for entry in sorted(diagnoser().entries.values(), key=lambda e: e.id):
        if product and product not in (p.casefold() for p in entry.products):
            continue
        if tag and tag not in (t.casefold() for t in entry.tags):
            continue
        listed.append({**entry.summary_dict(), "url": entry_url(entry.id)})
    return jsonify({"entries": listed})


@bp.get("/entries/<entry_id>")
def entry(entry_id: str):
    found = diagnoser().entries.get(entry_id)
    if found is None:
        raise WebError(404, "unknown_entry", f"There is no entry with id {entry_id!r}.")
    body = found.to_dict()
    body["url"] = entry_url(found.id)
    body["feedback"] = feedback.counts(found.id)
    return jsonify(body)


@bp.post("/feedback")
def give_feedback():
    """``{"entry": id, "solved": bool, "reason"?: str, "result"?: token}`` -> 201 with the counts.

    One vote per client per result (``result``, a permalink token), or without one per entry
    per hour: a second vote is 409 ``already_counted``.
    """
    data = _json_body()
    entry_id = data.get("entry")
    if not isinstance(entry_id, str) or not entry_id.strip():
        raise WebError(400, "invalid_entry", "'entry' is required: the id of the entry voted on.")
    if entry_id not in diagnoser().entries:
        raise WebError(404, "unknown_entry", f"There is no entry with id {entry_id[:120]!r}.")
    solved = data.get("solved")
    if not isinstance(solved, bool):
        raise WebError(400, "invalid_solved", "'solved' is required: true or false.")
    reason = data.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON_CHARS):
        raise WebError(
            400,
            "invalid_reason",
            f"'reason' must be a text of at most {MAX_REASON_CHARS} characters.",
        )
    result = data.get("result")
    if result is not None:
        if not isinstance(result, str) or not TOKEN.match(result):
            raise WebError(
                400, "invalid_result", "'result' must be a result token from /r/<token>."
            )
        if feedback.store().load_result(result) is None:
            raise WebError(404, "unknown_result", "There is no stored result with that token.")
    verdict = "solved" if solved else "not_helpful"
    counted = feedback.store().add_feedback(
        entry_id, verdict, voter=feedback.voter(), result=result, reason=reason or None
    )
    if not counted:
        raise WebError(
            409,
            "already_counted",
            "This client already gave feedback on this entry"
            + (" for this result." if result else " within the hour."),
        )
    body = {
        "entry": entry_id,
        "verdict": verdict,
        "feedback": feedback.store().feedback_counts(entry_id),
    }
    return jsonify(body), 201
