"""Mattermost: an outgoing webhook or a ``/kb`` slash command, and its buttons.

The token of the integration is checked in constant time (``Authorization: Token`` before the
body is parsed, or the body's ``token`` once json_body has bounded it). Slash commands answer
ephemerally; an outgoing webhook can only answer in the channel, as a comment. The answer is
the same compact one as Slack's, with interactive buttons ("integration actions") whose URL
points back at ``/api/v1/mattermost/actions``.

Mattermost sends no token with a button press, so each button's context carries a signature:
HMAC-SHA256 over the action, the entry id and the permalink token, keyed with the configured
``MATTERMOST_TOKEN``. A forged or altered context is refused (401).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import jsonify, request, url_for

from . import chatanswer
from .chatanswer import Answer
from .chatbase import NOT_VERIFIED, setting
from .chatformat import MATTERMOST_FIX_LIMIT, clean_markdown, md_fit, md_label
from .errors import WebError
from .kbstate import diagnoser
from .requests import json_body
from .security import verify_token
from .store import TOKEN

SOLVED, NOT_SOLVED, REQUEST = "solved", "notsolved", "request"  # Mattermost: ids alphanumeric
BUTTONS = "Under an answer: **Solved it** and **Didn't solve it** count on the entry."
LABELS = {SOLVED: "Solved it", NOT_SOLVED: "Didn't solve it", REQUEST: "Request an article"}


def sign(secret: str, action: str, token: str, entry: str) -> str:
    key = hashlib.sha256(b"kb-mattermost-action:" + secret.encode("utf-8")).digest()
    message = f"{action}\n{token}\n{entry}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _payload() -> dict:
    if request.is_json:
        data = json_body()
        if not isinstance(data, dict):
            raise WebError(400, "invalid_json", "The body is not a valid JSON object.")
        return {k: v if isinstance(v, str) else "" for k, v in data.items()}
    return request.form.to_dict()


def _buttons(found: Answer, secret: str) -> list[dict]:
    if not found.token:
        return []
    actions = [SOLVED, NOT_SOLVED] if found.confident else [REQUEST]
    entry = found.entry_id or ""
    # Mattermost's server calls it: the public address when there is one, like every link
    url = chatanswer.site_url().rstrip("/") + url_for("chatops.mattermost_actions")
    return [
        {
            "id": action,
            "name": LABELS[action],
            "integration": {
                "url": url,
                "context": {
                    "action": action,
                    "token": found.token,
                    "entry": entry,
                    "signature": sign(secret, action, found.token, entry),
                },
            },
        }
        for action in actions
    ]


def _text(found: Answer) -> str:
    if found.problem:
        return md_label(found.problem)
    page = f"\n[The whole answer, other remedies, why]({found.page_url})" if found.page_url else ""
    if not found.confident:
        nearest = "".join(f"\n- [{md_label(n.title)}]({n.url})" for n in found.nearest)
        return (
            "No confident answer for that paste."
            + (f"\nNearest:{nearest}" if nearest else "")
            + page
        )
    text = f"**[{md_label(found.best.title)}]({found.best.url})** · confidence {found.percent}% ({found.label})"
    if found.steps:
        text += "\n**First steps**\n" + md_fit(
            clean_markdown(found.steps), MATTERMOST_FIX_LIMIT, ""
        )
    if found.why:
        text += "\n_Why:_ " + md_label(found.why)
    return text + page


def reply(found: Answer, webhook: bool, secret: str) -> dict:
    """The compact answer as a Mattermost response, with buttons when there is a permalink."""
    message = {"response_type": "comment" if webhook else "ephemeral", "text": _text(found)}
    buttons = _buttons(found, secret)
    if buttons:
        message["attachments"] = [{"text": "", "actions": buttons}]
    return message


def command():
    configured = setting("MATTERMOST_TOKEN", "Mattermost")
    header = request.headers.get("Authorization", "")
    # Slash commands send "Authorization: Token <token>": checked before the body is parsed.
    # Outgoing webhooks carry the token only in the body, which json_body bounds first.
    if header[:6].lower() == "token " and not verify_token(configured, header[6:].strip()):
        raise NOT_VERIFIED
    payload = _payload()
    token = payload.get("token") or ""
    if not token and header[:6].lower() == "token ":
        token = header[6:].strip()
    if not verify_token(configured, token):
        raise NOT_VERIFIED
    text = payload.get("text", "")
    trigger = payload.get("trigger_word", "")
    webhook = bool(trigger) or not payload.get("command")
    if trigger and text.lstrip().startswith(trigger):
        text = text.lstrip()[len(trigger) :]
    name = (payload.get("command") or trigger or "kb")[:40]
    name = name if webhook else "/" + name.lstrip("/")
    kind, words = chatanswer.parse_command(text)
    if kind == "help":
        text = chatanswer.usage(name, chatanswer.site_url(), BUTTONS)
        return jsonify({"response_type": "comment" if webhook else "ephemeral", "text": text})
    if kind == "search":
        found = chatanswer.search_titles(words)
        lines = "".join(f"\n- [{md_label(f.title)}]({f.url})" for f in found) or " none."
        return jsonify(
            {
                "response_type": "comment" if webhook else "ephemeral",
                "text": f"Entries with “{md_label(words[:100])}” in the title:{lines}",
            }
        )
    return jsonify(reply(chatanswer.answer(text), webhook, configured))


def actions():
    """A button press: ``{"user_id", "user_name", "context": {...}}`` from Mattermost."""
    configured = setting("MATTERMOST_TOKEN", "Mattermost")
    data = json_body() if request.is_json else None
    context = data.get("context") if isinstance(data, dict) else None
    if not isinstance(context, dict):
        raise NOT_VERIFIED
    action, token, entry = (context.get(k) for k in ("action", "token", "entry"))
    signature = context.get("signature")
    if not all(isinstance(v, str) for v in (action, token, entry, signature)):
        raise NOT_VERIFIED
    if not hmac.compare_digest(
        sign(configured, action, token, entry).encode(), signature.encode("utf-8", "replace")
    ):
        raise NOT_VERIFIED
    if action not in LABELS or not TOKEN.match(token):
        raise WebError(400, "unknown_action", "That button is not one of ours.")
    name = str(data.get("user_name") or data.get("user_id") or "someone")[:80]
    if action == REQUEST:
        chatanswer.count_gap(token, "requested")
        return jsonify(
            {"update": {"message": f"Article requested by @{md_label(name)}.", "props": {}}}
        )
    found = diagnoser().entries.get(entry)
    if found is None:
        raise WebError(404, "unknown_entry", "That entry is no longer in the KB.")
    solved = action == SOLVED
    voter = f"mattermost:{str(data.get('user_id') or '')[:40]}"
    counted = chatanswer.vote(voter, entry, token, solved)
    if counted and not solved:
        chatanswer.count_gap(token, "not_solved")
    said = "Marked solved" if solved else "Marked not solved"
    message = (
        f"{said} by @{md_label(name)}: {md_label(found.title)}"
        if counted
        else f"@{md_label(name)} already gave feedback on {md_label(found.title)}."
    )
    return jsonify({"update": {"message": message, "props": {}}})
