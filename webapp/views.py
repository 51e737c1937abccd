"""The helpdesk pages: paste box, results, the KB list, one entry, feedback buttons, health.

Every page is built from engine objects (a Diagnosis, Entries) and rendered by a template;
no ranking is computed here. Pages work without JavaScript.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound

from engine.errors import KBError

from . import feedback
from .concurrency import run_blocking
from .config import human_bytes
from .errors import WebError, from_engine
from .kbstate import diagnoser
from .render import highlight, markdown_html, safe_url
from .requests import bounded_int

bp = Blueprint("web", __name__)

DEFAULT_TOP = 5
MAX_TOP = 20
# What the entry page says after a vote (?feedback=...).
FEEDBACK_NOTES = {
    "thanks": "Thank you: your feedback was recorded.",
    "already": "You already gave feedback on this entry within the hour; it was counted once.",
}


def entry_url(entry_id: str) -> str:
    """Absolute URL of an entry's page: ``KB_PUBLIC_URL`` when set, else this request's host."""
    path = url_for("web.entry", entry_id=entry_id)
    public = current_app.config.get("KB_PUBLIC_URL")
    if public:
        return public.rstrip("/") + path
    return request.host_url.rstrip("/") + path


def _limits() -> dict:
    return {
        "paste_limit": human_bytes(current_app.config["KB_MAX_PASTE_BYTES"]),
        "body_limit": human_bytes(current_app.config["MAX_CONTENT_LENGTH"]),
    }


def _status() -> dict:
    d = diagnoser()
    return {"entry_count": len(d.entries), "broken": len(d.errors)}


@bp.app_context_processor
def page_globals():
    return {"safe_url": safe_url}


@bp.get("/")
def index():
    return render_template("index.html", text="", top=DEFAULT_TOP, **_limits(), **_status())


def _form_top() -> int:
    raw = request.form.get("top", "").strip()
    if not raw:
        return DEFAULT_TOP
    top = bounded_int(raw, 3)
    if top is None or not 1 <= top <= MAX_TOP:
        raise ValueError(f"'top' must be a whole number from 1 to {MAX_TOP}.")
    return top


@bp.post("/diagnose")
def diagnose():
    text = request.form.get("text", "")
    page = {"text": text, **_limits(), **_status()}
    try:
        top = _form_top()
    except ValueError as exc:
        return render_template("index.html", message=str(exc), top=DEFAULT_TOP, **page), 400
    if not text.strip():
        message = "Paste the error message (and a few lines around it) first."
        return render_template("index.html", message=message, top=top, **page), 400
    try:
        diagnosis = run_blocking(diagnoser().diagnose, text, top)
    except KBError as exc:
        error = from_engine(exc)
        if error.status == 413:
            page["text"] = ""  # do not echo a megabyte back
        return render_template("index.html", message=error.message, top=top, **page), error.status
    paste_sha256 = hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
    cards = [
        _card(rank, remedy, diagnosis.threshold)
        for rank, remedy in enumerate(diagnosis.remedies, 1)
    ]
    return render_template(
        "results.html",
        diagnosis=diagnosis,
        facts=diagnosis.normalised.facts,
        cards=cards,
        top=top,
        paste_sha256=paste_sha256,
        **page,
    )


def _card(rank: int, remedy, threshold: float) -> dict:
    entry = remedy.entry
    why = remedy.why
    terms = why["terms"]
    return {
        "rank": rank,
        "entry": entry,
        "confidence": remedy.confidence,
        "percent": remedy.percent,
        "label": remedy.confidence_label(threshold),
        "nearest": remedy.confidence < threshold,
        "rules": why["rules"],
        "terms": terms,
        "symptom": highlight(markdown_html(entry.symptom), terms),
        "cause": highlight(markdown_html(entry.cause), terms),
        "fix": markdown_html(entry.fix),
        "source": safe_url(entry.source),
    }


def _matches(entry, product: str, tag: str, q: str) -> bool:
    if product and product.casefold() not in (p.casefold() for p in entry.products):
        return False
    if tag and tag.casefold() not in (t.casefold() for t in entry.tags):
        return False
    if q:
        haystack = " ".join((entry.id, entry.title, *entry.tags, *entry.products)).casefold()
        return all(word in haystack for word in q.casefold().split())
    return True


@bp.get("/kb")
def entries():
    d = diagnoser()
    product = request.args.get("product", "").strip()
    tag = request.args.get("tag", "").strip()
    q = request.args.get("q", "").strip()
    everything = sorted(d.entries.values(), key=lambda e: (e.title.casefold(), e.id))
    shown = [e for e in everything if _matches(e, product, tag, q)]
    products = Counter(p for e in everything for p in e.products)
    tags = Counter(t for e in everything for t in e.tags)
    return render_template(
        "entries.html",
        entries=shown,
        total=len(everything),
        product=product,
        tag=tag,
        q=q,
        products=sorted(products.items(), key=lambda kv: kv[0].casefold()),
        tags=sorted(tags.items(), key=lambda kv: (-kv[1], kv[0].casefold()))[:60],
        **_status(),
    )


@bp.get("/kb/<entry_id>")
def entry(entry_id: str):
    d = diagnoser()
    found = d.entries.get(entry_id)
    if found is None:
        raise NotFound()
    sections = [(name, markdown_html(text)) for name, text in found.sections]
    see_also = [d.entries[i] for i in found.see_also if i in d.entries]
    return render_template(
        "entry.html",
        entry=found,
        sections=sections,
        see_also=see_also,
        source=safe_url(found.source),
        counts=feedback.counts(found.id),
        note=FEEDBACK_NOTES.get(request.args.get("feedback", "")),
        **_status(),
    )


@bp.post("/feedback")
def give_feedback():
    entry_id = request.form.get("entry_id", "")
    verdict = request.form.get("verdict", "")
    if verdict not in feedback.VERDICTS:
        raise WebError(400, "bad_verdict", "Feedback must be 'solved' or 'not_helpful'.")
    if entry_id not in diagnoser().entries:
        raise WebError(404, "unknown_entry", "There is no entry with that id.")
    counted = feedback.store().add_feedback(
        entry_id,
        verdict,
        voter=feedback.voter(),
        paste_sha256=request.form.get("paste_sha256") or None,
    )
    note = "thanks" if counted else "already"
    target = url_for("web.entry", entry_id=entry_id, feedback=note, _anchor="feedback")
    return redirect(target, code=303)


@bp.get("/kb/_status")
def status():
    """Live reload's view: the version serving, and every file that is not served and why."""
    d = diagnoser()
    found = d.status
    state = current_app.extensions["kb"]
    return render_template(
        "status.html",
        vid=d.vid,
        entry_total=len(d.entries),
        errors=found.get("problems", []),
        drafts=found.get("drafts", []),
        last_good=found.get("last_good", []),
        loaded_at=d.snapshot.version.built_at,
        scanned_at=found.get("scanned_at"),
        reload=d.last_reload,
        watching=state.watcher is not None or state.owned,
        interval=current_app.config["KB_WATCH_INTERVAL"],
        **_status(),
    )


@bp.get("/healthz")
def healthz():
    d = diagnoser()
    return jsonify(
        {
            "status": "ok",
            "entries": len(d.entries),
            "broken_files": len(d.errors),
            "kb_version": d.vid,
        }
    )
