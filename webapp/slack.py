"""Slack: the ``/kb`` slash command and its buttons (block_actions).

The command is verified (signature, a fresh timestamp, never seen before), acknowledged at
once with a short ephemeral line, and answered by a follow-up POST to its ``response_url``
from the follow-up pool (webapp.followup): the diagnosis never races Slack's 3 seconds.
``help`` and ``search`` are quick and answered in the acknowledgement itself.

The buttons come back signed the same way to ``/api/v1/slack/interactions``: "Solved it" and
"Didn't solve it" count on the entry (one vote per Slack user per answer) and replace the
message with who marked it; "Didn't solve it" and "Request an article" also put the paste in
the knowledge-gap queue; "Show to channel" reposts the answer for everyone.
"""

from __future__ import annotations

import json

from flask import current_app, jsonify, request
from werkzeug.exceptions import MethodNotAllowed

from . import chatanswer, slackformat
from .chatbase import NOT_VERIFIED, first_time, response_url_allowed, run_later, setting
from .followup import post_json
from .kbstate import diagnoser
from .requests import bounded_int, json_depth
from .security import verify_slack
from .store import TOKEN

MAX_PAYLOAD_DEPTH = 12  # Slack's block_actions payloads nest about 8 deep
BUSY = "Too many answers are on their way right now: try again in a minute."


def unescape_slack(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _verified() -> None:
    """The request is Slack's (signature over the raw body, fresh) and seen for the first time."""
    secret = setting("SLACK_SIGNING_SECRET", "Slack")
    if not verify_slack(secret, request.headers, request.get_data(cache=True)):
        raise NOT_VERIFIED
    timestamp = bounded_int(request.headers.get("X-Slack-Request-Timestamp"), 12)
    first_time(timestamp, request.headers["X-Slack-Signature"])


def command():
    setting("SLACK_SIGNING_SECRET", "Slack")
    request.get_data(cache=True)  # the signature covers these exact bytes
    # Slack checks the certificate with an unsigned request carrying ssl_check=1 (a GET in its
    # older docs, a POST now); Slack's own SDK answers it before verifying signatures.
    if request.values.get("ssl_check") == "1":
        return "", 200
    if request.method != "POST":
        raise MethodNotAllowed(valid_methods=["POST"])
    _verified()
    # Slack escapes &, < and > in what the user typed; the engine wants the text as written.
    text = unescape_slack(request.form.get("text", "")).strip()
    name = request.form.get("command", "/kb")[:40]
    kind, words = chatanswer.parse_command(text)
    if kind == "help":
        return jsonify(slackformat.usage(chatanswer.usage(name, chatanswer.site_url())))
    if kind == "search":
        found = chatanswer.search_titles(words)
        return jsonify(slackformat.titles(f"Entries with “{words[:100]}” in the title", found))
    url = request.form.get("response_url")
    if not response_url_allowed(url):
        return jsonify(slackformat.slack_message("This command came without a reply address."))

    def follow_up() -> None:
        post_json(url, slackformat.answer(chatanswer.answer(text)))

    if not run_later(follow_up):
        return jsonify(slackformat.slack_message(BUSY))
    return jsonify(slackformat.slack_message("Looking that up…"))


def _payload() -> dict | None:
    raw = request.form.get("payload", "")
    if json_depth(raw.encode("utf-8")) > MAX_PAYLOAD_DEPTH:
        return None
    try:
        payload = json.loads(raw)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _action(payload: dict) -> tuple[str, str, str | None] | None:
    """(action id, token, entry id) of the pressed button, or None for anything else."""
    actions = payload.get("actions")
    if payload.get("type") != "block_actions" or not isinstance(actions, list) or not actions:
        return None
    action = actions[0] if isinstance(actions[0], dict) else {}
    action_id, value = action.get("action_id"), action.get("value")
    if action_id not in slackformat.ACTIONS or not isinstance(value, str):
        return None
    try:
        fields = json.loads(value[: slackformat.MAX_VALUE_CHARS])
    except ValueError:
        return None
    token, entry = (fields.get("t"), fields.get("e")) if isinstance(fields, dict) else (None, None)
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    if entry is not None and (not isinstance(entry, str) or entry not in diagnoser().entries):
        return None
    if action_id in (slackformat.SOLVED, slackformat.NOT_SOLVED) and entry is None:
        return None
    return action_id, token, entry


def _user(payload: dict) -> tuple[str, str]:
    """(a stable id for one vote per user, the name to show)."""
    user = payload.get("user") if isinstance(payload.get("user"), dict) else {}
    team = payload.get("team") if isinstance(payload.get("team"), dict) else {}
    user_id = str(user.get("id") or "unknown")[:40]
    name = str(user.get("username") or user.get("name") or user_id)[:80]
    return f"slack:{str(team.get('id') or '')[:40]}:{user_id}", name


def interactions():
    _verified()
    payload = _payload()
    pressed = _action(payload) if payload else None
    if pressed is None:  # not a button of ours: nothing to do (Slack only needs the 200)
        current_app.logger.info("slack interaction ignored: not one of our buttons")
        return "", 200
    action_id, token, entry = pressed
    url = payload.get("response_url")
    if not response_url_allowed(url):
        return "", 200
    voter, name = _user(payload)
    if action_id in (slackformat.SOLVED, slackformat.NOT_SOLVED):
        solved = action_id == slackformat.SOLVED
        counted = chatanswer.vote(voter, entry, token, solved)
        title = diagnoser().entries[entry].title
        said = f"Marked solved by @{name}" if solved else f"Marked not solved by @{name}"
        text = f"{said}: {title}" if counted else f"@{name} already gave feedback on {title}."
        run_later(lambda: _mark(url, text, token if counted and not solved else None, "not_solved"))
    elif action_id == slackformat.REQUEST:
        text = f"Article requested by @{name}: the writers will see it in their queue."
        run_later(lambda: _mark(url, text, token, "requested"))
    else:
        run_later(lambda: _show(url, token))
    return "", 200


def _mark(url: str, text: str, token: str | None, reason: str) -> None:
    """Replace the message with *text*; with a *token*, count its paste as a gap first."""
    if token:
        chatanswer.count_gap(token, reason)
    post_json(url, slackformat.updated(text))


def _show(url: str, token: str) -> None:
    diagnosis = chatanswer.stored(token)
    if diagnosis is None:
        post_json(url, slackformat.updated("That answer has expired: run the command again."))
        return
    post_json(url, slackformat.answer(chatanswer.compose(diagnosis, token), in_channel=True))
