"""The results page's work: a paste in, a permalink out; a permalink in, the page out.

``POST /`` diagnoses, counts the paste for the deflection figures, puts a not-confident answer
in the knowledge-gap queue, stores the paste under a token and answers ``303`` to
``/r/<token>``; that page (and ``GET /?q=``) diagnoses the stored text again with the KB
serving now and renders it. ``POST /request-article`` is the no-answer page's button.
"""

from __future__ import annotations

import hashlib

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from engine.errors import KBError
from engine.model import Diagnosis

from . import feedback, gaps, permalinks
from .cards import card
from .concurrency import run_blocking
from .config import human_bytes
from .errors import WebError, from_engine
from .kbstate import diagnoser
from .requests import bounded_int
from .store import StoreUnavailable

DEFAULT_TOP = 5
MAX_TOP = 20
NEAREST = 5  # entries linked from the no-answer page


def limits() -> dict:
    return {
        "paste_limit": human_bytes(current_app.config["KB_MAX_PASTE_BYTES"]),
        "body_limit": human_bytes(current_app.config["MAX_CONTENT_LENGTH"]),
    }


def status() -> dict:
    d = diagnoser()
    return {"entry_count": len(d.entries), "broken": len(d.errors)}


def _form_top() -> int:
    raw = request.form.get("top", "").strip()
    if not raw:
        return DEFAULT_TOP
    top = bounded_int(raw, 3)
    if top is None or not 1 <= top <= MAX_TOP:
        raise ValueError(_("'top' must be a whole number from 1 to %(most)d.", most=MAX_TOP))
    return top


def count(diagnosis: Diagnosis) -> None:
    """The paste in the day's figures, and in the gap queue when nothing answered it."""
    try:
        feedback.store().count_paste(confident=diagnosis.confident)
    except StoreUnavailable:
        current_app.logger.warning("paste not counted: the database is unreachable")
    if not diagnosis.confident:
        gaps.record_unanswered(diagnosis, reason="not_confident")


def diagnose_form():
    text = request.form.get("text", "")
    page = {"text": text, **limits(), **status()}
    try:
        top = _form_top()
    except ValueError as exc:
        return render_template("index.html", message=str(exc), top=DEFAULT_TOP, **page), 400
    if not text.strip():
        message = _("Paste the error message (and a few lines around it) first.")
        return render_template("index.html", message=message, top=top, **page), 400
    try:
        diagnosis = run_blocking(diagnoser().diagnose, text, top)
    except KBError as exc:
        error = from_engine(exc)
        if error.status == 413:
            page["text"] = ""  # do not echo a megabyte back
        return render_template("index.html", message=error.message, top=top, **page), error.status
    count(diagnosis)
    try:
        token = permalinks.save(text, diagnosis, top=top, kb_version=diagnoser().vid)
    except StoreUnavailable:  # no address to give: the answer itself, as before permalinks
        return render(text, diagnosis, top, token=None)
    return redirect(url_for("web.result", token=token), code=303)


def show(text: str, top: int, *, token: str | None):
    """The results of *text*: a permalink's (*token*) or a ``GET /?q=``'s (counted here)."""
    diagnosis = run_blocking(diagnoser().diagnose, text, top)
    if token is None:
        count(diagnosis)
    return render(text, diagnosis, top, token=token)


def render(text: str, diagnosis: Diagnosis, top: int, *, token: str | None):
    threshold = diagnosis.threshold
    cards = [card(rank, r, threshold) for rank, r in enumerate(diagnosis.remedies, 1)]
    return render_template(
        "results.html",
        diagnosis=diagnosis,
        facts=diagnosis.normalised.facts,
        cards=cards if diagnosis.confident else [],
        nearest=[] if diagnosis.confident else [c["entry"] for c in cards[:NEAREST]],
        top=top,
        token=token,
        permalink=permalinks.page_url(token) if token else None,
        paste_sha256=hashlib.sha256(text.encode("utf-8", "replace")).hexdigest(),
        escalate_url=current_app.config.get("KB_ESCALATE_URL"),
        text=text,
        **limits(),
        **status(),
    )


def request_article():
    text = request.form.get("text", "")
    token = request.form.get("result", "")
    if not text.strip() and token:
        stored = permalinks.load(token)
        text = stored["paste"] if stored else ""
    if not text.strip():
        raise WebError(400, "empty_text", _("There is no paste to request an article for."))
    try:
        diagnosis = run_blocking(diagnoser().diagnose, text, DEFAULT_TOP)
    except KBError as exc:
        raise from_engine(exc) from None
    gap = gaps.record_unanswered(diagnosis, reason="requested")
    if gap is None:
        raise WebError(503, "store_unavailable", _("The request could not be recorded; try again."))
    if _wants_json():
        return jsonify({"gap": gap.cluster_key, "count": gap.count}), 201
    return render_template("requested.html", gap=gap, token=token or None, **status()), 201


def _wants_json() -> bool:
    """The page's script asks for JSON (``Accept``) to update in place; a plain form does not."""
    return request.accept_mimetypes.best == "application/json"
