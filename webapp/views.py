"""The helpdesk pages: paste box, results, the KB list, one entry, feedback buttons, health.

Every page is built from engine objects (a Diagnosis, Entries) and rendered by a template;
no ranking is computed here. Pages work without JavaScript.
"""

from __future__ import annotations

from collections import Counter

from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from engine.kb import dump_yaml

from . import feedback, gaps, permalinks, results
from .concurrency import run_blocking
from .errors import WebError
from .kbstate import diagnoser
from .render import markdown_html, safe_url
from .results import DEFAULT_TOP, MAX_TOP, limits
from .results import status as _status
from .store import TOKEN

bp = Blueprint("web", __name__)

__all__ = ["DEFAULT_TOP", "MAX_TOP", "bp", "entry_url"]


def entry_url(entry_id: str) -> str:
    """Absolute URL of an entry's page: ``KB_PUBLIC_URL`` when set, else this request's host."""
    path = url_for("web.entry", entry_id=entry_id)
    public = current_app.config.get("KB_PUBLIC_URL")
    if public:
        return public.rstrip("/") + path
    return request.host_url.rstrip("/") + path


@bp.app_context_processor
def page_globals():
    return {"safe_url": safe_url}


@bp.get("/")
def index():
    """The paste box; with ``?q=`` (browser search, a link from a ticket) the results at once."""
    q = request.args.get("q", "")
    if q.strip():
        return results.show(q, DEFAULT_TOP, token=None)
    return render_template(
        "index.html", text="", top=DEFAULT_TOP, autofocus=True, **limits(), **_status()
    )


@bp.post("/")
@bp.post("/diagnose")
def diagnose():
    """Answer a paste with ``303 See Other`` to its permalink (Back does not post again)."""
    return results.diagnose_form()


@bp.get("/r/<token>")
def result(token: str):
    """A stored paste and its results, answered again by the KB serving now."""
    found = permalinks.load(token)
    if found is None:
        raise WebError(
            404,
            "unknown_result",
            _("There is no stored result at this address: it expired or never existed."),
        )
    response = make_response(
        results.show(found["paste"], found.get("top") or DEFAULT_TOP, token=token)
    )
    response.headers["Cache-Control"] = "no-store"  # a paste may name hosts and accounts
    return response


@bp.post("/request-article")
def request_article():
    """Put a paste in the knowledge-gap queue ("Request an article"), then thank in place."""
    return results.request_article()


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
        note=_note(request.args.get("feedback", "")),
        rules=dump_yaml({"rules": [dict(r) for r in found.rules]}) if found.rules else "",
        generated=(
            dump_yaml({"generated_rules": [dict(r) for r in found.generated_rules]})
            if found.generated_rules
            else ""
        ),
        **_status(),
    )


@bp.post("/feedback")
def give_feedback():
    """A vote from a result card or an entry page. Without JavaScript: ``303`` back to the
    entry with a thank-you; the page's script asks for JSON and thanks in place. A "didn't
    help" on a stored result puts that paste in the knowledge-gap queue."""
    entry_id = request.form.get("entry_id", "")
    verdict = request.form.get("verdict", "")
    token = request.form.get("result", "")
    if verdict not in feedback.VERDICTS:
        raise WebError(400, "bad_verdict", _("Feedback must be 'solved' or 'not_helpful'."))
    if entry_id not in diagnoser().entries:
        raise WebError(404, "unknown_entry", _("There is no entry with that id."))
    stored = permalinks.load(token) if TOKEN.match(token) else None
    counted = feedback.store().add_feedback(
        entry_id,
        verdict,
        voter=feedback.voter(),
        result=token if stored else None,
        paste_sha256=request.form.get("paste_sha256") or None,
    )
    if counted and stored and verdict == "not_helpful":
        diagnosis = run_blocking(diagnoser().diagnose, stored["paste"], 1)
        gaps.record_unanswered(diagnosis, reason="not_solved")
    note = "thanks" if counted else "already"
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"counted": counted, "note": _note(note)})
    target = url_for("web.entry", entry_id=entry_id, feedback=note, _anchor="feedback")
    return redirect(target, code=303)


def _note(name: str) -> str | None:
    if name == "thanks":
        return _("Thank you: your feedback was recorded.")
    if name == "already":
        return _("You already gave feedback on this entry; it was counted once.")
    return None


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
