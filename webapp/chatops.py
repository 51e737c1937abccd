"""Chat-ops: a Slack slash command and a Mattermost outgoing webhook / slash command.

Both verify the sender first (Slack's request signature; Mattermost's token), then diagnose
the text and answer at once (well within Slack's 3 seconds) with the same Diagnosis the web
page shows, formatted by :mod:`webapp.chatformat`. With no secret configured the endpoint
refuses every request: it is never open.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import MethodNotAllowed

from engine.errors import KBError

from . import chatformat
from .concurrency import run_blocking
from .errors import WebError, from_engine
from .kbstate import diagnoser
from .requests import json_body
from .security import verify_slack, verify_token
from .views import entry_url

bp = Blueprint("chatops", __name__, url_prefix="/api/v1")

CHAT_TOP = 3
NOT_VERIFIED = WebError(401, "unauthorized", "The request could not be verified.")


def unescape_slack(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _diagnose(text: str):
    """(Diagnosis, None) or (None, a short message for the user)."""
    try:
        return run_blocking(diagnoser().diagnose, text, CHAT_TOP), None
    except KBError as exc:  # chat shows the message in the channel, not as an HTTP error
        return None, from_engine(exc).message


def _setting(key: str, service: str) -> str:
    """A chat endpoint's secret; without one the endpoint refuses every request (503)."""
    value = current_app.config.get(key)
    if not value:
        message = f"{service} is not configured on this server: set {key}."
        raise WebError(503, "not_configured", message)
    return value


@bp.route("/slack", methods=["GET", "POST"])
def slack():
    secret = _setting("SLACK_SIGNING_SECRET", "Slack")
    raw = request.get_data(cache=True)  # the signature covers these exact bytes
    # Slack checks the certificate with an unsigned request carrying ssl_check=1 (a GET in its
    # older docs, a POST now); Slack's own SDK answers it before verifying signatures.
    if request.values.get("ssl_check") == "1":
        return "", 200
    if request.method != "POST":
        raise MethodNotAllowed(valid_methods=["POST"])
    if not verify_slack(secret, request.headers, raw):
        raise NOT_VERIFIED
    # Slack escapes &, < and > in what the user typed; the engine wants the text as written.
    text = unescape_slack(request.form.get("text", "")).strip()
    command = request.form.get("command", "/kb")
    if not text:
        return jsonify(chatformat.slack_usage(command))
    diagnosis, problem = _diagnose(text)
    if diagnosis is None:
        return jsonify(chatformat.slack_message(problem))
    return jsonify(chatformat.slack_reply(diagnosis, entry_url))


def _mattermost_payload() -> dict:
    if request.is_json:
        data = json_body()
        if not isinstance(data, dict):
            raise WebError(400, "invalid_json", "The body is not a valid JSON object.")
        return {k: v if isinstance(v, str) else "" for k, v in data.items()}
    return request.form.to_dict()


@bp.post("/mattermost")
def mattermost():
    configured = _setting("MATTERMOST_TOKEN", "Mattermost")
    header = request.headers.get("Authorization", "")
    # Slash commands send "Authorization: Token <token>": checked before the body is parsed.
    # Outgoing webhooks carry the token only in the body, which json_body bounds first.
    if header[:6].lower() == "token " and not verify_token(configured, header[6:].strip()):
        raise NOT_VERIFIED
    payload = _mattermost_payload()
    token = payload.get("token") or ""
    if not token and header[:6].lower() == "token ":
        token = header[6:].strip()
    if not verify_token(configured, token):
        raise NOT_VERIFIED
    text = payload.get("text", "")
    trigger = payload.get("trigger_word", "")
    is_webhook = bool(trigger) or not payload.get("command")
    if trigger and text.lstrip().startswith(trigger):
        text = text.lstrip()[len(trigger) :]
    text = text.strip()
    command = payload.get("command") or trigger or "kb"
    if not text:
        return jsonify(chatformat.mattermost_usage(command, is_webhook))
    diagnosis, problem = _diagnose(text)
    if diagnosis is None:
        return jsonify(chatformat.mattermost_message(problem, is_webhook))
    return jsonify(chatformat.mattermost_reply(diagnosis, entry_url, is_webhook))
