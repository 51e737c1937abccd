"""One error shape, one handler: every failure becomes ``{"error": {"code", "message"}}``
for machine clients (``/api/...``, ``/openapi.json``, ``/healthz``) and an HTML page built from
the same two fields for browsers.

Views raise :class:`WebError` or let the engine's :class:`~engine.errors.KBError` through
(mapped by :func:`from_engine`), or let Werkzeug raise 404/405/413 and Flask-Limiter 429
(with ``Retry-After``); a database that is away is 503 ``store_unavailable`` (with
``Retry-After``). Nothing else formats errors.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from engine.errors import KBError, PasteTooLarge

from .config import human_bytes
from .store import StoreUnavailable

# Werkzeug's exceptions -> our stable codes and plain messages (no internals, no stack).
HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "The request could not be verified."),
    403: ("forbidden", "This request is not allowed."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    413: ("payload_too_large", "The request body is larger than the limit."),
    415: ("unsupported_media_type", "The content type of the request is not accepted here."),
    429: ("rate_limited", "Too many requests from this address: wait a moment, then try again."),
    500: ("internal_error", "Something went wrong on the server; the error was logged."),
    503: ("service_unavailable", "The service is not available."),
}
# What a client waits before trying again when the database is away (503 store_unavailable).
STORE_RETRY_AFTER_S = 10
MACHINE_PATHS = ("/api/", "/openapi.json", "/healthz")


class WebError(Exception):
    """A failure a client caused or must know about: HTTP status, stable code, message."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def wants_json() -> bool:
    return request.path.startswith(MACHINE_PATHS) or request.path.rstrip("/") == "/api"


def error_response(error: WebError):
    if error.status < 500:  # one line per refused request; a client's mistake is no traceback
        current_app.logger.info(
            "refused %s %s: %d %s", request.method, request.path, error.status, error.code
        )
    if wants_json():
        response = jsonify(error_body(error.code, error.message))
    else:
        response = render_template(
            "error.html", status=error.status, code=error.code, message=error.message
        )
    return response, error.status, error.headers


def _from_http(exc: HTTPException) -> WebError:
    status = exc.code or 500
    code, message = HTTP_CODES.get(status, (f"http_{status}", exc.name))
    headers = {}
    if status == 405:
        allow = exc.get_response().headers.get("Allow")
        if allow:
            headers["Allow"] = allow
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit:
            message = f"The request body is larger than the {human_bytes(limit)} limit."
    if status == 429:
        from .limits import retry_after

        headers["Retry-After"] = str(retry_after())
    return WebError(status, code, message, headers)


def from_engine(exc: KBError) -> WebError:
    """The one mapping of the engine's errors to HTTP: a paste over the limit is 413, the
    rest (``top`` out of range, ...) is the client's request, 400. Pages, the API and the chat
    endpoints all use it."""
    if isinstance(exc, PasteTooLarge):
        return WebError(413, "paste_too_large", str(exc))
    return WebError(400, "invalid_request", str(exc))


def unavailable(exc: StoreUnavailable) -> WebError:
    """The database is away: 503 in the error shape (the page still diagnoses meanwhile)."""
    return WebError(
        503,
        "store_unavailable",
        "Feedback cannot be saved right now (the database is unreachable); try again shortly.",
        {"Retry-After": str(STORE_RETRY_AFTER_S)},
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(StoreUnavailable)
    def handle_store_error(exc: StoreUnavailable):
        app.logger.warning("store unavailable on %s %s: %s", request.method, request.path, exc)
        return error_response(unavailable(exc))

    @app.errorhandler(KBError)
    def handle_engine_error(exc: KBError):
        return error_response(from_engine(exc))

    @app.errorhandler(WebError)
    def handle_web_error(error: WebError):
        return error_response(error)

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        return error_response(_from_http(exc))

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        code, message = HTTP_CODES[500]
        return error_response(WebError(500, code, message))
