"""Log triage on the web: ``GET/POST /triage`` (upload page and report) and
``POST /api/v1/triage`` (the same report as JSON, the shape of ``kb triage --json``).
Groups no entry answers confidently go to the knowledge-gap queue (:mod:`webapp.gaps`).

Uploads are multipart ``file`` fields (one or more: one upload, one byte budget). The body
limit here is ``KB_TRIAGE_MAX_UPLOAD``, set per request, not the app-wide
``MAX_CONTENT_LENGTH`` a paste needs; what an archive may expand to is ``KB_TRIAGE_MAX_BYTES``.
Every failure is a :class:`webapp.errors.WebError`: the one error shape, JSON or HTML.
"""

from __future__ import annotations

from pathlib import PureWindowsPath

from flask import Blueprint, current_app, jsonify, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from triage import Limits, NotALog, Refused, Report, triage_streams

from .concurrency import run_blocking
from .config import human_bytes
from .errors import WebError
from .gaps import record_template
from .kbstate import diagnoser

bp = Blueprint("triage", __name__)
MAX_FILES = 20


@bp.before_request
def bound_the_upload():
    limit = current_app.config["KB_TRIAGE_MAX_UPLOAD"]
    request.max_content_length = limit
    if request.method != "POST":
        return
    if request.content_length is not None and request.content_length > limit:
        raise _too_large()


def _too_large() -> WebError:
    limit = human_bytes(current_app.config["KB_TRIAGE_MAX_UPLOAD"])
    return WebError(413, "payload_too_large", f"The upload is larger than the {limit} limit.")


def _display_name(filename: str | None) -> str:
    """The file's own name, never a client's path (browsers on Windows send C:\\...\\x.evtx)."""
    return PureWindowsPath(filename or "upload").name[:200] or "upload"


def _run() -> Report:
    try:
        files = request.files.getlist("file")
    except RequestEntityTooLarge:  # a body without Content-Length, stopped while read
        raise _too_large() from None
    files = [f for f in files if f.filename or f.content_length]
    if not files:
        raise WebError(400, "missing_file", "Send the log as a multipart/form-data field 'file'.")
    if len(files) > MAX_FILES:
        raise WebError(400, "too_many_files", f"Send at most {MAX_FILES} files at once.")
    inputs = [(_display_name(f.filename), f.stream) for f in files]
    if all(_empty(stream) for _, stream in inputs):
        raise WebError(400, "empty_file", "The uploaded file is empty.")
    limits = Limits(max_bytes=current_app.config["KB_TRIAGE_MAX_BYTES"])
    try:
        # seconds of CPU for a big bundle: a real thread, so a gevent worker keeps answering
        report = run_blocking(triage_streams, inputs, diagnoser(), limits)
    except NotALog as exc:
        raise WebError(422, "not_a_log", str(exc)) from None
    except Refused as exc:
        raise WebError(413, "input_refused", str(exc)) from None
    _record_gaps(report)
    return report


def _record_gaps(report: Report) -> None:
    """Each group no entry answers confidently joins the knowledge-gap queue once per upload
    (its template is already masked; recorded here, in the request, not in the worker thread)."""
    for result in report.unanswered:
        group = result.group
        record_template(group.template, event_id=group.event_id, source=group.source)


def _empty(stream) -> bool:
    position = stream.tell()
    empty = not stream.read(1)
    stream.seek(position)
    return empty


def _limits() -> dict:
    return {
        "upload_limit": human_bytes(current_app.config["KB_TRIAGE_MAX_UPLOAD"]),
        "expand_limit": human_bytes(current_app.config["KB_TRIAGE_MAX_BYTES"]),
    }


@bp.route("/triage", methods=["GET", "POST"])
def page():
    """The upload form; after a POST, the report above it (one route: one page)."""
    if request.method == "GET":
        return render_template("triage.html", report=None, **_limits())
    report = _run()
    names = [_display_name(f.filename) for f in request.files.getlist("file")]
    return render_template("triage.html", report=report, names=names, **_limits())


@bp.post("/api/v1/triage")
def api():
    return jsonify(_run().to_dict())
