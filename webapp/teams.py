"""Microsoft Teams: an outgoing webhook (``@KB <paste>`` in a channel).

Teams signs each message: ``Authorization: HMAC <base64>``, the base64 of HMAC-SHA256 over
the raw body, keyed with the base64-decoded security token Teams showed when the webhook was
made (``TEAMS_WEBHOOK_SECRET``). It is compared in constant time before the body is parsed;
the message's own (signed) timestamp must be within 5 minutes, and a message is answered once.
The answer goes back in the same HTTP response (Teams waits 5 seconds): a message with an
Adaptive Card holding the compact answer and a button to the permalink page. Outgoing
webhooks cannot receive button presses, so feedback and "Request an article" happen there.

>>> strip_mentions("<at>KB</at>&nbsp;Event ID: 1196 &lt;DNS&gt;<br>line two")
'Event ID: 1196 <DNS>\\nline two'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import re
import time
from datetime import UTC, datetime

from flask import jsonify, request

from . import chatanswer
from .chatanswer import Answer, Link
from .chatbase import NOT_VERIFIED, first_time, setting
from .errors import WebError
from .requests import json_body
from .security import SLACK_MAX_AGE

_AT = re.compile(r"<at\b[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
CARD = "application/vnd.microsoft.card.adaptive"
BUTTONS = "Under an answer, the button opens the whole answer: say there whether it solved it."


def strip_mentions(text: str) -> str:
    """The user's words: ``<at>`` mentions and HTML dropped, entities decoded."""
    text = _BREAK.sub("\n", _AT.sub("", text))
    return html.unescape(_TAG.sub("", text)).replace("\xa0", " ").strip()


def _key() -> bytes:
    secret = setting("TEAMS_WEBHOOK_SECRET", "Microsoft Teams")
    try:
        return base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        raise WebError(
            503, "not_configured", "TEAMS_WEBHOOK_SECRET is not the base64 token Teams gave."
        ) from None


def verify_teams(key: bytes, header: str, body: bytes) -> bool:
    """True when *header* is ``HMAC <base64 of HMAC-SHA256(key, body)>``."""
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "hmac" or not given or len(given) > 200:
        return False
    expected = base64.b64encode(hmac.new(key, body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, given.strip().encode("utf-8", "replace"))


def sent_at(value: object) -> float | None:
    """The activity's ``timestamp`` (ISO 8601, UTC) as epoch seconds, or None.

    >>> sent_at("2026-12-02T18:03:28.508Z")
    1796234608.508
    >>> sent_at("9" * 5000), sent_at(12)
    (None, None)
    """
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _answered_once(data: dict, header: str) -> None:
    """A signed message is answered once, and only while fresh (Teams stamps each one; the
    stamp is inside the signed body): stale is 401, seen before is 409."""
    moment = sent_at(data.get("timestamp"))
    if moment is None or abs(time.time() - moment) > SLACK_MAX_AGE:
        raise NOT_VERIFIED
    first_time(int(moment), header.strip()[5:])


def _text_block(text: str, **extra) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _links(links: tuple[Link, ...] | list[Link]) -> str:
    return "\n".join(f"- [{link.title}]({link.url})" for link in links)


def card(found: Answer) -> dict:
    """The compact answer as an Adaptive Card (Teams renders a subset of Markdown in it)."""
    if found.problem:
        body = [_text_block(found.problem)]
    elif not found.confident:
        body = [_text_block("No confident answer for that paste.", weight="Bolder")]
        if found.nearest:
            body.append(_text_block("Nearest:\n" + _links(found.nearest)))
    else:
        body = [
            _text_block(f"[{found.best.title}]({found.best.url})", weight="Bolder", size="Medium"),
            _text_block(f"Confidence {found.percent}% ({found.label})", isSubtle=True),
        ]
        if found.steps:
            body.append(_text_block("**First steps**\n\n" + found.steps))
        if found.why:
            body.append(_text_block(f"Why: {found.why}", isSubtle=True, size="Small"))
    content = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if found.page_url:
        title = "Whole answer, feedback" if found.confident else "Request an article"
        content["actions"] = [{"type": "Action.OpenUrl", "title": title, "url": found.page_url}]
    return content


def message(text: str, content: dict | None = None) -> dict:
    reply = {"type": "message", "text": text}
    if content is not None:
        reply["attachments"] = [{"contentType": CARD, "content": content}]
    return reply


def webhook():
    key = _key()
    if not verify_teams(key, request.headers.get("Authorization", ""), request.get_data()):
        raise NOT_VERIFIED
    data = json_body()
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        raise WebError(400, "invalid_request", "The body is not a Teams message.")
    _answered_once(data, request.headers["Authorization"])
    kind, words = chatanswer.parse_command(strip_mentions(text))
    if kind == "help":
        return jsonify(message(chatanswer.usage("@KB", chatanswer.site_url(), BUTTONS)))
    if kind == "search":
        found = chatanswer.search_titles(words)
        return jsonify(
            message(f"Entries with “{words[:100]}” in the title:\n\n" + (_links(found) or "none."))
        )
    found = chatanswer.answer(words)
    fallback = found.best.title if found.best else "No confident answer for that paste."
    return jsonify(message(fallback, card(found)))
