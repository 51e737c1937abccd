"""The JSON API, ``/api/v1``: diagnose a paste, list entries, fetch one entry.

Bodies are the engine's own ``to_dict()`` shapes plus each entry's ``url``; every failure is
the one error shape of :mod:`webapp.errors`. The contract is written in :mod:`webapp.openapi`.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from . import feedback
from .errors import WebError
from .kbstate import diagnoser
from .requests import json_body
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
    diagnosis = diagnoser().diagnose(text, top=_top(data))  # engine errors: errors.from_engine
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
    body["feedback"] = feedback.store().counts(found.id)
    return jsonify(body)
