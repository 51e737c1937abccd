"""Slack Block Kit messages for a chat answer (:class:`webapp.chatanswer.Answer`).

Short by design: the best remedy (title, confidence), its first fix steps, one "why" line, a
link to the permalink page and three buttons. Each button's ``value`` carries what its
handler needs (the entry id and the permalink token), so the interaction endpoint keeps no
state. Without a confident answer: one line saying so, at most three nearest titles, and a
"Request an article" button.
"""

from __future__ import annotations

import json

from .chatanswer import Answer, Link
from .chatformat import SECTION_LIMIT, escape_slack, fit, plain, slack_message, to_mrkdwn

SOLVED, NOT_SOLVED, SHOW, REQUEST = "kb_solved", "kb_not_solved", "kb_show", "kb_request"
ACTIONS = (SOLVED, NOT_SOLVED, SHOW, REQUEST)
MAX_VALUE_CHARS = 2000  # Slack's limit for a button's value

__all__ = ["ACTIONS", "answer", "button_value", "slack_message", "titles", "usage"]


def button_value(token: str, entry_id: str | None = None) -> str:
    """What a button carries: ``{"t": token, "e": entry id}`` as compact JSON."""
    value = {"t": token, **({"e": entry_id} if entry_id else {})}
    return json.dumps(value, separators=(",", ":"))


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": False},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _link(link: Link) -> str:
    return f"<{escape_slack(link.url)}|{escape_slack(link.title).replace('|', chr(0x2223))}>"


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(text, SECTION_LIMIT)}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": fit(text, 2000)}]}


def _page_line(found: Answer) -> dict | None:
    if not found.page_url:
        return None
    return _context(f"<{escape_slack(found.page_url)}|The whole answer, other remedies, why>")


def answer(found: Answer, *, in_channel: bool = False) -> dict:
    """The follow-up message; *in_channel* when "Show to channel" reposts it for everyone."""
    if found.problem:
        return slack_message(found.problem)
    if not found.confident:
        return _not_confident(found)
    best = found.best
    blocks = [_section(f"*{_link(best)}*\nConfidence *{found.percent}%* ({found.label})")]
    if found.steps:
        blocks.append(_section("*First steps*\n" + to_mrkdwn(found.steps)))
    if found.why:
        blocks.append(_context("_Why:_ " + escape_slack(found.why)))
    page = _page_line(found)
    if page:
        blocks.append(page)
    if found.token:
        value = button_value(found.token, found.entry_id)
        buttons = [
            _button("Solved it", SOLVED, value, "primary"),
            _button("Didn't solve it", NOT_SOLVED, value),
        ]
        if not in_channel:
            buttons.append(_button("Show to channel", SHOW, value))
        blocks.append({"type": "actions", "block_id": "kb_feedback", "elements": buttons})
    return {
        "response_type": "in_channel" if in_channel else "ephemeral",
        "replace_original": False,
        "text": escape_slack(plain(f"{best.title} ({found.percent}%, {found.label})", 300)),
        "blocks": blocks,
    }


def _not_confident(found: Answer) -> dict:
    line = "No confident answer for that paste."
    blocks = [_section(line)]
    if found.nearest:
        blocks.append(_section("Nearest:\n" + "\n".join(f"• {_link(n)}" for n in found.nearest)))
    page = _page_line(found)
    if page:
        blocks.append(page)
    if found.token:
        request = _button("Request an article", REQUEST, button_value(found.token))
        blocks.append({"type": "actions", "block_id": "kb_request", "elements": [request]})
    return {"response_type": "ephemeral", "replace_original": False, "text": line, "blocks": blocks}


def titles(heading: str, links: list[Link]) -> dict:
    """A list of entry titles as links (``/kb search``)."""
    if not links:
        return slack_message(f"{heading}: none.")
    body = "\n".join(f"• {_link(link)}" for link in links)
    message = slack_message(heading)
    message["blocks"] = [_section(f"*{escape_slack(heading)}*\n{body}")]
    return message


def usage(text: str) -> dict:
    return slack_message(text)


def updated(text: str) -> dict:
    """The message that replaces the one whose button was pressed."""
    return {"replace_original": True, **slack_message(text)}
